package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason.Kind;
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
  private final Map<Kind, LongAdder> rejected = new EnumMap<>(Kind.class);

  NodeCounters() {
    for (Kind k : Kind.values()) {
      rejected.put(k, new LongAdder());
    }
  }

  void reject(Kind kind) {
    rejected.get(kind).increment();
  }

  Map<Kind, Long> rejectedSnapshot() {
    Map<Kind, Long> m = new EnumMap<>(Kind.class);
    rejected.forEach((k, v) -> {
      long n = v.sum();
      if (n > 0) {
        m.put(k, n);
      }
    });
    return m;
  }

  void retire(Connection c) {
    messagesIn.addAndGet(c.messagesIn());
    messagesOut.addAndGet(c.messagesOut());
    bytesIn.addAndGet(c.bytesIn());
    bytesOut.addAndGet(c.bytesOut());
  }
}
