package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.internal.Hello;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class HandshakeTest {

  private static Throwable failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void refusesToConnectToItself() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode a = Nodes.start("a", r)) {
      Throwable t = failure(a.connect(a.localAddress()));
      assertInstanceOf(SelfConnectionException.class, t);
      assertEquals(DisconnectReason.Kind.SELF_CONNECTION, ((HandshakeException) t).reason().kind());
      Await.until("no connections left", () -> a.stats().connections() == 0 && a.stats().handshaking() == 0);
      assertTrue(a.peers().isEmpty());
      assertTrue(r.connected.isEmpty());
      assertEquals(1, a.stats().rejected(DisconnectReason.Kind.SELF_CONNECTION));
    }
  }

  @Test
  void refusesANodeOfAnotherGroup() throws Exception {
    try (PeerNode a = Nodes.local("a").group("chess").build().start();
         PeerNode b = Nodes.local("b").group("poker").build().start()) {
      Throwable t = failure(a.connect(b.localAddress()));
      assertInstanceOf(OtherGroupException.class, t);
      assertTrue(t.getMessage().contains("poker"), t.getMessage());
      Await.until("both sides empty", () -> a.stats().handshaking() == 0 && b.stats().handshaking() == 0);
      assertTrue(a.peers().isEmpty());
      assertTrue(b.peers().isEmpty());
      Await.until("b counts the refusal", () -> b.stats().rejected(DisconnectReason.Kind.OTHER_GROUP) == 1);
    }
  }

  @Test
  void refusesAPeerThatSharesNoProtocolVersion() throws Exception {
    try (PeerNode a = Nodes.startPlain("a", new Recorder()); RawPeer raw = RawPeer.connect(a.localAddress())) {
      byte[] frame = raw.readFrame();
      assertEquals(FrameType.HELLO.code(), frame[0]);
      raw.sendFrame(FrameType.HELLO, new Hello(7, 9, PeerId.random(), 0, "future", "vecino", List.of()).encode());
      byte[] bye = raw.readFrame();
      assertEquals(FrameType.BYE.code(), bye[0]);
      String text = new String(bye, 2, bye.length - 2, java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(text.contains("protocol version 7..9 unsupported"), text);
      assertTrue(raw.awaitEof());
      assertTrue(a.peers().isEmpty());
    }
  }

  @Test
  void initiatorRejectsAcceptorWithoutSharedVersion() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         PeerNode a = Nodes.startPlain("a", new Recorder())) {
      CompletableFuture<Peer> f = a.connect((InetSocketAddress) server.getLocalSocketAddress());
      try (RawPeer raw = RawPeer.accept(server)) {
        raw.sendFrame(FrameType.HELLO, new Hello(2, 3, PeerId.random(), 0, "future", "vecino", List.of()).encode());
        assertInstanceOf(UnsupportedVersionException.class, failure(f));
        byte[] bye = raw.readFrame();
        assertEquals(FrameType.BYE.code(), bye[0]);
      }
    }
  }

  @Test
  void skipsUnknownHelloExtensions() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode a = Nodes.startPlain("a", r); RawPeer raw = RawPeer.connect(a.localAddress())) {
      raw.readFrame();
      Hello hello = new Hello(1, 3, PeerId.random(), 4242, "newer", "vecino",
          List.of(new Hello.Extension(0x7F01, new byte[] {1, 2, 3}), new Hello.Extension(0x0002, new byte[0])));
      raw.sendFrame(FrameType.HELLO, hello.encode());
      Await.until("peer registered", () -> r.connected.size() == 1);
      assertEquals("newer", r.connected.get(0).name());
      assertEquals(4242, r.connected.get(0).listenPort());
    }
  }

  @Test
  void duplicateConnectsLeaveOneConnection() throws Exception {
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", new Recorder())) {
      for (int round = 0; round < 50; round++) {
        CompletableFuture<Peer> f1 = a.connect(b.localAddress());
        CompletableFuture<Peer> f2 = a.connect(b.localAddress());
        Peer p1 = f1.get(10, TimeUnit.SECONDS);
        Peer p2 = f2.get(10, TimeUnit.SECONDS);
        assertSame(p1, p2, "both connects complete with the one peer");
        assertOneConnection(a, b, round);
        a.disconnect(p1).get(10, TimeUnit.SECONDS);
        Await.until("round " + round + " disconnected", () -> a.peers().isEmpty() && b.peers().isEmpty()
            && a.stats().handshaking() == 0 && b.stats().handshaking() == 0);
      }
    }
  }

  @Test
  void connectToAConnectedPeerReturnsTheExistingPeer() throws Exception {
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", new Recorder())) {
      Peer first = a.connect(b.localAddress()).get(10, TimeUnit.SECONDS);
      Peer again = a.connect(new InetSocketAddress("localhost", b.localAddress().getPort())).get(10, TimeUnit.SECONDS);
      assertSame(first, again);
      Peer reverse = b.connect(a.localAddress()).get(10, TimeUnit.SECONDS);
      assertEquals(a.identity().id(), reverse.id());
      assertOneConnection(a, b, 0);
    }
  }

  /** Follows each peer's remote address through onConnected and onConnectionReplaced. */
  static final class Remotes extends Recorder {
    final java.util.Map<Peer, InetSocketAddress> remote = new java.util.concurrent.ConcurrentHashMap<>();
    final java.util.List<String> mismatches = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onConnected(Peer peer) {
      remote.put(peer, peer.remoteAddress());
      super.onConnected(peer);
    }

    @Override
    public void onConnectionReplaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {
      InetSocketAddress before = remote.put(peer, newRemote);
      if (oldRemote.equals(newRemote)) {
        mismatches.add("replaced by the same address " + newRemote);
      }
      if (before == null) {
        mismatches.add("replaced before connected: " + peer);
      }
    }

    /** The remote the events say the peer uses now. */
    InetSocketAddress remoteOf(Peer peer) {
      return remote.get(peer);
    }
  }

  @Test
  void simultaneousConnectsLeaveOneConnection() throws Exception {
    Remotes ra = new Remotes();
    Remotes rb = new Remotes();
    try (PeerNode a = Nodes.start("a", ra); PeerNode b = Nodes.start("b", rb)) {
      for (int round = 0; round < 50; round++) {
        CompletableFuture<Peer> fa = a.connect(b.localAddress());
        CompletableFuture<Peer> fb = b.connect(a.localAddress());
        Peer pa = fa.get(10, TimeUnit.SECONDS);
        Peer pb = fb.get(10, TimeUnit.SECONDS);
        assertEquals(b.identity().id(), pa.id());
        assertEquals(a.identity().id(), pb.id());
        assertOneConnection(a, b, round);
        // Both handles work on the surviving connection.
        a.send(pa, "ping " + round).get(10, TimeUnit.SECONDS);
        b.send(pb, "pong " + round).get(10, TimeUnit.SECONDS);
        int r = round;
        Await.until("round " + round + " messages", () -> rb.texts().contains("ping " + r) && ra.texts().contains("pong " + r));
        // Every handle switch was reported: the events end at the address the handle uses.
        Await.until("round " + round + ": a's events follow its peer to " + pa.remoteAddress(),
            () -> pa.remoteAddress().equals(ra.remoteOf(pa)));
        Await.until("round " + round + ": b's events follow its peer to " + pb.remoteAddress(),
            () -> pb.remoteAddress().equals(rb.remoteOf(pb)));
        a.disconnectAll().get(10, TimeUnit.SECONDS);
        Await.until("round " + round + " disconnected", () -> a.peers().isEmpty() && b.peers().isEmpty()
            && a.stats().handshaking() == 0 && b.stats().handshaking() == 0);
      }
      assertEquals(java.util.List.of(), ra.mismatches);
      assertEquals(java.util.List.of(), rb.mismatches);
      assertEquals(50, ra.connected.size(), "one connect event per round on a");
      assertEquals(50, rb.connected.size(), "one connect event per round on b");
      Await.until("one disconnect per round", () -> ra.disconnects.size() == 50 && rb.disconnects.size() == 50);
    }
  }

  private static void assertOneConnection(PeerNode a, PeerNode b, int round) {
    Await.until("round " + round + ": exactly one connection each side, a=" + a.stats() + " b=" + b.stats(),
        () -> a.peers().size() == 1 && b.peers().size() == 1
            && a.stats().handshaking() == 0 && b.stats().handshaking() == 0);
    assertEquals(1, a.stats().connections());
    assertEquals(1, b.stats().connections());
  }
}
