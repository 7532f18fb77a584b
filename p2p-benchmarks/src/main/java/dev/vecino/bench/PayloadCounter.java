package dev.vecino.bench;

import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts received messages and their bytes through the zero-copy
 * {@link PeerListener#onPayload} path: the node allocates nothing per message for it. Written
 * by one receiving thread at a time, read by the benchmark thread.
 *
 * <p><b>Thread safety:</b> single writer per counter; any thread may read.
 */
public final class PayloadCounter implements PeerListener {

  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  @Override
  public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
    messages.lazySet(messages.get() + 1);
    bytes.lazySet(bytes.get() + payload.remaining());
  }

  /**
   * Returns the messages received so far.
   *
   * @return the count
   */
  public long messages() {
    return messages.get();
  }

  /**
   * Returns the payload bytes received so far.
   *
   * @return the count
   */
  public long bytes() {
    return bytes.get();
  }
}
