package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.discovery.StaticDiscovery;
import dev.vecino.p2p.scan.NetworkScope;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.scan.Targets;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17: a node sends discovery traffic only inside its network scope. Addresses in
 * 127.0.4.0/24; the "outside" is a loopback address the scope leaves out, watched by a
 * non-blocking listener that proves no connection arrived.
 */
@Timeout(30)
class NetworkScopeEnforcementTest {

  private static final ScanOptions QUICK = ScanOptions.builder().timeout(Duration.ofMillis(500)).build();

  private static ServerSocketChannel watcher(String host) throws Exception {
    ServerSocketChannel s = ServerSocketChannel.open();
    s.bind(new InetSocketAddress(host, 0));
    s.configureBlocking(false);
    return s;
  }

  @Test
  void everyBuildOfThisProjectRunsInTheTestScope() {
    // The poms set both for surefire and failsafe; JVMs that tests start inherit the variable.
    assertEquals("127.0.0.0/8,198.18.0.0/15", System.getProperty(NetworkScope.PROPERTY));
    assertEquals("127.0.0.0/8,198.18.0.0/15", System.getenv(NetworkScope.ENVIRONMENT_VARIABLE));
  }

  @Test
  void aScanLeavingTheScopeIsRefusedBeforeAnythingIsSent() throws Exception {
    try (ServerSocketChannel outside = watcher("127.0.4.2");
         PeerNode a = Nodes.local("a").networkScope(NetworkScope.parse("127.0.4.1/32")).build().start()) {
      int port = outside.socket().getLocalPort();
      OutOfScopeException e = assertThrows(OutOfScopeException.class,
          () -> a.scan(Targets.parse("127.0.4.1-127.0.4.2"), Ports.of(port)));
      assertTrue(e.getMessage().contains("1 of the 2 addresses (first: 127.0.4.2) are outside the network scope "
          + "127.0.4.1/32 (set by the builder's networkScope)"), e.getMessage());
      assertTrue(e instanceof ConfigurationException, "one catch for configuration errors");
      assertNull(outside.accept(), "no connection reached the address outside the scope");
    }
  }

  @Test
  void aDiscoveryCandidateOutsideTheScopeIsCountedAndNotProbed() throws Exception {
    try (ServerSocketChannel outside = watcher("127.0.4.3");
         PeerNode a = Nodes.local("a").networkScope(NetworkScope.parse("127.0.4.1/32")).build().start()) {
      int port = outside.socket().getLocalPort();
      ScanReport r = a.scan(StaticDiscovery.parse("127.0.4.3:" + port), QUICK).report().get(10, TimeUnit.SECONDS);
      assertEquals(1, r.outOfScope(), r.toString());
      assertEquals(1, r.probed(), r.toString());
      assertEquals(0, r.open() + r.closed() + r.silent(), r.toString());
      assertTrue(r.toString().contains("1 out of scope"), r.toString());
      assertNull(outside.accept(), "the probe never connected");
      assertEquals(ScanStatus.OUT_OF_SCOPE, ScanStatus.valueOf("OUT_OF_SCOPE"));
    }
  }

  @Test
  void peersInsideTheScopeAreFoundAsBefore() throws Exception {
    try (PeerNode b = Nodes.local("b").build().start();
         PeerNode a = Nodes.local("a").networkScope(NetworkScope.parse("127.0.0.1/32")).build().start()) {
      ScanReport r = a.scan(Targets.parse("127.0.0.1"), Ports.of(b.localAddress().getPort()), QUICK)
          .report().get(10, TimeUnit.SECONDS);
      assertEquals(1, r.peers().size(), r.toString());
      assertEquals(b.identity().id(), r.peers().get(0).id());
      assertEquals(0, r.outOfScope());
    }
  }
}
