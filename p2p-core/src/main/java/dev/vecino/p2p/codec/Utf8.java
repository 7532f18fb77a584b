package dev.vecino.p2p.codec;

import java.nio.ByteBuffer;

/**
 * UTF-8 boundary checks on raw bytes, without decoding or allocating, and the code points a
 * codec drops from peer-chosen text.
 */
final class Utf8 {

  private Utf8() {}

  /**
   * Returns whether a code point is a bidirectional embedding, override or isolate (U+202A to
   * U+202E, U+2066 to U+2069), which would let a peer show its name reversed. The node refuses
   * the same code points in names (a test keeps the two definitions equal; the codec package
   * depends on no internal package).
   */
  static boolean isBidiControl(int cp) {
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  }

  private static boolean isContinuation(int b) {
    return (b & 0xC0) == 0x80;
  }

  /** The length of the sequence a lead byte starts, or 0 for a continuation or invalid byte. */
  private static int sequenceLength(int b) {
    if (b < 0x80) {
      return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      return 2;
    }
    if (b >= 0xE0 && b <= 0xEF) {
      return 3;
    }
    if (b >= 0xF0 && b <= 0xF4) {
      return 4;
    }
    return 0;
  }

  /**
   * Returns how many bytes at the end of {@code in[from, end)} start a multi-byte character
   * whose remaining bytes have not arrived yet (0 to 3).
   */
  static int incompleteTail(ByteBuffer in, int from, int end) {
    for (int back = 1; back <= 3 && end - back >= from; back++) {
      int b = in.get(end - back) & 0xFF;
      if (!isContinuation(b)) {
        int len = sequenceLength(b);
        return len > back ? back : 0;
      }
    }
    return 0;
  }

  /**
   * Returns how far to move a cut at {@code cut} back so it falls between characters (0 to
   * 3); 0 when it already does, or when the bytes are not valid UTF-8 there.
   */
  static int continuationsBefore(ByteBuffer in, int from, int cut) {
    if (!isContinuation(in.get(cut) & 0xFF)) {
      return 0;
    }
    for (int back = 1; back <= 3 && cut - back > from; back++) {
      int b = in.get(cut - back) & 0xFF;
      if (!isContinuation(b)) {
        return sequenceLength(b) > back ? back : 0;
      }
    }
    return 0;
  }
}
