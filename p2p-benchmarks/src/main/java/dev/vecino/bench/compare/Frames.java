package dev.vecino.bench.compare;

import java.nio.ByteBuffer;

/**
 * The message shape every contender uses: a 4-byte big-endian length, then the payload. A
 * receiver counts a message only after it parsed the whole frame.
 *
 * <p>Stateless; every method is safe from any thread.
 */
final class Frames {

  private Frames() {}

  /**
   * Counts the complete frames in {@code in} (read mode), advancing past them; a partial
   * frame stays in place.
   *
   * @param in received bytes
   * @return complete frames consumed
   */
  static long count(ByteBuffer in) {
    return count(in, -1);
  }

  /**
   * As {@link #count(ByteBuffer)}, checking that every frame has the expected length.
   *
   * @param in received bytes
   * @param size the payload length every frame must have, or -1 for any sane length
   * @return complete frames consumed
   * @throws IllegalStateException on a frame of another length
   */
  static long count(ByteBuffer in, int size) {
    int pos = in.position();
    int limit = in.limit();
    long n = 0;
    while (limit - pos >= 4) {
      int len = in.getInt(pos);
      if (size >= 0 ? len != size : len < 0 || len > (1 << 24)) {
        throw new IllegalStateException("bad frame length " + len);
      }
      if (limit - pos < 4 + len) {
        break;
      }
      pos += 4 + len;
      n++;
    }
    in.position(pos);
    return n;
  }

  /**
   * Counts frames in a byte array slice.
   *
   * @param buf the array
   * @param from first byte
   * @param to end (exclusive)
   * @return {frames, bytes consumed}
   */
  static long[] count(byte[] buf, int from, int to) {
    int pos = from;
    long n = 0;
    while (to - pos >= 4) {
      int len = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16)
          | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
      if (len < 0 || len > (1 << 24)) {
        throw new IllegalStateException("bad frame length " + len);
      }
      if (to - pos < 4 + len) {
        break;
      }
      pos += 4 + len;
      n++;
    }
    return new long[] {n, pos - from};
  }

  /**
   * Returns one encoded frame.
   *
   * @param payload the payload
   * @return length prefix plus payload
   */
  static byte[] frame(byte[] payload) {
    byte[] f = new byte[4 + payload.length];
    ByteBuffer.wrap(f).putInt(payload.length).put(payload);
    return f;
  }
}
