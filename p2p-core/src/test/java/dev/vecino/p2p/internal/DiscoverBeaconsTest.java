package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Await;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.scan.DiscoveryStage;
import dev.vecino.p2p.scan.NetworkScope;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code discover()}'s beacon stage end to end through the in-memory datagram seam (issue 17):
 * the links beacons go out of, the merging of answers by address (never by the id a beacon
 * claims), the bounds on what answers may offer, the reply limit per source,
 * and a beacon answer that becomes a peer only after a handshake over real loopback TCP
 * (127.0.6.0/24). No datagram reaches a real interface.
 */
@Timeout(30)
class DiscoverBeaconsTest {

  private static final String BROADCAST = "127.0.6.255";

  private final List<PeerNode> nodes = new ArrayList<>();

  @AfterEach
  void closeNodes() {
    nodes.forEach(PeerNode::close);
  }

  private PeerNode node(PeerNodeBuilder b, Datagrams datagrams) {
    Node plain = (Node) b.group("team").handshakeTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1))
        .build();
    NodeConfig c = plain.config();
    Node n = new Node(c.withDiscoverySettings(c.discoverySettings().withDatagrams(datagrams)), plain::toBuilder);
    nodes.add(n);
    return n.start();
  }

  /** A node at {@code ip} that answers beacons. */
  private PeerNode answering(InMemoryDatagrams lan, String ip) throws Exception {
    return node(PeerNode.builder().name("b").bindAddress(ip).port(0).beacons(true), lan.host(ip));
  }

  private static ScanOptions beaconsOnly(Duration probeTimeout) {
    return ScanOptions.builder().stages(EnumSet.of(DiscoveryStage.BEACONS))
        .beaconWindow(Duration.ofMillis(600)).timeout(probeTimeout).build();
  }

  private static ScanReport beaconsOnly(PeerNode a) throws Exception {
    return a.discover(beaconsOnly(Duration.ofMillis(500))).report().get(10, TimeUnit.SECONDS);
  }

  /** Waits for the first beacon a test port hears; returns its source (the asking node's beacon port). */
  private static InetSocketAddress firstBeaconAt(Datagrams.Port port) throws Exception {
    InetSocketAddress asker = port.receive(ByteBuffer.allocate(Beacon.MAX_DATAGRAM), 5000);
    assertNotNull(asker, "the node's beacon reaches the test's port");
    return asker;
  }

  private static List<InMemoryDatagrams.Sent> sentFrom(InMemoryDatagrams lan, String ip) throws Exception {
    InetAddress from = InetAddress.getByName(ip);
    return lan.sent.stream().filter(s -> s.from().getAddress().equals(from)).toList();
  }

  private static BeaconListener listenerOf(PeerNode n) {
    return ((Node) n).discovery().listener();
  }

  @Test
  void beaconsGoOutOfTheLinksInsideTheNetworkScopeOnly() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams(BROADCAST, 24);
    PeerNode b = answering(lan, "127.0.6.52");
    // Bound to all addresses (it does not listen), so only the scope decides: mem1 is outside it.
    PeerNode a = node(PeerNode.builder().name("a").listen(false).networkScope(NetworkScope.parse("127.0.6.0/24")),
        lan.host("127.0.6.51", InMemoryDatagrams.link("mem1", "198.18.7.1", 24, "198.18.7.255")));
    ScanReport r = beaconsOnly(a);
    assertEquals(List.of(b.identity().id()), r.peers().stream().map(ScanResult::id).toList(), r.toString());
    List<InMemoryDatagrams.Sent> sent = sentFrom(lan, "127.0.6.51");
    assertEquals(2 * BeaconDiscovery.SENDS, sent.size(), sent.toString());
    for (InMemoryDatagrams.Sent s : sent) {
      assertTrue("mem0".equals(s.link()) || new InetSocketAddress(BROADCAST, Beacon.PORT).equals(s.to()),
          "only mem0's group and broadcast address: " + s);
    }

    // A scope that holds the link's address but not its broadcast address: the group only.
    PeerNode narrow = node(PeerNode.builder().name("n").listen(false).networkScope(NetworkScope.parse("127.0.6.0/25")),
        lan.host("127.0.6.53"));
    assertEquals(1, beaconsOnly(narrow).peers().size());
    List<String> links = sentFrom(lan, "127.0.6.53").stream().map(InMemoryDatagrams.Sent::link).toList();
    assertEquals(Collections.nCopies(BeaconDiscovery.SENDS, "mem0"), links, "no broadcast out of scope");
  }

  @Test
  void aPeerAnsweringSeveralBeaconsIsProbedOnce() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams(BROADCAST, 24);
    PeerNode b = answering(lan, "127.0.6.62");
    PeerNode a = node(PeerNode.builder().name("a").bindAddress("127.0.6.61").port(0), lan.host("127.0.6.61"));
    ScanReport r = beaconsOnly(a);
    Await.until("b answers a burst of beacons", () -> listenerOf(b).replies.sum() >= BeaconLimiter.BURST);
    assertEquals(1, r.probed(), "merged by address before probing: " + r);
    assertEquals(List.of(b.identity().id()), r.peers().stream().map(ScanResult::id).toList(), r.toString());
    assertEquals("beacon", r.peers().get(0).stage());
  }

  @Test
  void repliesAreLimitedPerSourceAndEachSourceHasItsOwnBudget() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams(BROADCAST, 24);
    PeerNode b = answering(lan, "127.0.6.72");
    BeaconListener listener = listenerOf(b);
    List<Datagrams.Port> asking = List.of(lan.host("127.0.6.73").openSender(), lan.host("127.0.6.74").openSender());
    int each = 5;
    long started = System.nanoTime();
    try {
      for (int i = 0; i < each; i++) {
        for (Datagrams.Port p : asking) {
          p.send(Beacon.of(PeerId.random(), 0, "team", false).encode(), new InetSocketAddress(BROADCAST, Beacon.PORT));
        }
      }
      Await.until("every request handled", () -> listener.replies.sum() + listener.refused.sum() == 2L * each);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      ByteBuffer in = ByteBuffer.allocate(Beacon.MAX_DATAGRAM);
      for (Datagrams.Port p : asking) {
        int got = 0;
        while (p.receive(in, 50) != null) {
          Beacon reply = Beacon.decode(in);
          assertTrue(reply.reply() && reply.id().equals(b.identity().id()), reply.toString());
          got++;
        }
        // A burst each, plus one a second at most if this machine was slow.
        assertTrue(got >= BeaconLimiter.BURST && got <= BeaconLimiter.BURST + seconds, got + " replies");
      }
      assertEquals(2L * each - listener.replies.sum(), listener.refused.sum());
    } finally {
      for (Datagrams.Port p : asking) {
        p.close();
      }
    }
  }

  @Test
  void aBeaconAnswerBecomesAPeerOnlyAfterTheHandshake() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams(BROADCAST, 24);
    try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getByName("127.0.6.82"));
         Datagrams.Port impostor = lan.host("127.0.6.82").openListener(List.of())) {
      PeerNode a = node(PeerNode.builder().name("a").bindAddress("127.0.6.81").port(0), lan.host("127.0.6.81"));
      var running = a.discover(beaconsOnly(Duration.ofMillis(500)));
      InetSocketAddress asker = firstBeaconAt(impostor);
      // Same group, but what listens on the port it names is no Vecino node; another group's answer is dropped.
      impostor.send(Beacon.of(PeerId.random(), mute.getLocalPort(), "team", true).encode(), asker);
      impostor.send(Beacon.of(PeerId.random(), mute.getLocalPort() + 1, "elsewhere", true).encode(), asker);
      ScanReport r = running.report().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(), r.peers(), r.toString());
      assertEquals(1, r.probed(), "only the same group's answer is probed: " + r);
      Set<String> notPeers = r.notPeers().stream().map(s -> s.address() + " " + s.stage()).collect(Collectors.toSet());
      assertEquals(Set.of(new InetSocketAddress("127.0.6.82", mute.getLocalPort()) + " beacon"), notPeers,
          r.toString());
      assertTrue(a.peers().isEmpty());
    }
  }

  @Test
  void anAnswerClaimingAnotherNodesIdDoesNotHideThatNode() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams(BROADCAST, 24);
    // b listens on TCP but answers no beacons itself: the test sends its answer, after the impostor's.
    PeerNode b = node(PeerNode.builder().name("b").bindAddress("127.0.6.92").port(0), lan.host("127.0.6.92"));
    try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getByName("127.0.6.93"));
         Datagrams.Port impostor = lan.host("127.0.6.93").openListener(List.of());
         Datagrams.Port genuine = lan.host("127.0.6.92").openSender()) {
      PeerNode a = node(PeerNode.builder().name("a").bindAddress("127.0.6.91").port(0), lan.host("127.0.6.91"));
      var running = a.discover(beaconsOnly(Duration.ofMillis(500)));
      InetSocketAddress asker = firstBeaconAt(impostor);
      impostor.send(Beacon.of(b.identity().id(), mute.getLocalPort(), "team", true).encode(), asker);
      genuine.send(Beacon.of(b.identity().id(), b.localAddress().getPort(), "team", true).encode(), asker);
      ScanReport r = running.report().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(b.identity().id()), r.peers().stream().map(ScanResult::id).toList(), r.toString());
      assertEquals(new InetSocketAddress("127.0.6.92", b.localAddress().getPort()), r.peers().get(0).address());
      assertEquals(2, r.probed(), "both answers probed, each once: " + r);
    }
  }

  @Test
  void oneSourceOffersAtMostAFewCandidatesPerRound() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams(BROADCAST, 24);
    try (Datagrams.Port flooder = lan.host("127.0.6.102").openListener(List.of())) {
      PeerNode a = node(PeerNode.builder().name("a").bindAddress("127.0.6.101").port(0), lan.host("127.0.6.101"));
      var running = a.discover(beaconsOnly(Duration.ofMillis(200)));
      InetSocketAddress asker = firstBeaconAt(flooder);
      for (int i = 0; i < 100; i++) {
        // Ports nothing listens on, each under a fresh id: refused at once if probed.
        flooder.send(Beacon.of(PeerId.random(), 1 + i, "team", true).encode(), asker);
      }
      ScanReport r = running.report().get(10, TimeUnit.SECONDS);
      assertEquals(BeaconDiscovery.MAX_PER_SOURCE, r.probed(), "one source's answers are capped: " + r);
      assertEquals(List.of(), r.peers(), r.toString());
    }
  }
}
