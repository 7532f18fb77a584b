package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.NodeStats;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Node-wide counters; connections fold theirs in when they close.
 *
 * <p><b>Thread safety:</b> adders and atomics; any thread.
 */
final class NodeCounters {
  final LongAdder accepted = new LongAdder();
  final LongAdder established = new LongAdder();
  final AtomicLong messagesIn = new AtomicLong();
  final AtomicLong messagesOut = new AtomicLong();
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong bytesOut = new AtomicLong();
  final LongAdder scansStarted = new LongAdder();
  final LongAdder probes = new LongAdder();
  private final Map<Kind, LongAdder> rejected = new EnumMap<>(Kind.class);
  private final Map<Kind, LongAdder> disconnected = new EnumMap<>(Kind.class);

  NodeCounters() {
    for (Kind k : Kind.values()) {
      rejected.put(k, new LongAdder());
      disconnected.put(k, new LongAdder());
    }
  }

  void reject(Kind kind) {
    rejected.get(kind).increment();
  }

  /** A registered peer was disconnected (reported to the listeners once) for {@code kind}. */
  void disconnect(Kind kind) {
    disconnected.get(kind).increment();
  }

  Map<Kind, Long> rejectedSnapshot() {
    return nonZero(rejected);
  }

  private static Map<Kind, Long> nonZero(Map<Kind, LongAdder> counts) {
    Map<Kind, Long> m = new EnumMap<>(Kind.class);
    counts.forEach((k, v) -> {
      long n = v.sum();
      if (n > 0) {
        m.put(k, n);
      }
    });
    return m;
  }

  /**
   * Takes a {@link NodeStats} snapshot: these counters plus those of the connections still
   * open, {@code established} of which are registered peers, and the log lines the node's
   * {@link LogBudget} suppressed, and the {@code scansRunning} scans.
   */
  NodeStats snapshot(Collection<Connection> live, int established, long logLinesSuppressed, int scansRunning) {
    long mIn = messagesIn.get();
    long mOut = messagesOut.get();
    long bIn = bytesIn.get();
    long bOut = bytesOut.get();
    long queued = 0;
    int open = 0;
    for (Connection c : live) {
      mIn += c.messagesIn();
      mOut += c.messagesOut();
      bIn += c.bytesIn();
      bOut += c.bytesOut();
      queued += c.queuedBytes();
      open++;
    }
    return new NodeStats(established, Math.max(0, open - established),
        accepted.sum(), this.established.sum(), rejectedSnapshot(), mIn, mOut, bIn, bOut, logLinesSuppressed,
        queued, nonZero(disconnected), scansRunning, scansStarted.sum(), probes.sum());
  }

  void retire(Connection c) {
    messagesIn.addAndGet(c.messagesIn());
    messagesOut.addAndGet(c.messagesOut());
    bytesIn.addAndGet(c.bytesIn());
    bytesOut.addAndGet(c.bytesOut());
  }
}
