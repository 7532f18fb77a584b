package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.discovery.RangeScanDiscovery;
import dev.vecino.p2p.scan.DiscoveryStage;
import dev.vecino.p2p.scan.ScanListener;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.Targets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code discover()} runs its stages together and merges by peer id (issue 17): beacons
 * through the in-memory datagram seam, TCP handshakes over real loopback sockets in
 * 127.0.6.0/24. No datagram reaches a real interface.
 */
@Timeout(30)
class DiscoveryChainTest {

  private final List<PeerNode> nodes = new ArrayList<>();

  @AfterEach
  void closeNodes() {
    nodes.forEach(PeerNode::close);
  }

  private PeerNode node(InMemoryDatagrams lan, String ip, String name, String group, boolean beacons,
      RangeScanDiscovery range) throws Exception {
    var b = PeerNode.builder().name(name).group(group).bindAddress(ip).port(0).beacons(beacons)
        .handshakeTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1));
    if (range != null) {
      b.discovery(range);
    }
    Node plain = (Node) b.build();
    NodeConfig c = plain.config();
    Node n = new Node(c.withDiscoverySettings(c.discoverySettings().withDatagrams(lan.host(ip))), plain::toBuilder);
    nodes.add(n);
    return n.start();
  }

  private static ScanOptions stages(DiscoveryStage first, DiscoveryStage... rest) {
    return ScanOptions.builder().stages(EnumSet.of(first, rest)).beaconWindow(Duration.ofMillis(600))
        .timeout(Duration.ofMillis(500)).build();
  }

  private static Map<PeerId, String> byStage(ScanReport r) {
    return r.peers().stream().collect(Collectors.toMap(ScanResult::id, ScanResult::stage));
  }

  @Test
  void beaconsFindEverySameGroupListenerAndNothingElse() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams("127.0.6.255", 24);
    PeerNode a = node(lan, "127.0.6.1", "a", "team", false, null);
    PeerNode b = node(lan, "127.0.6.2", "b", "team", true, null);
    PeerNode c = node(lan, "127.0.6.3", "c", "team", true, null);
    node(lan, "127.0.6.4", "other", "other-team", true, null);
    node(lan, "127.0.6.5", "quiet", "team", false, null);
    List<ScanResult> streamed = new CopyOnWriteArrayList<>();
    ScanOptions o = stages(DiscoveryStage.BEACONS).toBuilder().listener(new ScanListener() {
      @Override
      public void onFound(ScanResult r) {
        streamed.add(r);
      }
    }).build();
    ScanReport r = a.discover(o).report().get(10, TimeUnit.SECONDS);
    assertEquals(Map.of(b.identity().id(), "beacon", c.identity().id(), "beacon"), byStage(r), r.toString());
    assertEquals(0, r.otherGroup().size(), "another group's listener does not even answer");
    Set<PeerId> heard = streamed.stream().map(ScanResult::id).collect(Collectors.toSet());
    assertEquals(Set.of(b.identity().id(), c.identity().id()), heard, "results stream to the listener");
    assertEquals(2, a.peers().size(), "the probes became the peers' connections");
    int sentByA = lan.sentBy.get(java.net.InetAddress.getByName("127.0.6.1")).get();
    assertEquals(2 * BeaconDiscovery.SENDS, sentByA, "three beacons, each to the group and the broadcast address");
  }

  @Test
  void aSecondDiscoverWithinFiveSecondsSendsNoBeaconAndNoBeaconThreadOutlivesItsNode() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams("127.0.6.255", 24);
    PeerNode b = node(lan, "127.0.6.32", "b", "team", true, null);
    PeerNode a = node(lan, "127.0.6.31", "a", "team", false, null);
    assertEquals(1, a.discover(stages(DiscoveryStage.BEACONS)).report().get(10, TimeUnit.SECONDS).peers().size());
    java.net.InetAddress aIp = java.net.InetAddress.getByName("127.0.6.31");
    int sent = lan.sentBy.get(aIp).get();
    a.discover(stages(DiscoveryStage.BEACONS)).report().get(10, TimeUnit.SECONDS);
    assertEquals(sent, lan.sentBy.get(aIp).get(), "at most one burst per 5 s");
    a.close();
    b.close();
    Set<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("vecino-beacon") && (n.endsWith(a.identity().id().shortId())
            || n.endsWith(b.identity().id().shortId())))
        .collect(Collectors.toSet());
    assertEquals(Set.of(), left, "beacon threads end with their node");
  }

  @Test
  void theChainMergesStagesByIdAndTheScanFindsWhatBeaconsMiss() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams("127.0.6.255", 24);
    PeerNode b = node(lan, "127.0.6.12", "b", "team", true, null);
    PeerNode quiet = node(lan, "127.0.6.13", "quiet", "team", false, null);
    RangeScanDiscovery range = RangeScanDiscovery.of(Targets.parse("127.0.6.12-127.0.6.13"),
        dev.vecino.p2p.scan.Ports.of(b.localAddress().getPort(), quiet.localAddress().getPort()));
    PeerNode a = node(lan, "127.0.6.11", "a", "team", false, range);
    ScanReport r = a.discover(stages(DiscoveryStage.BEACONS, DiscoveryStage.RANGE_SCAN)).report()
        .get(10, TimeUnit.SECONDS);
    Map<PeerId, String> found = byStage(r);
    assertEquals(2, found.size(), r.toString());
    assertEquals("range-scan", found.get(quiet.identity().id()), "a node that does not beacon is found by the scan");
    assertTrue(Set.of("beacon", "range-scan").contains(found.get(b.identity().id())));
    assertEquals(1, r.peers().stream().filter(p -> p.id().equals(b.identity().id())).count(), "merged by id");
  }

  @Test
  void knownPeersAreProbedFirstAndRemembered() throws Exception {
    InMemoryDatagrams lan = new InMemoryDatagrams("127.0.6.255", 24);
    PeerNode b = node(lan, "127.0.6.22", "b", "team", true, null);
    PeerNode a = node(lan, "127.0.6.21", "a", "team", false, null);
    a.discover(stages(DiscoveryStage.BEACONS)).report().get(10, TimeUnit.SECONDS);
    PeerStore store = ((Node) a).discovery().store();
    assertEquals(List.of(b.localAddress().getPort()),
        store.get(b.identity().id()).orElseThrow().addresses().stream().map(x -> x.getPort()).toList());
    a.disconnectAll().get(5, TimeUnit.SECONDS);
    ScanReport r = a.discover(stages(DiscoveryStage.KNOWN_PEERS)).report().get(10, TimeUnit.SECONDS);
    assertEquals(Map.of(b.identity().id(), "known"), byStage(r), r.toString());
    assertFalse(r.toString().contains("out of scope"));
  }
}
