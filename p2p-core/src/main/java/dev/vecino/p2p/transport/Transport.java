package dev.vecino.p2p.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Moves bytes between nodes: the service provider interface for connections.
 *
 * <p>A transport owns a fixed set of {@link EventLoop}s; each channel belongs to exactly one
 * of them for its whole life. The default is {@link NioTransport}. Layered transports (TLS,
 * pre-shared-key admission) wrap another transport's channels.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public interface Transport extends AutoCloseable {

  /**
   * Starts listening.
   *
   * @param local the address and port to bind (port 0: any free port)
   * @param backlog the accept queue length
   * @param acceptor chooses the handler of each accepted connection
   * @return the listener, reporting the bound address
   * @throws IOException if the address cannot be bound (e.g. the port is in use)
   */
  Listener listen(InetSocketAddress local, int backlog, Acceptor acceptor) throws IOException;

  /**
   * Opens a connection without blocking. The handler gets {@link ChannelHandler#onOpen} on
   * success, or {@link ChannelHandler#onClosed} with a {@link java.net.ConnectException} or
   * {@link java.net.SocketTimeoutException} on failure.
   *
   * @param remote the address to connect to
   * @param localBind the local address to bind first (port 0: any free port; the default
   *     transport sets {@code SO_REUSEADDR} first), or null to let the system choose
   * @param timeout the connect timeout
   * @param handler receives the channel's events
   */
  void connect(InetSocketAddress remote, InetSocketAddress localBind, Duration timeout, ChannelHandler handler);

  /**
   * Returns a loop for work not tied to a channel (timers of pending operations).
   *
   * @return one of this transport's loops
   */
  EventLoop nextEventLoop();

  /**
   * Returns whether the calling thread is the thread of one of this transport's loops. The
   * node asks before it waits for work that only the loops can do (closing its connections,
   * stopping the transport), so that a loop thread never waits for itself; it never guesses
   * from thread names. Must be cheap and must not block; the answer for a loop that has
   * stopped does not matter.
   *
   * @return true on a loop thread of this transport
   */
  boolean inEventLoop();

  /**
   * Closes every channel and listener and stops the loops, waiting for their threads to end.
   * Idempotent.
   */
  @Override
  void close();
}
