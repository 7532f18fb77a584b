package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A flood of TLS ClientHellos at a secure node, while a friend's ping-pong on an established
 * secure connection carries on: first ClientHellos the node answers (each costs it a key
 * exchange and a signature on its TLS threads, never on its I/O thread), then connections
 * that send a ClientHello and stall with the handshake half done. The friend's round trips
 * stay bounded, the node's TLS threads stay at two, and the stalled handshakes count against
 * the pending-handshake limits: the node refuses or evicts past them and never holds more.
 * {@link TlsFloodAttackIT} runs the same for longer.
 */
@Timeout(60)
class TlsFloodAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 36);
  /** The friend's p99 bound: generous, the build machine is shared (2 cores, other builds). */
  static final long P99_BOUND_MS = 200;
  static final int MAX_PENDING = 64;
  static final int MAX_PENDING_PER_ADDRESS = 8;
  /** Addresses of the stalling flood: one thread each, each holding twice what one address may. */
  static final int STALLERS = 16;

  @Test
  void aFriendKeepsPingPongingThroughAFloodOfClientHellos() throws Exception {
    run(BLOCK, Duration.ofSeconds(3));
  }

  /** Both floods for {@code each}, one after the other, while the friend exchanges one message at a time. */
  static void run(LoopbackBlock block, Duration each) throws Exception {
    try (TestNodes nodes = new TestNodes()) {
      Friend friend = Friend.start(nodes, block.host(250), "friend");
      PeerNode target = nodes.start(block.host(1), 0, b -> b.name("target").handshakeTimeout(Duration.ofSeconds(2))
          .maxPendingHandshakes(MAX_PENDING, MAX_PENDING_PER_ADDRESS).listener(friend.echo()));
      friend.connect(target);
      friend.exchange(3);
      List<Long> answeredFlood = new ArrayList<>();
      List<Long> nanos = new ArrayList<>();
      int[] maxPending = new int[1];
      try (TlsFlood flood = new TlsFlood(target.localAddress(), PendingFloodAttackTest.sources(block, 8), false, 0)
          .start()) {
        pingPong(friend, target, each, nanos, maxPending);
        assertNull(flood.failure(), "flood: " + flood.failure());
        answeredFlood.add(flood.answered());
        answeredFlood.add(flood.refused());
      }
      int answeredRoundTrips = nanos.size();
      long limitsBefore = target.stats().rejected(DisconnectReason.Kind.LIMIT_EXCEEDED);
      TlsFlood stall = new TlsFlood(target.localAddress(), PendingFloodAttackTest.sources(block, STALLERS), true,
          2 * MAX_PENDING_PER_ADDRESS);
      try (stall) {
        stall.start();
        pingPong(friend, target, each, nanos, maxPending);
        assertNull(stall.failure(), "stalling flood: " + stall.failure());
      }
      long limits = target.stats().rejected(DisconnectReason.Kind.LIMIT_EXCEEDED) - limitsBefore;
      nanos.sort(null);
      long p50 = nanos.get(nanos.size() / 2);
      long p99 = nanos.get(Math.min(nanos.size() - 1, (int) Math.ceil(nanos.size() * 0.99) - 1));
      System.out.printf("TLS FLOOD %d s each: %d ClientHellos answered (%d refused or reset); then %d stalled "
          + "handshakes (%d refused or reset, %d refused at the limits, pending at most %d of %d); friend "
          + "round trips %d (%d during the answered flood), p50 %.2f ms, p99 %.2f ms; TLS threads %d; %s%n",
          each.toSeconds(), answeredFlood.get(0), answeredFlood.get(1), stall.stalled(), stall.refused(), limits,
          maxPending[0], MAX_PENDING, nanos.size(), answeredRoundTrips, p50 / 1e6, p99 / 1e6,
          Footprint.tlsThreadCount(), friend);
      assertTrue(answeredFlood.get(0) >= 50, "a flood: " + answeredFlood.get(0) + " ClientHellos answered");
      assertTrue(stall.stalled() >= MAX_PENDING, "a stalling flood: " + stall.stalled());
      // The stat counts open connections not yet peers: the admitted pending ones, plus at most
      // one per flood thread that the node accepted and is refusing at that moment.
      assertTrue(maxPending[0] <= MAX_PENDING + STALLERS, "pending handshakes at most the limit: " + maxPending[0]);
      assertTrue(limits > 0 || stall.refused() > 0, "the node refused or evicted past its pending limits");
      assertTrue(nanos.size() >= 20, "friend round trips: " + nanos.size());
      assertTrue(p99 < P99_BOUND_MS * 1_000_000, "friend p99 " + p99 / 1e6 + " ms");
      assertTrue(Footprint.tlsThreadCount() <= 2 * nodes.all().size(), "TLS threads: " + Footprint.tlsThreadCount());
      Await.until("the flood's handshakes are gone", () -> target.stats().handshaking() == 0);
      friend.checkIn(3);
      friend.assertNothingLost();
    }
  }

  /** One message at a time for {@code duration}, each round trip timed; samples the node's pending handshakes. */
  private static void pingPong(Friend friend, PeerNode target, Duration duration, List<Long> nanos, int[] maxPending) {
    long end = System.nanoTime() + duration.toNanos();
    // Bounded by the duration: each exchange fails after Friend.DEADLINE at most.
    while (System.nanoTime() < end) {
      nanos.add(friend.exchange(1).toNanos());
      maxPending[0] = Math.max(maxPending[0], target.stats().handshaking());
    }
  }
}
