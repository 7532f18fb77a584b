package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.scan.Diagnosis;
import dev.vecino.p2p.scan.Diagnosis.Verdict;
import dev.vecino.p2p.scan.NetworkScope;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** "Why not found" on loopback, addresses in 127.0.7.0/24 (issue 17). */
@Timeout(30)
class DiagnoseTest {

  private static final Duration QUICK = Duration.ofMillis(400);

  private static Diagnosis diagnose(PeerNode from, InetSocketAddress target) throws Exception {
    return from.diagnose(target, QUICK).get(10, TimeUnit.SECONDS);
  }

  private static List<String> steps(Diagnosis d) {
    return d.checks().stream().map(Diagnosis.Check::step).toList();
  }

  private static Diagnosis.Check last(Diagnosis d) {
    return d.checks().get(d.checks().size() - 1);
  }

  @Test
  void aPeerIsFoundAndEveryStageIsReported() throws Exception {
    try (PeerNode b = Nodes.local("b").bindAddress("127.0.7.2").build().start();
         PeerNode a = Nodes.local("a").bindAddress("127.0.7.1").build().start()) {
      Diagnosis d = diagnose(a, b.localAddress());
      assertEquals(Verdict.FOUND, d.verdict(), d.toString());
      assertEquals(List.of("scope", "route", "beacon", "known", "tcp", "handshake"), steps(d));
      assertTrue(d.checks().stream().allMatch(Diagnosis.Check::ok), d.toString());
      assertTrue(a.peers().isEmpty(), "a diagnosis keeps no connection");
    }
  }

  @Test
  void aClosedPortAndAServiceThatIsNotVecinoAreToldApart() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.7.3"))) {
      closed = s.getLocalPort();
    }
    try (ServerSocket mute = new ServerSocket(0, 50, InetAddress.getByName("127.0.7.4"));
         PeerNode a = Nodes.local("a").bindAddress("127.0.7.1").build().start()) {
      Diagnosis d = diagnose(a, new InetSocketAddress("127.0.7.3", closed));
      assertEquals(Verdict.PORT_CLOSED, d.verdict(), d.toString());
      assertEquals(new Diagnosis.Check("port", "free: nothing on this machine holds it", true), last(d),
          "an address of this machine: the port is checked too");
      // On this machine, a service that is not Vecino is why no node can listen on its port.
      d = diagnose(a, (InetSocketAddress) mute.getLocalSocketAddress());
      assertEquals(Verdict.PORT_IN_USE, d.verdict(), d.toString());
      assertEquals(List.of("handshake", "port"), steps(d).subList(steps(d).size() - 2, steps(d).size()), d.toString());
      assertTrue(d.explanation().startsWith("port " + mute.getLocalPort() + " on this machine is held by a program "
          + "that is not a Vecino node"), d.explanation());
    }
  }

  @Test
  void aPortHeldByASocketThatDoesNotListenIsInUse() throws Exception {
    try (Socket holder = new Socket();
         PeerNode a = Nodes.local("a").bindAddress("127.0.7.1").build().start()) {
      // Bound, never listening: connects are refused, yet no node can bind the port.
      holder.bind(new InetSocketAddress("127.0.7.11", 0));
      Diagnosis d = diagnose(a, (InetSocketAddress) holder.getLocalSocketAddress());
      assertEquals(Verdict.PORT_IN_USE, d.verdict(), d.toString());
      assertEquals("tcp", d.checks().get(d.checks().size() - 2).step(), "refused first: " + d);
      assertEquals(new Diagnosis.Check("port", "held on 127.0.7.11 by a socket that accepts no connection", false),
          last(d));
    }
  }

  @Test
  void aPortHeldOnAnotherAddressOfThisMachineKeepsANodeBoundToAllAddressesOut() throws Exception {
    try (ServerSocket elsewhere = new ServerSocket(0, 50, InetAddress.getByName("127.0.7.12"));
         PeerNode a = Nodes.local("a").bindAddress("127.0.7.1").build().start()) {
      int port = elsewhere.getLocalPort();
      Diagnosis d = diagnose(a, new InetSocketAddress("127.0.7.13", port));
      assertEquals(Verdict.PORT_IN_USE, d.verdict(), d.toString());
      assertEquals(new Diagnosis.Check("port", "free on 127.0.7.13, held on another address of this machine",
          false), last(d));
      assertTrue(d.explanation().contains("a node bound to all addresses (the default) cannot listen on it"),
          d.explanation());
      assertTrue(a.peers().isEmpty(), "a diagnosis keeps no connection");
    }
  }

  @Test
  void aNodeThatFailedToBindIsToldWhoHoldsItsPort() throws Exception {
    try (ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getByName("127.0.7.14"));
         PeerNode a = Nodes.local("a").bindAddress("127.0.7.1").build().start()) {
      int port = squatter.getLocalPort();
      PeerNodeBuilder wanted = Nodes.local("b").bindAddress("127.0.7.14").port(port);
      assertThrows(ConfigurationException.class, () -> wanted.build().start(), "the port is taken");
      Diagnosis d = diagnose(a, new InetSocketAddress("127.0.7.14", port));
      assertEquals(Verdict.PORT_IN_USE, d.verdict(), d.toString());
    }
  }

  @Test
  void aNodeAtItsConnectionLimitIsToldFromAServiceThatIsNotVecino() throws Exception {
    try (PeerNode full = Nodes.local("full").bindAddress("127.0.7.8").maxConnections(1).build().start();
         PeerNode other = Nodes.local("other").bindAddress("127.0.7.9").build().start();
         PeerNode a = Nodes.local("a").bindAddress("127.0.7.1").build().start()) {
      other.connect(full.localAddress()).get(10, TimeUnit.SECONDS);
      Diagnosis d = diagnose(a, full.localAddress());
      assertEquals(Verdict.REFUSED, d.verdict(), d.toString());
      assertTrue(d.explanation().contains("connection limit"), d.explanation());
    }
  }

  @Test
  void aSecureNodeThatDoesNotAdmitUsSaysSo() throws Exception {
    try (PeerNode b = Nodes.local("b").bindAddress("127.0.7.10").groupSecret(GroupSecret.generate()).build().start();
         PeerNode a = Nodes.local("a").bindAddress("127.0.7.1").groupSecret(GroupSecret.generate()).build().start()) {
      Diagnosis d = diagnose(a, b.localAddress());
      assertEquals(Verdict.REFUSED, d.verdict(), d.toString());
      assertTrue(d.explanation().contains("did not admit"), d.explanation());
      assertEquals("handshake", d.checks().get(d.checks().size() - 1).step(), d.toString());
      assertTrue(a.peers().isEmpty(), "a diagnosis keeps no connection");
    }
  }

  @Test
  void anotherGroupIsNamed() throws Exception {
    try (PeerNode b = Nodes.local("b").bindAddress("127.0.7.5").group("elsewhere").build().start();
         PeerNode a = Nodes.local("a").bindAddress("127.0.7.1").build().start()) {
      Diagnosis d = diagnose(a, b.localAddress());
      assertEquals(Verdict.OTHER_GROUP, d.verdict(), d.toString());
      assertTrue(d.explanation().contains("'elsewhere'"), d.explanation());
    }
  }

  @Test
  void aSilentHostIsToldFromAClosedPort() throws Exception {
    try (SilentAddress silent = SilentAddress.open();
         PeerNode a = Nodes.local("a").build().start()) {
      Diagnosis d = diagnose(a, silent.address());
      assertEquals(Verdict.HOST_SILENT, d.verdict(), d.toString());
    }
  }

  @Test
  void outsideTheScopeNothingIsSent() throws Exception {
    try (ServerSocketChannel watcher = ServerSocketChannel.open();
         PeerNode a = Nodes.local("a").networkScope(NetworkScope.parse("127.0.7.1/32")).build().start()) {
      watcher.bind(new InetSocketAddress("127.0.7.6", 0));
      watcher.configureBlocking(false);
      Diagnosis d = diagnose(a, (InetSocketAddress) watcher.getLocalAddress());
      assertEquals(Verdict.OUTSIDE_SCOPE, d.verdict(), d.toString());
      assertEquals(List.of("scope"), steps(d));
      assertNull(watcher.accept());
    }
  }

  @Test
  void aLoopboundNodeSaysItIsBoundElsewhere() throws Exception {
    try (PeerNode a = Nodes.local("a").build().start()) {
      Diagnosis d = diagnose(a, new InetSocketAddress("198.18.0.1", 9));
      assertEquals(Verdict.BOUND_ELSEWHERE, d.verdict(), d.toString());
    }
  }
}
