package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.discovery.StaticDiscovery;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.transport.Acceptor;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import dev.vecino.p2p.transport.Listener;
import dev.vecino.p2p.transport.NioTransport;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node's {@code bindAddress} is the source of its outbound connections and scan probes, and
 * a loopback-bound node refuses targets it cannot reach before any socket connects. Addresses
 * in 127.0.3.0/24; 192.0.2.0/24 (documentation, TEST-NET-1) appears only in refusals that the
 * recording transport proves never reached a socket.
 */
@Timeout(30)
class BindAddressTest {

  /** Wraps the NIO transport and records each connect's target and local bind. */
  private static final class RecordingTransport implements TransportFactory {
    final List<InetSocketAddress[]> connects = new CopyOnWriteArrayList<>();

    @Override
    public Transport create(dev.vecino.p2p.transport.TransportConfig config) {
      Transport t = NioTransport.factory().create(config);
      return new Transport() {
        @Override
        public Listener listen(InetSocketAddress local, int backlog, Acceptor acceptor) throws IOException {
          return t.listen(local, backlog, acceptor);
        }

        @Override
        public void connect(InetSocketAddress remote, InetSocketAddress localBind, Duration timeout,
            ChannelHandler handler) {
          connects.add(new InetSocketAddress[] {remote, localBind});
          t.connect(remote, localBind, timeout, handler);
        }

        @Override
        public EventLoop nextEventLoop() {
          return t.nextEventLoop();
        }

        @Override
        public boolean inEventLoop() {
          return t.inEventLoop();
        }

        @Override
        public void close() {
          t.close();
        }
      };
    }
  }

  private static PeerNodeBuilder on(String host, String name) {
    return Nodes.local(name).bindAddress(host);
  }

  @Test
  void outboundConnectionsComeFromTheBindAddress() throws Exception {
    RecordingTransport recording = new RecordingTransport();
    try (PeerNode b = on("127.0.3.2", "b").build().start();
         PeerNode a = on("127.0.3.1", "a").transport(recording).build().start();
         PeerNode c = on("127.0.3.3", "c").listen(false).build().start()) {
      a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      c.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      Await.until("b sees both", () -> b.peers().size() == 2);
      for (Peer p : b.peers()) {
        String expected = p.name().equals("a") ? "127.0.3.1" : "127.0.3.3";
        assertEquals(expected, p.remoteAddress().getAddress().getHostAddress(), p.toString());
      }
      InetSocketAddress bind = recording.connects.get(0)[1];
      assertEquals(new InetSocketAddress("127.0.3.1", 0), bind);
    }
  }

  @Test
  void aWildcardBoundNodeLetsTheSystemChooseTheSource() throws Exception {
    RecordingTransport recording = new RecordingTransport();
    try (PeerNode b = on("127.0.3.2", "b").build().start();
         PeerNode a = PeerNode.builder().name("a").bindAddress("0.0.0.0").transport(recording).build().start()) {
      a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      assertNull(recording.connects.get(0)[1]);
    }
  }

  @Test
  void theWildcardListensOnIpv4OnlyNotOnADualStackSocket() throws Exception {
    try (PeerNode a = PeerNode.builder().name("a").bindAddress("0.0.0.0").build().start()) {
      InetSocketAddress local = a.localAddress();
      assertInstanceOf(java.net.Inet4Address.class, local.getAddress(), local.toString());
      assertEquals("0.0.0.0", local.getAddress().getHostAddress());
      try (Socket v4 = new Socket(InetAddress.getByName("127.0.0.1"), local.getPort())) {
        assertTrue(v4.isConnected());
      }
      // ::1 only (the IPv6 loopback): a dual-stack socket would accept this connection too.
      InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), local.getPort());
      try (Socket s = new Socket()) {
        assertThrows(IOException.class, () -> s.connect(v6, 2000), "no IPv6 listener on " + v6);
      }
    }
  }

  @Test
  void aLoopbackBoundNodeRefusesAnotherTargetWithoutConnecting() throws Exception {
    RecordingTransport recording = new RecordingTransport();
    try (PeerNode a = on("127.0.3.1", "a").transport(recording).build().start()) {
      CompletableFuture<Peer> f = a.connect("192.0.2.1", 9999);
      assertTrue(f.isDone(), "fails before any socket is opened");
      Throwable e = assertThrows(ExecutionException.class, f::get).getCause();
      assertInstanceOf(PeerUnreachableException.class, e);
      assertTrue(e.getMessage().startsWith("cannot reach 192.0.2.1:9999 from bind address 127.0.3.1"),
          e.getMessage());

      Throwable v6 = assertThrows(ExecutionException.class,
          () -> a.connect(new InetSocketAddress(InetAddress.getByName("::1"), 9999)).get()).getCause();
      assertTrue(v6.getMessage().contains("different address family"), v6.getMessage());
      assertEquals(List.of(), recording.connects);
    }
  }

  @Test
  void aLoopbackBoundNodeRefusesToScanOtherAddresses() throws Exception {
    RecordingTransport recording = new RecordingTransport();
    try (PeerNode a = on("127.0.3.1", "a").transport(recording).build().start()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> a.scan(Targets.parse("127.0.3.0/30, 192.0.2.0/30"), Ports.of(9999)));
      assertTrue(e.getMessage().contains("cannot scan 2 of the targets (first: 192.0.2.1) from bind address "
          + "127.0.3.1"), e.getMessage());

      // A discovery's candidates are known only as the scan runs: each one out of reach is
      // reported SILENT without a socket.
      ScanReport r = a.scan(StaticDiscovery.parse("192.0.2.1:9999"), ScanOptions.defaults())
          .report().get(10, TimeUnit.SECONDS);
      assertEquals(1, r.silent(), r.toString());
      assertEquals(List.of(), recording.connects);
    }
  }

  @Test
  void scanProbesComeFromTheBindAddress() throws Exception {
    try (ServerSocket service = new ServerSocket(0, 50, InetAddress.getByName("127.0.3.9"));
         PeerNode a = on("127.0.3.1", "a").build().start()) {
      service.setSoTimeout(10_000);
      CompletableFuture<ScanReport> report = a.scan(Targets.parse("127.0.3.9"), Ports.of(service.getLocalPort()),
          ScanOptions.builder().autoConnect(false).timeout(Duration.ofMillis(300)).build()).report();
      try (Socket probe = service.accept()) {
        assertEquals("127.0.3.1", probe.getInetAddress().getHostAddress());
      }
      assertEquals(1, report.get(10, TimeUnit.SECONDS).probed());
    }
  }
}
