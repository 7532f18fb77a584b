package dev.vecino.p2p.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One open connection, owned by one {@link EventLoop}.
 *
 * <p><b>Thread safety:</b> {@link #requestWritable} and {@link #shutdownOutput} must be called
 * on the owning loop's thread. {@link #write} is called by one thread at a time: the loop's
 * thread, or a sender's thread that the node has given the connection's exclusive write turn
 * (a sender that finds the connection idle writes its frame itself rather than waking the
 * loop); an implementation must allow that, as {@link java.nio.channels.SocketChannel} does.
 * {@link #close()}, {@link #abort()} and the accessors may be called from any thread.
 */
public interface Channel {

  /**
   * Returns the loop that owns this channel.
   *
   * @return the owning loop
   */
  EventLoop eventLoop();

  /**
   * Returns our end of the connection.
   *
   * @return the local address
   */
  InetSocketAddress localAddress();

  /**
   * Returns the other end of the connection.
   *
   * @return the remote address
   */
  InetSocketAddress remoteAddress();

  /**
   * Writes as many bytes of {@code src} as the socket takes now, without blocking.
   *
   * @param src bytes from position to limit; its position advances; not kept
   * @return the number of bytes written, possibly 0
   * @throws IOException if the connection failed
   */
  int write(ByteBuffer src) throws IOException;

  /**
   * Writes from several buffers in one call (a gathering write); same contract as
   * {@link #write(ByteBuffer)}.
   *
   * @param srcs the buffers, written in order
   * @return the number of bytes written, possibly 0
   * @throws IOException if the connection failed
   */
  long write(ByteBuffer[] srcs) throws IOException;

  /**
   * Asks for {@link ChannelHandler#onWritable()} once the socket can take more bytes. Call it
   * after a write that did not take everything.
   */
  void requestWritable();

  /**
   * Stops or resumes reading: while paused, no {@link ChannelHandler#onRead} comes and the
   * peer's sends back up in TCP, which is how a node slows a peer its listeners cannot keep
   * up with. Loop thread only. The default does nothing (a transport that cannot pause).
   *
   * @param paused true to stop reading, false to resume
   */
  default void pauseReading(boolean paused) {}

  /**
   * Half-closes: sends FIN after the bytes already written, keeps reading. Used to say goodbye
   * without losing what the other side still sends.
   *
   * @throws IOException if the connection failed
   */
  void shutdownOutput() throws IOException;

  /**
   * Closes the connection (FIN); {@link ChannelHandler#onClosed} follows on the loop thread.
   * Idempotent.
   */
  void close();

  /**
   * Closes the connection at once with a reset (RST), discarding unsent bytes. Idempotent.
   */
  void abort();

  /**
   * Returns whether the channel is still open.
   *
   * @return true until closed
   */
  boolean isOpen();
}
