package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The opt-in MXBean: its name, its attributes, and that a closed node leaves none behind. */
@Timeout(120)
class JmxTest {

  private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

  private static ObjectName nameOf(PeerNode node) throws Exception {
    return new ObjectName("dev.vecino:type=PeerNode,name=" + node.identity().name() + ",id="
        + node.identity().id().shortId());
  }

  /** Every registered Vecino MXBean whose id is one of these nodes'. */
  private static Set<ObjectName> registeredOf(List<PeerNode> nodes) throws Exception {
    Set<String> ids = nodes.stream().map(n -> n.identity().id().shortId()).collect(Collectors.toSet());
    return SERVER.queryNames(new ObjectName("dev.vecino:type=PeerNode,*"), null).stream()
        .filter(n -> ids.contains(n.getKeyProperty("id")))
        .collect(Collectors.toSet());
  }

  @Test
  void attributesFollowTheNodesStats() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode ana = Nodes.local("ana").jmx(true).listener(r).build().start();
         PeerNode bob = Nodes.start("bob", new Recorder())) {
      PeerNodeMXBean bean = JMX.newMXBeanProxy(SERVER, nameOf(ana), PeerNodeMXBean.class);
      assertEquals("ana", bean.getName());
      assertEquals(ana.identity().id().toString(), bean.getId());
      assertTrue(bean.isRunning());

      Peer b = ana.connect(bob.localAddress()).join();
      for (int i = 0; i < 5; i++) {
        ana.send(b, "hola " + i).join();
      }
      CompletionException refused = assertThrows(CompletionException.class,
          () -> ana.connect(ana.localAddress()).join());
      assertTrue(refused.getCause() instanceof SelfConnectionException, refused.toString());
      Await.until("the MXBean shows the connection and the refusal", () -> bean.getConnections() == 1
          && bean.getRefusals().get("SELF_CONNECTION") == 1 && bean.getHandshaking() == 0);
      assertEquals(5, bean.getMessagesOut());
      assertTrue(bean.getBytesOut() >= 5 * "hola 0".length(), "bytes out: " + bean.getBytesOut());
      assertEquals(0, bean.getQueuedBytes());
      assertTrue(bean.getHandshakes() >= 1);
      assertEquals(DisconnectReason.Kind.values().length, bean.getRefusals().size(), "every kind, 0 included");

      ana.disconnect(b).join();
      Await.until("the disconnect counted", () -> bean.getDisconnects().get("CLOSED_LOCALLY") == 1);
      assertEquals(0, bean.getConnections());
    }
  }

  @Test
  void countsScansAndTheirProbes() throws Exception {
    try (PeerNode ana = Nodes.local("ana").jmx(true).build().start();
         PeerNode bob = Nodes.start("bob", new Recorder())) {
      PeerNodeMXBean bean = JMX.newMXBeanProxy(SERVER, nameOf(ana), PeerNodeMXBean.class);
      int port = bob.localAddress().getPort();
      ana.scan(dev.vecino.p2p.scan.Targets.parse("127.0.0.1"), dev.vecino.p2p.scan.Ports.of(port))
          .report().join();
      Await.until("the scan is over", () -> bean.getScansRunning() == 0);
      assertEquals(1, bean.getScansStarted());
      assertEquals(1, bean.getScanProbes());
    }
  }

  @Test
  void isOffByDefault() throws Exception {
    try (PeerNode node = Nodes.local("plain").build().start()) {
      assertTrue(registeredOf(List.of(node)).isEmpty());
    }
  }

  @Test
  void quotesANameThatAnObjectNameReserves() throws Exception {
    try (PeerNode node = Nodes.local("a,b=c:d*").jmx(true).build().start()) {
      ObjectName expected = new ObjectName("dev.vecino:type=PeerNode,name=" + ObjectName.quote("a,b=c:d*")
          + ",id=" + node.identity().id().shortId());
      assertEquals(Set.of(expected), registeredOf(List.of(node)));
      assertEquals("a,b=c:d*", JMX.newMXBeanProxy(SERVER, expected, PeerNodeMXBean.class).getName());
    }
  }

  @Test
  void opensAndClosesAHundredNodesAndLeavesNoMxBean() throws Exception {
    List<PeerNode> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        nodes.add(Nodes.local("n" + i).jmx(true).build().start());
      }
      assertEquals(100, registeredOf(nodes).size());
    } finally {
      for (PeerNode n : nodes) {
        n.close();
      }
    }
    assertEquals(Set.of(), registeredOf(nodes));
    for (PeerNode n : nodes) {
      assertFalse(SERVER.isRegistered(nameOf(n)));
    }
  }

  @Test
  void aStartThatFailsLeavesNoMxBean() throws Exception {
    try (PeerNode holder = Nodes.local("holder").build().start()) {
      InetSocketAddress taken = holder.localAddress();
      PeerNode late = Nodes.local("late").jmx(true).port(taken.getPort()).build();
      assertThrows(ConfigurationException.class, late::start);
      assertEquals(Set.of(), registeredOf(List.of(late)));
    }
  }
}
