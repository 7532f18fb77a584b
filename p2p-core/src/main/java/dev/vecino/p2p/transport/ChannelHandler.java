package dev.vecino.p2p.transport;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Receives one channel's events; every method runs on the channel's {@link EventLoop} thread,
 * one at a time. A method that throws a {@link RuntimeException} gets its channel closed by the
 * transport; one that throws an {@link Error} kills the loop, which the transport reports to
 * {@link TransportConfig#failureHandler()} (the node then fails).
 */
public interface ChannelHandler {

  /**
   * An outbound connect has started; {@code channel} is not connected yet. Only
   * {@link Channel#close()} (which aborts the connect and leads to {@link #onClosed}) and
   * {@link Channel#eventLoop()} may be used until {@link #onOpen}. Lets a caller cancel a
   * pending connect, e.g. a scan probe to a silent host. Not called for accepted channels.
   *
   * @param channel the connecting channel
   */
  default void onConnecting(Channel channel) {}

  /**
   * The channel is open (connected or accepted). The first event.
   *
   * @param channel the channel
   */
  void onOpen(Channel channel);

  /**
   * Bytes arrived.
   *
   * @param data the bytes, position to limit; owned by the transport and valid only during the
   *     call: consume or copy them
   */
  void onRead(ByteBuffer data);

  /** The socket can take more bytes after {@link Channel#requestWritable()}. */
  void onWritable();

  /**
   * The channel closed, or a connect failed. The last event; sent exactly once.
   *
   * @param cause null for a local close; an {@link java.io.EOFException} for an orderly close
   *     by the other side; otherwise the failure (refused, timed out, reset)
   */
  void onClosed(IOException cause);
}
