package dev.vecino.p2p.codec;

import java.nio.ByteBuffer;

/**
 * Encodes and decodes the frames of one connection. Created by {@link Codec#newSession} and
 * used only by that connection's I/O thread, except {@link #encodedLength} and the
 * {@code encode} methods, which the node calls under the connection's outbound lock from any
 * sending thread: they must not touch decoder state.
 *
 * <p><b>Buffers:</b> a session keeps no reference to any buffer passed to it after a method
 * returns. Hot paths: no allocation per frame beyond what the caller asked for.
 */
public interface CodecSession {

  /**
   * Decodes every complete frame in {@code in} (read mode: position to limit), calling
   * {@code sink} for each, and advances {@code in}'s position past the bytes consumed.
   * Bytes of an incomplete frame are left in place; the caller keeps them and calls again
   * with more appended.
   *
   * @param in the received bytes; owned by the caller
   * @param sink receives the frames
   * @return the number of bytes the next frame needs in total, counted from the new position
   *     (at least 1): the caller makes sure its buffer can hold that many
   * @throws CodecException on bytes that are not valid frames, or a frame over the limit
   *     (thrown before anything is allocated for it)
   */
  int decode(ByteBuffer in, FrameSink sink) throws CodecException;

  /**
   * Returns the exact number of bytes {@code encode} writes for a frame.
   *
   * @param type the frame type
   * @param payloadLength the payload length
   * @return the encoded size in bytes
   */
  int encodedLength(FrameType type, int payloadLength);

  /**
   * Encodes a frame into {@code out}, which has at least {@link #encodedLength} bytes
   * remaining. Reads {@code payload} from its position to its limit without moving them.
   *
   * @param type the frame type
   * @param payload the payload; not kept
   * @param out the destination; its position advances by the encoded length
   * @throws CodecException if this codec cannot carry the frame
   */
  void encode(FrameType type, ByteBuffer payload, ByteBuffer out) throws CodecException;

  /**
   * Encodes a frame from an array slice; same contract as the {@link ByteBuffer} form.
   *
   * @param type the frame type
   * @param payload the payload array; not kept
   * @param offset the first payload byte
   * @param length the payload length
   * @param out the destination; its position advances by the encoded length
   * @throws CodecException if this codec cannot carry the frame
   */
  default void encode(FrameType type, byte[] payload, int offset, int length, ByteBuffer out)
      throws CodecException {
    encode(type, ByteBuffer.wrap(payload, offset, length), out);
  }

  /**
   * Returns whether this codec can carry the frame type (for example, the line codec cannot
   * carry {@link FrameType#PING}). The node never asks it to encode others.
   *
   * @param type the frame type
   * @return true if supported
   */
  default boolean supports(FrameType type) {
    return true;
  }

  /**
   * Returns bytes to send as soon as the connection opens, before anything else (the classic
   * codec's greeting), or an empty array. Called once, on the I/O thread.
   *
   * @return the bytes; empty for none
   */
  default byte[] openingBytes() {
    return new byte[0];
  }
}
