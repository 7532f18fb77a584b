package dev.vecino.p2p.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.SelfConnectionException;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.Targets;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class PeerNodeMetricsTest {

  /** Every meter name, as the table in the class javadoc and docs/metrics.md lists them. */
  private static final Set<String> NAMES = new TreeSet<>(Set.of("vecino.connections", "vecino.connections.accepted",
      "vecino.handshakes", "vecino.refusals", "vecino.disconnects", "vecino.messages.in", "vecino.messages.out",
      "vecino.bytes.in", "vecino.bytes.out", "vecino.queued.bytes", "vecino.scans.running", "vecino.scans.started",
      "vecino.scan.probes", "vecino.log.lines.suppressed"));

  private static PeerNode node(String name) {
    return PeerNode.builder().name(name).bindAddress("127.0.0.1").port(0)
        .closeTimeout(Duration.ofSeconds(1)).build().start();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  private static double counter(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).functionCounter().count();
  }

  private static double gauge(MeterRegistry r, String name, String... tags) {
    return r.get(name).tags(tags).gauge().value();
  }

  @Test
  void metersFollowTheNodesStats() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (PeerNode ana = node("ana"); PeerNode bob = node("bob")) {
      new PeerNodeMetrics(ana, Tags.of("app", "test")).bindTo(registry);
      Peer b = ana.connect(bob.localAddress()).join();
      for (int i = 0; i < 3; i++) {
        ana.send(b, "hola").join();
      }
      CompletionException e = assertThrows(CompletionException.class, () -> ana.connect(ana.localAddress()).join());
      assertTrue(e.getCause() instanceof SelfConnectionException, e.toString());
      ana.scan(Targets.parse("127.0.0.1"), Ports.of(bob.localAddress().getPort())).report().join();

      await("the meters show the connection, messages, refusal and scan", () ->
          gauge(registry, "vecino.connections", "state", "connected") == 1
              && gauge(registry, "vecino.connections", "state", "handshaking") == 0
              && counter(registry, "vecino.messages.out") == 3
              && counter(registry, "vecino.refusals", "reason", "self_connection") == 1
              && gauge(registry, "vecino.scans.running") == 0);
      assertTrue(counter(registry, "vecino.bytes.out") >= 3 * "hola".length());
      assertTrue(counter(registry, "vecino.handshakes") >= 1);
      assertEquals(1, counter(registry, "vecino.scans.started"));
      assertEquals(1, counter(registry, "vecino.scan.probes"));
      assertEquals(0, gauge(registry, "vecino.queued.bytes"));
      assertEquals("bytes", registry.get("vecino.bytes.out").meter().getId().getBaseUnit());

      ana.disconnect(b).join();
      await("the disconnect counted", () -> counter(registry, "vecino.disconnects", "reason", "closed_locally") == 1
          && gauge(registry, "vecino.connections", "state", "connected") == 0);
    }
  }

  @Test
  void everyMeterIsNamedVecinoAndTaggedWithTheNode() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (PeerNode ana = node("ana")) {
      new PeerNodeMetrics(ana).bindTo(registry);
      String id = ana.identity().id().shortId();
      assertEquals(NAMES, registry.getMeters().stream().map(m -> m.getId().getName())
          .collect(Collectors.toCollection(TreeSet::new)));
      for (Meter m : registry.getMeters()) {
        assertEquals("ana", m.getId().getTag("node"), m.getId().toString());
        assertEquals(id, m.getId().getTag("node.id"), m.getId().toString());
      }
      for (String perReason : Set.of("vecino.refusals", "vecino.disconnects")) {
        Set<String> reasons = registry.find(perReason).meters().stream().map(m -> m.getId().getTag("reason"))
            .collect(Collectors.toSet());
        assertEquals(Kind.values().length, reasons.size(), perReason + ": " + reasons);
        assertTrue(reasons.contains(Kind.LIMIT_EXCEEDED.name().toLowerCase(Locale.ROOT)), reasons.toString());
      }
    }
  }

  @Test
  void twoNodesOfOneNameKeepTheirOwnMeters() {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (PeerNode one = node("twin"); PeerNode two = node("twin")) {
      new PeerNodeMetrics(one).bindTo(registry);
      new PeerNodeMetrics(two).bindTo(registry);
      assertEquals(2, registry.find("vecino.handshakes").tag("node", "twin").meters().size());
    }
  }
}
