package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.discovery.RangeScanDiscovery;
import dev.vecino.p2p.scan.Diagnosis;
import dev.vecino.p2p.scan.Diagnosis.Verdict;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.Targets;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The doctor on made-up interfaces (issue 17): the diagnosing node lists the links the test
 * gives it through the datagram seam, so a loopback /24 (127.0.9.0/24) plays a virtual bridge
 * or an ordinary interface. Probes go over real loopback TCP; no interface is touched.
 */
@Timeout(30)
class DiagnosticsTest {

  private static final Duration QUICK = Duration.ofMillis(400);

  private final List<PeerNode> nodes = new ArrayList<>();

  @AfterEach
  void closeNodes() {
    nodes.forEach(PeerNode::close);
  }

  /** A node bound to {@code ip} whose machine has exactly {@code links}. */
  private PeerNode node(PeerNodeBuilder b, String ip, List<Datagrams.Link> links) {
    Node plain = (Node) b.bindAddress(ip).port(0).handshakeTimeout(Duration.ofSeconds(2))
        .closeTimeout(Duration.ofSeconds(1)).build();
    NodeConfig c = plain.config();
    Node n = new Node(c.withDiscoverySettings(c.discoverySettings().withDatagrams(InMemoryDatagrams.linksOnly(links))),
        plain::toBuilder);
    nodes.add(n);
    return n.start();
  }

  private PeerNode peer(String ip) {
    PeerNode p = PeerNode.builder().name("b").bindAddress(ip).port(0).build().start();
    nodes.add(p);
    return p;
  }

  private static Diagnosis diagnose(PeerNode from, InetSocketAddress target) throws Exception {
    return from.diagnose(target, QUICK).get(10, TimeUnit.SECONDS);
  }

  private static Diagnosis.Check step(Diagnosis d, String name) {
    return d.checks().stream().filter(c -> c.step().equals(name)).findFirst().orElseThrow(() ->
        new AssertionError("no step " + name + ": " + d));
  }

  @Test
  void aPeerWhoseSubnetOnlyAVirtualInterfaceHoldsIsNamedAsSkipped() throws Exception {
    PeerNode b = peer("127.0.9.2");
    PeerNode a = node(PeerNode.builder().name("a"), "127.0.9.1",
        List.of(InMemoryDatagrams.link("veth0", "127.0.9.1", 24, "127.0.9.255")));
    Diagnosis d = diagnose(a, b.localAddress());
    assertEquals(Verdict.SKIPPED_INTERFACE, d.verdict(), d.toString());
    assertEquals(new Diagnosis.Check("route", "on-link only via veth0, a virtual interface, which the default range "
        + "scan skips", false), step(d, "route"));
    assertTrue(step(d, "handshake").ok(), "it answers when probed: " + d);
    assertTrue(d.explanation().startsWith("a peer of this group: 'b' (" + b.identity().id().shortId() + "), but the "
        + "only interface in its subnet, veth0, is virtual"), d.explanation());
    assertTrue(d.explanation().contains("Targets.localSubnets(\"veth0\")"), d.explanation());
  }

  @Test
  void anOrdinaryInterfaceInTheSameSubnetIsWhatDiscoveryUses() throws Exception {
    PeerNode b = peer("127.0.9.12");
    PeerNode a = node(PeerNode.builder().name("a"), "127.0.9.11", List.of(
        InMemoryDatagrams.link("docker0", "127.0.9.11", 24, null),
        InMemoryDatagrams.link("eth0", "127.0.9.11", 24, "127.0.9.255")));
    Diagnosis d = diagnose(a, b.localAddress());
    assertEquals(Verdict.FOUND, d.verdict(), d.toString());
    assertEquals(new Diagnosis.Check("route", "on-link via eth0 (127.0.9.11/24)", true), step(d, "route"));
    assertTrue(d.checks().stream().allMatch(Diagnosis.Check::ok), d.toString());
  }

  @Test
  void aNodeWithItsOwnDiscoveryIsNotToldTheDefaultScanSkipsIt() throws Exception {
    PeerNode b = peer("127.0.9.22");
    RangeScanDiscovery own = RangeScanDiscovery.of(Targets.parse("127.0.9.22"), Ports.of(b.localAddress().getPort()));
    PeerNode a = node(PeerNode.builder().name("a").discovery(own), "127.0.9.21",
        List.of(InMemoryDatagrams.link("br-5e1f", "127.0.9.21", 24, null)));
    Diagnosis d = diagnose(a, b.localAddress());
    assertEquals(Verdict.FOUND, d.verdict(), d.toString());
    assertTrue(step(d, "route").ok(), d.toString());
    assertTrue(step(d, "route").outcome().contains("br-5e1f"), d.toString());
  }

  @Test
  void aKnownPeerIsFoundThroughTheStoreWhateverItsInterface() throws Exception {
    PeerNode b = peer("127.0.9.32");
    PeerNode a = node(PeerNode.builder().name("a"), "127.0.9.31",
        List.of(InMemoryDatagrams.link("veth0", "127.0.9.31", 24, null)));
    a.connect(b.localAddress()).get(10, TimeUnit.SECONDS);
    a.disconnectAll().get(10, TimeUnit.SECONDS);
    Diagnosis d = diagnose(a, b.localAddress());
    assertEquals(Verdict.FOUND, d.verdict(), d.toString());
    assertFalse(step(d, "route").ok(), "the range scan still skips it: " + d);
    assertTrue(step(d, "known").outcome().startsWith("known peer " + b.identity().id().shortId()), d.toString());
  }

  @Test
  void aClosedPortBehindAVirtualInterfaceIsStillAClosedPort() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.9.42"))) {
      closed = s.getLocalPort();
    }
    PeerNode a = node(PeerNode.builder().name("a"), "127.0.9.41",
        List.of(InMemoryDatagrams.link("veth0", "127.0.9.41", 24, null)));
    Diagnosis d = diagnose(a, new InetSocketAddress("127.0.9.42", closed));
    assertEquals(Verdict.PORT_CLOSED, d.verdict(), "what a scan of veth0 would find too: " + d);
    assertFalse(step(d, "route").ok(), d.toString());
  }
}
