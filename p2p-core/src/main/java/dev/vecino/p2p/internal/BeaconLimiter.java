package dev.vecino.p2p.internal;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Bounds the beacon replies a node sends (issue 17), so a beacon listener cannot be used to
 * reflect or amplify traffic: per source address a token bucket ({@value #BURST} replies, then
 * one per {@link #REFILL_NANOS} ns), and overall at most {@value #GLOBAL_PER_SECOND} replies a
 * second. The table of sources is bounded ({@value #MAX_SOURCES}); when it is full, a new
 * source is refused until an idle entry can be dropped, so a flood of spoofed sources costs
 * memory O(1) and gets no replies.
 *
 * <p><b>Thread safety:</b> confined to the beacon listener's thread (or a test's).
 */
final class BeaconLimiter {

  /** Replies a source may get at once. */
  static final int BURST = 2;
  /** One more reply per source per second. */
  static final long REFILL_NANOS = 1_000_000_000L;
  /** Replies per second to all sources together. */
  static final int GLOBAL_PER_SECOND = 20;
  /** Sources tracked at most. */
  static final int MAX_SOURCES = 1024;

  /** A source's bucket: tokens as of {@code atNanos}. */
  private static final class Bucket {
    double tokens;
    long atNanos;
  }

  /** Least recently used first (access order). */
  private final Map<InetAddress, Bucket> sources = new LinkedHashMap<>(16, 0.75f, true);
  private long globalWindowStart;
  private int globalCount;
  private boolean started;

  /**
   * Takes one reply for {@code source} at {@code nowNanos}.
   *
   * @return true if a reply may be sent
   */
  boolean tryAcquire(InetAddress source, long nowNanos) {
    if (!started || nowNanos - globalWindowStart >= 1_000_000_000L) {
      started = true;
      globalWindowStart = nowNanos;
      globalCount = 0;
    }
    if (globalCount >= GLOBAL_PER_SECOND) {
      return false;
    }
    Bucket b = sources.get(source);
    if (b == null) {
      if (sources.size() >= MAX_SOURCES && !evictIdle(nowNanos)) {
        return false;
      }
      b = new Bucket();
      b.tokens = BURST;
      b.atNanos = nowNanos;
      sources.put(source, b);
    } else {
      b.tokens = Math.min(BURST, b.tokens + (nowNanos - b.atNanos) / (double) REFILL_NANOS);
      b.atNanos = nowNanos;
    }
    if (b.tokens < 1) {
      return false;
    }
    b.tokens--;
    globalCount++;
    return true;
  }

  /** Drops the least recently used source if its bucket is full again (idle); false if none is. */
  private boolean evictIdle(long nowNanos) {
    Iterator<Map.Entry<InetAddress, Bucket>> it = sources.entrySet().iterator();
    Bucket eldest = it.next().getValue();
    if (nowNanos - eldest.atNanos >= BURST * REFILL_NANOS) {
      it.remove();
      return true;
    }
    return false;
  }

  /** The number of sources tracked. */
  int sources() {
    return sources.size();
  }
}
