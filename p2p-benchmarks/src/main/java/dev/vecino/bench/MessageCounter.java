package dev.vecino.bench;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.PayloadListener;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts received messages and their bytes. Written by the receiving node's callback thread
 * (one thread at a time: a node serializes one peer's events), read by the benchmark thread.
 * {@link #zeroCopy()} counts through {@link PayloadListener#onPayload} instead, for which the node
 * allocates nothing per message.
 *
 * <p><b>Thread safety:</b> single writer per counter; any thread may read.
 */
public class MessageCounter implements PeerListener {

  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private volatile Thread callbackThread;

  /**
   * Returns a counter that receives borrowed payloads ({@code onPayload}), not messages.
   *
   * @return a new counter
   */
  public static MessageCounter zeroCopy() {
    return new ZeroCopy();
  }

  @Override
  public void onConnected(Peer peer) {
    callbackThread = Thread.currentThread();
  }

  /**
   * Returns the thread that ran {@code onConnected}: with direct callbacks the I/O thread that
   * owns the peer's connection (a node with one I/O thread: its only one), else the callback
   * thread. A public way to find the thread whose allocations to measure.
   *
   * @return the thread, or null before the first peer connected
   */
  public final Thread callbackThread() {
    return callbackThread;
  }

  @Override
  public void onMessage(Message message) {
    count(message.size());
  }

  final void count(int size) {
    // Single writer: a plain read plus an ordered store is enough and avoids a locked add.
    messages.lazySet(messages.get() + 1);
    bytes.lazySet(bytes.get() + size);
  }

  /**
   * Returns the messages received so far.
   *
   * @return the count
   */
  public final long messages() {
    return messages.get();
  }

  /**
   * Returns the payload bytes received so far.
   *
   * @return the count
   */
  public final long bytes() {
    return bytes.get();
  }

  /** Counts through the zero-copy path. */
  private static final class ZeroCopy extends MessageCounter implements PayloadListener {
    @Override
    public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
      count(payload.remaining());
    }
  }
}
