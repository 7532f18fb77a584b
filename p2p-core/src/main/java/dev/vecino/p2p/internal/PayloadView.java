package dev.vecino.p2p.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Lends payloads to {@code PayloadListener.onPayload} without allocating: each payload is copied
 * into a scratch array that lives as long as the view, and handed out through one read-only
 * buffer positioned at 0 (so absolute reads like {@code getLong(0)} work), reset for every
 * message.
 *
 * <p><b>Thread safety:</b> none; owned by one thread at a time: a connection's I/O thread in
 * direct mode, a peer's serialized callbacks otherwise.
 */
final class PayloadView {

  /** Larger payloads get a buffer of their own, so one huge message is not kept alive in scratch. */
  static final int MAX_SCRATCH = 64 * 1024;

  private byte[] scratch = new byte[256];
  private ByteBuffer view = ByteBuffer.wrap(scratch).asReadOnlyBuffer();
  /** What the last {@link #of} lent: {@code view}, or a large payload's own buffer. */
  private ByteBuffer lent = view;
  private int length;

  /**
   * Copies {@code length} bytes at {@code offset} of {@code src} (absolute; src's position is
   * left alone) and returns the view over them.
   */
  ByteBuffer of(ByteBuffer src, int offset, int length) {
    if (length > MAX_SCRATCH) {
      byte[] own = new byte[length];
      src.get(offset, own);
      lent = ByteBuffer.wrap(own).asReadOnlyBuffer();
    } else {
      if (length > scratch.length) {
        scratch = new byte[Math.min(MAX_SCRATCH, Math.max(length, scratch.length * 2))];
        view = ByteBuffer.wrap(scratch).asReadOnlyBuffer();
      }
      src.get(offset, scratch, 0, length);
      lent = view;
    }
    this.length = length;
    return again();
  }

  /** Resets the last payload's view for the next listener (a listener may have moved it). */
  ByteBuffer again() {
    lent.clear().limit(length);
    lent.order(ByteOrder.BIG_ENDIAN);
    return lent;
  }
}
