package dev.vecino.examples.echo;

import dev.vecino.examples.chat.ChatFormat;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.QueueFullException;
import dev.vecino.p2p.SendStatus;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One echo measurement. Echoes come back in send order (per-connection order holds), so the
 * i-th echo answers the i-th message and payloads carry no sequence number.
 *
 * <p><b>Threads:</b> {@link #execute} runs on the caller's thread and sends; {@link #onMessage}
 * runs on the node's I/O thread (the client's node has direct callbacks, so a measured round
 * trip crosses no thread hand-off on this side), which alone records into the histogram (and,
 * in the closed loop, sends the next message, never waiting there). The histogram is read after
 * the completion latch.
 */
final class EchoRun implements PeerListener {

  /** Messages measured. */
  private final int count;
  /** Messages sent first and not measured, so the JIT and caches are warm. */
  private final int warmup;
  private final int total;
  private final int rate;
  private final byte[] payload;
  /** Start time of message i: actual send time (closed loop) or intended time (open loop). */
  private final AtomicLongArray starts;
  private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile PeerNode node;
  private volatile Peer peer;
  private volatile String failure;
  private int received;
  private long firstSend;
  private long measureStart;
  private volatile long deadline;
  private volatile long lastReceive;

  EchoRun(int count, int warmup, int size, int rate) {
    this.count = count;
    this.warmup = warmup;
    this.total = warmup + count;
    this.rate = rate;
    this.payload = new byte[size];
    for (int i = 0; i < size; i++) {
      payload[i] = (byte) ('a' + i % 26);
    }
    this.starts = new AtomicLongArray(total);
  }

  /**
   * Sends every message and waits for every echo.
   *
   * @return null on success, else why it failed
   */
  String execute(PeerNode node, Peer peer, Duration timeout) throws InterruptedException {
    this.node = node;
    this.peer = peer;
    deadline = System.nanoTime() + timeout.toNanos();
    firstSend = System.nanoTime();
    if (rate == 0) {
      starts.set(0, firstSend);
      if (!sendUntil(deadline)) {
        return failure;
      }
    } else {
      long interval = TimeUnit.SECONDS.toNanos(1) / rate;
      for (int i = 0; i < total; i++) {
        long intended = firstSend + i * interval;
        long wait;
        while ((wait = intended - System.nanoTime()) > 0) {
          LockSupport.parkNanos(Math.min(wait, 100_000));
        }
        starts.set(i, intended);
        if (!sendUntil(deadline)) {
          return failure;
        }
      }
    }
    long left = deadline - System.nanoTime();
    if (!done.await(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
      return failure != null ? failure
          : Text.get("echo.timedOut", timeout.toSeconds());
    }
    return failure;
  }

  Histogram histogram() {
    return histogram;
  }

  long elapsedNanos() {
    return lastReceive - measureStart;
  }

  @Override
  public void onMessage(Message m) {
    long now = System.nanoTime();
    if (received >= total) {
      return;
    }
    int i = received++;
    if (m.size() != payload.length) {
      fail(Text.get("echo.wrongSize", i, m.size(), payload.length));
      return;
    }
    if (i == warmup) {
      measureStart = starts.get(i);
    }
    if (i >= warmup) {
      histogram.recordValue(Math.min(Math.max(now - starts.get(i), 0),
          histogram.getHighestTrackableValue()));
    }
    if (received == total) {
      lastReceive = now;
      done.countDown();
    } else if (rate == 0) {
      starts.set(received, System.nanoTime());
      sendNext();
    }
  }

  /**
   * The closed loop's next message, from the I/O thread: {@code trySend}, or, if the queue is
   * full (one message in flight makes that unlikely), {@code send}, which waits for room in the
   * library until the deadline while the I/O thread goes on.
   */
  private void sendNext() {
    SendStatus s = node.trySend(peer, MessageKind.BINARY, payload, 0, payload.length);
    if (s == SendStatus.QUEUE_FULL) {
      Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
      node.send(peer, MessageKind.BINARY, payload, left).whenComplete((ok, e) -> {
        if (e != null) {
          fail(Text.get(Errors.unwrap(e) instanceof QueueFullException ? "echo.queueStayedFull"
              : "echo.closedWhileSending"));
        }
      });
    } else if (s == SendStatus.CLOSED) {
      fail(Text.get("echo.closedWhileSending"));
    }
  }

  @Override
  public void onDisconnected(Peer p, DisconnectReason reason) {
    if (received < total) {
      fail(Text.get("echo.wentAway", received, total, ChatFormat.clean(ChatFormat.reason(reason))));
    }
  }

  /** Sends the next message from the caller's thread, retrying while the queue is full. */
  private boolean sendUntil(long deadline) {
    while (true) {
      SendStatus s = node.trySend(peer, MessageKind.BINARY, payload, 0, payload.length);
      if (s == SendStatus.OK) {
        return true;
      }
      if (s == SendStatus.CLOSED || System.nanoTime() - deadline > 0) {
        fail(Text.get(s == SendStatus.CLOSED ? "echo.closedWhileSending" : "echo.queueStayedFull"));
        return false;
      }
      LockSupport.parkNanos(20_000);
    }
  }

  private void fail(String why) {
    if (failure == null) {
      failure = why;
    }
    done.countDown();
  }
}
