package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.discovery.CandidateSink;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.discovery.StaticDiscovery;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The push SPI and the chain's order, dedup and pending state, without sockets (issue 17). */
class ChainCandidatesTest {

  /** A push stage the test drives by hand. */
  private static final class ManualPush implements Discovery {
    final AtomicReference<CandidateSink> sink = new AtomicReference<>();
    final AtomicBoolean stopped = new AtomicBoolean();

    @Override
    public String name() {
      return "manual";
    }

    @Override
    public boolean pushes() {
      return true;
    }

    @Override
    public Iterator<InetSocketAddress> candidates(int defaultPort) {
      throw new AssertionError("a push stage is never pulled");
    }

    @Override
    public Stoppable start(int defaultPort, CandidateSink s) {
      sink.set(s);
      return () -> stopped.set(true);
    }
  }

  private static InetSocketAddress at(int host) {
    return new InetSocketAddress("198.18.0." + host, 9);
  }

  private static StaticDiscovery pull(int... hosts) {
    List<InetSocketAddress> list = new ArrayList<>();
    for (int h : hosts) {
      list.add(at(h));
    }
    return StaticDiscovery.of(list);
  }

  private static List<String> drain(ChainCandidates c) {
    List<String> out = new ArrayList<>();
    while (c.hasNext()) {
      InetSocketAddress a = c.next();
      out.add(c.lastStage() + ":" + a.getAddress().getHostAddress().substring("198.18.0.".length()));
    }
    return out;
  }

  @Test
  void pushedCandidatesGoFirstAndTheLastStageSkipsWhatEarlierStagesOffered() {
    ManualPush push = new ManualPush();
    ChainCandidates c = new ChainCandidates(List.of(pull(1, 2), push, pull(2, 3, 4)), 9, 0);
    AtomicInteger wakes = new AtomicInteger();
    c.onWake(wakes::incrementAndGet);
    push.sink.get().offer(at(4));
    assertTrue(wakes.get() >= 2, "an offer wakes the scan");
    assertEquals(List.of("manual:4", "static:1", "static:2", "static:3"), drain(c));
    assertTrue(c.pending(), "the push stage is not done yet");
    push.sink.get().offer(at(5));
    assertEquals(List.of("manual:5"), drain(c));
    push.sink.get().done();
    assertFalse(c.pending());
    push.sink.get().offer(at(6));
    assertFalse(c.hasNext(), "nothing is taken after done");
  }

  @Test
  void theLastStageWaitsItsHeadStartWhilePushStagesRun() {
    ManualPush push = new ManualPush();
    ChainCandidates c = new ChainCandidates(List.of(push, pull(7)), 9, 60_000_000_000L);
    c.onWake(() -> { });
    assertFalse(c.hasNext(), "the range stage waits");
    assertTrue(c.pending());
    push.sink.get().offer(at(8));
    assertEquals(List.of("manual:8"), drain(c));
    c.stop();
    assertTrue(push.stopped.get(), "stop() stops the push stages");
    assertFalse(c.pending());
  }

  @Test
  void thePullFormIsThePushFormsDefault() {
    List<InetSocketAddress> got = new ArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    pull(1, 2).start(9, new CandidateSink() {
      @Override
      public void offer(InetSocketAddress candidate) {
        got.add(candidate);
      }

      @Override
      public void done() {
        done.set(true);
      }
    }).stop();
    assertEquals(List.of(at(1), at(2)), got);
    assertTrue(done.get());
  }
}
