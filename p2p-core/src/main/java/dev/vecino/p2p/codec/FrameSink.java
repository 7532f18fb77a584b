package dev.vecino.p2p.codec;

import java.nio.ByteBuffer;

/**
 * Receives the frames a {@link CodecSession} decodes.
 *
 * <p><b>Buffers:</b> the body is {@code buffer[offset, offset + length)} in absolute indexes;
 * the buffer belongs to the caller of {@code decode} and is valid only during the call: copy
 * what you keep. Called on the connection's I/O thread.
 */
public interface FrameSink {

  /**
   * One decoded frame.
   *
   * @param type the frame type
   * @param buffer the buffer holding the body (do not change its position or limit)
   * @param offset absolute index of the body's first byte
   * @param length the body length in bytes
   * @throws CodecException if the frame is not acceptable here (the connection is closed)
   */
  void onFrame(FrameType type, ByteBuffer buffer, int offset, int length) throws CodecException;

  /**
   * A codec without a handshake learned the remote side's name (the classic codec's
   * greeting). The default ignores it.
   *
   * @param name the remote name
   */
  default void onRemoteName(String name) {}
}
