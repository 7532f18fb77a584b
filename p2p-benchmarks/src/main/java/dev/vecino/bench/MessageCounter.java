package dev.vecino.bench;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.PeerListener;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts received messages and their bytes. Written by the receiving node's callback thread
 * (one thread at a time: a node serializes one peer's events), read by the benchmark thread.
 *
 * <p><b>Thread safety:</b> single writer per counter; any thread may read.
 */
public final class MessageCounter implements PeerListener {

  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  @Override
  public void onMessage(Message message) {
    // Single writer: a plain read plus an ordered store is enough and avoids a locked add.
    messages.lazySet(messages.get() + 1);
    bytes.lazySet(bytes.get() + message.size());
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
