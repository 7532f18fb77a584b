package dev.vecino.p2p;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * The soak test's bookkeeping and delivery checks (docs/reliability.md, section 1), kept apart
 * from the nodes so that the checks themselves are tested ({@link SoakLedgerTest}).
 *
 * <p>A session is one sender's handle of one peer; its messages are numbered 1, 2, ... The
 * sender records each message with the connection its handle showed just before and just
 * after the {@code send} call ({@link #tag}); the receiver records the numbers in the order
 * its listener got them. Order is checked per connection: the handle moves to the winning
 * connection of a simultaneous connect, and a message sent on the losing one may arrive after
 * a later one sent on the winner (counted, not an error). A message during whose
 * {@code send} the handle moved may have gone on either connection: it is counted and left
 * out of the order check (it is still checked for duplicates and delivery). Tags do not tell
 * two outbound connections of one handle apart (same address, same direction); a handle moves
 * from one to another only when the peer dropped the first as a duplicate.
 *
 * <p><b>Thread safety:</b> {@link #nextSeq} and {@link #sent} on one thread (the driver);
 * {@link #received} from any thread (the receivers' callback threads); the checks on the
 * driver once deliveries have settled.
 */
final class SoakLedger {

  /** A message as sent: its number, the connection tags just before and after its send, its future. */
  record Sent(long seq, long tagBefore, long tagAfter, CompletableFuture<Void> future) {
    /** Whether the handle stayed on one connection during the send, so the message went on it. */
    boolean connectionKnown() {
      return tagBefore == tagAfter;
    }

    boolean succeeded() {
      return future.isDone() && !future.isCompletedExceptionally();
    }
  }

  private final Map<String, List<Sent>> sent = new HashMap<>();
  private final Map<String, List<Long>> received = new ConcurrentHashMap<>();
  private long switchReorders;
  private long unknownConnection;

  /**
   * The connection {@code peer}'s handle uses now, as far as the public API shows it: its
   * remote address and direction, from one snapshot (two separate calls could each see a
   * different connection while the handle switches).
   */
  static long tag(Peer peer) {
    PeerInfo info = peer.snapshot();
    return (info.remoteAddress().toString() + info.direction()).hashCode();
  }

  /** The number the session's next message gets. Driver thread. */
  long nextSeq(String session) {
    return sent.getOrDefault(session, List.of()).size() + 1L;
  }

  /** Records a message once its {@code send} returned. Driver thread. */
  void sent(String session, Sent s) {
    List<Sent> list = sent.computeIfAbsent(session, k -> new ArrayList<>());
    if (s.seq() != list.size() + 1L) {
      throw new IllegalArgumentException(session + ": expected message " + (list.size() + 1) + ", got " + s.seq());
    }
    list.add(s);
  }

  /** Records a message the listener got. Any thread. */
  void received(String session, long seq) {
    received.computeIfAbsent(session, k -> new CopyOnWriteArrayList<>()).add(seq);
  }

  int sessions() {
    return sent.size();
  }

  long delivered() {
    return received.values().stream().mapToLong(List::size).sum();
  }

  /** Out-of-order arrivals across a connection switch (allowed), counted by {@link #check}. */
  long switchReorders() {
    return switchReorders;
  }

  /** Arrivals of messages during whose send the handle switched connections, counted by {@link #check}. */
  long unknownConnection() {
    return unknownConnection;
  }

  /**
   * What a session is missing, for a failure message: the numbers received, and the numbers
   * whose send succeeded but which have not arrived ({@code ?} when the handle switched
   * connections during the send).
   */
  String describe(String session) {
    List<Long> got = received.getOrDefault(session, List.of());
    StringBuilder b = new StringBuilder(session).append(": received ").append(got).append(", written but missing [");
    String sep = "";
    for (Sent s : sent.getOrDefault(session, List.of())) {
      if (s.succeeded() && !got.contains(s.seq())) {
        b.append(sep).append(s.seq()).append(s.connectionKnown() ? "" : "?");
        sep = ", ";
      }
    }
    return b.append("] of ").append(sent.getOrDefault(session, List.of()).size()).toString();
  }

  /** Sessions with a message written (future succeeded) but not yet received. */
  List<String> missing() {
    List<String> out = new ArrayList<>();
    sent.forEach((session, list) -> {
      long written = list.stream().filter(Sent::succeeded).count();
      if (received.getOrDefault(session, List.of()).size() < written) {
        out.add(session);
      }
    });
    return out;
  }

  /**
   * Checks every session, after the sends completed and deliveries settled.
   *
   * @param stayedUp whether a session's handle is still connected: then every message arrived
   * @return the violations, at most about {@code limit}
   */
  List<String> check(Predicate<String> stayedUp, int limit) {
    List<String> errors = new ArrayList<>();
    for (Map.Entry<String, List<Sent>> e : sent.entrySet()) {
      check(e.getKey(), e.getValue(), stayedUp.test(e.getKey()), errors);
      if (errors.size() > limit) {
        break;
      }
    }
    return errors;
  }

  private void check(String session, List<Sent> list, boolean stayedUp, List<String> errors) {
    List<Long> got = received.getOrDefault(session, List.of());
    Set<Long> gotSet = new HashSet<>();
    Map<Long, Long> lastPerConnection = new HashMap<>();
    long previous = 0;
    for (long seq : got) {
      if (!gotSet.add(seq)) {
        errors.add(session + ": message " + seq + " received twice");
      }
      if (seq < 1 || seq > list.size()) {
        errors.add(session + ": message " + seq + " received but never sent");
        continue;
      }
      Sent s = list.get((int) seq - 1);
      if (s.connectionKnown()) {
        Long last = lastPerConnection.put(s.tagBefore(), seq);
        if (last != null && seq <= last) {
          errors.add(session + ": out of order on one connection: " + last + " then " + seq);
        }
      } else {
        unknownConnection++;
      }
      if (seq < previous) {
        switchReorders++;
      }
      previous = seq;
    }
    for (Sent s : list) {
      boolean ok = s.succeeded();
      if (ok && !gotSet.contains(s.seq())) {
        errors.add(session + ": message " + s.seq() + " written but never received");
      } else if (!ok && gotSet.contains(s.seq())) {
        errors.add(session + ": message " + s.seq() + " received although its send "
            + (s.future().isDone() ? "failed: " + s.future().handle((v, t) -> t).join() : "is still pending"));
      }
    }
    if (stayedUp && got.size() != list.size()) {
      errors.add(session + ": connection stayed up but " + got.size() + " of " + list.size() + " arrived");
    }
  }
}
