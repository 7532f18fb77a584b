package dev.vecino.p2p.internal;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The messages one read decoded for one peer, handed to the callback executor as a single
 * event: one queue insertion, one wake-up check and one back-pressure update per read
 * instead of per message. When every listener takes {@link Message}s they are built here on
 * the I/O thread, as the listeners would keep them anyway; when some listener reads payloads
 * in place ({@code PayloadListener}), the payloads are copied back to back into one array and no
 * per-message object is made.
 *
 * <p><b>Thread safety:</b> none needed: built and submitted by the I/O thread; after
 * submission only the peer's serialized callbacks touch it, and a recycled batch is handed
 * back through the peer's atomic spare slots.
 */
final class InboundBatch {

  /** Per-message bookkeeping cost counted against the undelivered bound, so empty messages count too. */
  private static final int MESSAGE_OVERHEAD = 64;

  /**
   * Larger payload arrays are not kept for reuse: one huge message should not stay in memory.
   * A read is at most the I/O thread's 256 KiB buffer, so a flood's batches stay under it.
   */
  private static final int MAX_KEPT_DATA = 256 * 1024;

  final PeerHandle handle;
  final boolean raw;
  Message[] messages;
  byte[] data;
  int used;
  int[] ends;
  /** Kinds by ordinal: a byte store, where a reference store would pay the GC's write barrier. */
  byte[] kinds;
  int size;
  long bytes;

  private InboundBatch(PeerHandle handle, boolean raw) {
    this.handle = handle;
    this.raw = raw;
    if (raw) {
      data = new byte[256];
      ends = new int[16];
      kinds = new byte[16];
    } else {
      messages = new Message[16];
    }
  }

  /**
   * Returns one of the peer's spare batches, emptied, or a new one. A batch goes back to the
   * peer once its listeners ran, so a flood cycles a few batches and allocates none per read.
   */
  static InboundBatch take(PeerHandle handle, boolean raw, int hint) {
    InboundBatch b = null;
    AtomicReferenceArray<InboundBatch> spares = handle.spareBatches;
    for (int i = 0; i < spares.length() && b == null; i++) {
      if (spares.get(i) != null) {
        b = spares.getAndSet(i, null);
      }
    }
    if (b == null || b.raw != raw) {
      b = new InboundBatch(handle, raw);
    }
    if (raw && b.data.length < hint) {
      // A power of two, so the next reads (of similar sizes) fit the recycled array.
      b.data = new byte[Math.max(hint, Integer.highestOneBit(Math.max(1, hint - 1)) << 1)];
    }
    return b;
  }

  /** Empties the batch and offers it to the peer for the next read. Callback side. */
  void recycle() {
    if (raw && data.length > MAX_KEPT_DATA) {
      return;
    }
    used = 0;
    size = 0;
    bytes = 0;
    AtomicReferenceArray<InboundBatch> spares = handle.spareBatches;
    for (int i = 0; i < spares.length(); i++) {
      if (spares.get(i) == null && spares.compareAndSet(i, null, this)) {
        return;
      }
    }
  }

  void add(MessageKind kind, ByteBuffer buf, int offset, int length) {
    if (size == (raw ? ends.length : messages.length)) {
      if (raw) {
        ends = Arrays.copyOf(ends, size * 2);
        kinds = Arrays.copyOf(kinds, size * 2);
      } else {
        messages = Arrays.copyOf(messages, size * 2);
      }
    }
    if (raw) {
      if (data.length - used < length) {
        data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, Math.max((long) used + length, 2L * data.length)));
      }
      buf.get(offset, data, used, length);
      used += length;
      ends[size] = used;
      kinds[size] = (byte) kind.ordinal();
    } else {
      byte[] payload = new byte[length];
      buf.get(offset, payload);
      messages[size] = new Message(handle, kind, payload);
    }
    size++;
    bytes += length + MESSAGE_OVERHEAD;
  }
}
