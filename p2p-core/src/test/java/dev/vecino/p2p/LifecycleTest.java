package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class LifecycleTest {

  private static Throwable failure(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
  }

  @Test
  void closeSaysByeStopsThreadsAndFailsLateSends() throws Exception {
    Recorder rb = new Recorder();
    PeerNode a = Nodes.start("a", new Recorder());
    try (PeerNode b = Nodes.start("b", rb)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      a.send(p, "last words").get(5, TimeUnit.SECONDS);
      assertFalse(Nodes.threadsOf(a).isEmpty());
      a.close();
      assertFalse(a.isRunning());
      Nodes.assertNoThreadsOf(a);
      Await.until("b hears the BYE", () -> rb.disconnects.size() == 1);
      DisconnectReason reason = rb.disconnects.get(0);
      assertEquals(DisconnectReason.Kind.CLOSED_BY_PEER, reason.kind());
      assertEquals("closed by peer: node closing", reason.toString());
      assertEquals(List.of("last words"), rb.texts());

      assertEquals(SendStatus.CLOSED, a.trySend(p, new byte[1]));
      assertInstanceOf(NodeClosedException.class, failure(a.send(p, "after close")));
      assertInstanceOf(NodeClosedException.class, failure(a.connect(b.localAddress())));
      a.close(); // idempotent
    }
  }

  @Test
  void disconnectAndCloseCarryTheGivenReason() throws Exception {
    Recorder rb = new Recorder();
    Recorder rc = new Recorder();
    try (PeerNode b = Nodes.start("b", rb); PeerNode c = Nodes.start("c", rc)) {
      PeerNode a = Nodes.start("a", new Recorder());
      Peer pb = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      a.connect(c.localAddress()).get(5, TimeUnit.SECONDS);
      a.disconnect(pb, "ana left the room").get(5, TimeUnit.SECONDS);
      Await.until("b told", () -> rb.disconnects.size() == 1);
      assertEquals("closed by peer: ana left the room", rb.disconnects.get(0).toString());
      a.close("ana left the chat");
      Await.until("c told", () -> rc.disconnects.size() == 1);
      assertEquals("closed by peer: ana left the chat", rc.disconnects.get(0).toString());
    }
  }

  @Test
  void closeFlushesQueuedMessagesBeforeBye() throws Exception {
    int count = 20_000;
    Recorder rb = new Recorder();
    try (PeerNode b = Nodes.start("b", rb)) {
      // A generous close timeout: on a loaded machine 2 MB may take longer than a second to flush.
      PeerNode a = Nodes.local("a").closeTimeout(Duration.ofSeconds(20)).build().start();
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      byte[] payload = new byte[100];
      int sent = 0;
      for (int i = 0; i < count; i++) {
        if (a.trySend(p, payload) == SendStatus.OK) {
          sent++;
        }
      }
      a.close();
      int expected = sent;
      Await.until("all queued messages arrive before the BYE", () -> rb.disconnects.size() == 1);
      assertEquals(expected, rb.messages.size());
    }
  }

  @Test
  void closeFailsPendingConnects() throws Exception {
    try (SilentAddress silent = SilentAddress.open()) {
      PeerNode a = Nodes.local("a").connectTimeout(Duration.ofSeconds(30)).build().start();
      CompletableFuture<Peer> pending = a.connect(silent.address());
      a.close();
      assertInstanceOf(NodeClosedException.class, failure(pending));
      Nodes.assertNoThreadsOf(a);
    }
  }

  @Test
  void reportsRefusedAndTimedOutConnects() throws Exception {
    try (PeerNode a = Nodes.local("a").connectTimeout(Duration.ofMillis(300)).build().start()) {
      int closedPort;
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        closedPort = s.getLocalPort();
      }
      Throwable refused = failure(a.connect("127.0.0.1", closedPort));
      assertInstanceOf(PeerUnreachableException.class, refused);
      assertTrue(refused.getMessage().contains("127.0.0.1:" + closedPort), refused.getMessage());
      try (SilentAddress silent = SilentAddress.open()) {
        Throwable timedOut = failure(a.connect(silent.address()));
        assertInstanceOf(ConnectTimeoutException.class, timedOut);
        assertTrue(timedOut.getMessage().contains("timed out after 300 ms"), timedOut.getMessage());
      }
      Throwable notPeer;
      try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        CompletableFuture<Peer> f = a.connect((InetSocketAddress) plain.getLocalSocketAddress());
        try (Socket s = plain.accept()) {
          s.getOutputStream().write("SSH-2.0-OpenSSH_9.6\r\n".getBytes());
          notPeer = failure(f);
        }
      }
      assertInstanceOf(NotAPeerException.class, notPeer);
    }
  }

  @Test
  void startFailsClearlyWhenThePortIsTaken() throws Exception {
    try (PeerNode a = Nodes.start("a", new Recorder())) {
      PeerNode b = Nodes.local("b").port(a.localAddress().getPort()).build();
      ConfigurationException e = assertThrows(ConfigurationException.class, b::start);
      assertTrue(e.getMessage().contains("127.0.0.1:" + a.localAddress().getPort()), e.getMessage());
      Nodes.assertNoThreadsOf(b);
      long start = System.nanoTime();
      b.close(); // after a failed start: returns at once
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "close after a failed start must not wait");
    }
  }

  @Test
  void threadCountDoesNotGrowWithPeers() throws Exception {
    // All 200 come from 127.0.0.1: above the default per-address limit of 64.
    // Plaintext: the raw peers speak protocol 1 (the TLS executor's threads come and go besides).
    try (PeerNode hub = Nodes.plain("hub").maxConnectionsPerAddress(256).build().start()) {
      int before = Thread.activeCount();
      List<PeerNode> spokes = new ArrayList<>();
      try {
        // 200 peers in one client node (outbound-only, one I/O thread) against the hub.
        PeerNode client = Nodes.plain("client").listen(false).build().start();
        spokes.add(client);
        List<RawPeer> raws = new ArrayList<>();
        for (int i = 0; i < 199; i++) {
          RawPeer raw = RawPeer.connect(hub.localAddress());
          raw.readFrame();
          raw.sendFrame(dev.vecino.p2p.codec.FrameType.HELLO, RawPeer.hello(PeerId.random(), "raw" + i, "vecino"));
          raws.add(raw);
        }
        client.connect(hub.localAddress()).get(10, TimeUnit.SECONDS);
        Await.until("200 peers at the hub", () -> hub.peers().size() == 200);
        assertEquals(2, Nodes.threadsOf(hub).size(), "one I/O and one callback thread: " + Nodes.threadsOf(hub));
        assertTrue(Thread.activeCount() <= before + 3, "threads grew from " + before + " to " + Thread.activeCount());
        BroadcastResult r = hub.broadcast("to all");
        assertEquals(200, r.delivered());
        for (RawPeer raw : raws) {
          raw.close();
        }
      } finally {
        spokes.forEach(PeerNode::close);
      }
    }
  }

  @Test
  void callbacksRunOnTheCallbackThreadByDefaultAndOnIoInDirectMode() throws Exception {
    Recorder deflt = new Recorder();
    Recorder direct = new Recorder();
    try (PeerNode a = Nodes.start("a", deflt);
         PeerNode b = Nodes.local("b").directCallbacks(true).listener(direct).build().start()) {
      a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      Await.until("both connected", () -> deflt.threads.size() == 1 && direct.threads.size() == 1);
      assertEquals("vecino-callback-" + a.identity().id().shortId(), deflt.threads.get(0));
      assertEquals("vecino-io-" + b.identity().id().shortId(), direct.threads.get(0));
    }
  }

  @Test
  void keepsPerPeerOrderOnAMultiThreadedExecutor() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    int perPeer = 5_000;
    java.util.Map<PeerId, List<Integer>> seen = new java.util.concurrent.ConcurrentHashMap<>();
    PeerListener l = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        seen.computeIfAbsent(m.sender().id(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
            .add(m.payload().getInt());
      }
    };
    try (PeerNode hub = Nodes.local("hub").callbackExecutor(pool).listener(l).build().start();
         PeerNode x = Nodes.start("x", new Recorder());
         PeerNode y = Nodes.start("y", new Recorder())) {
      Peer px = x.connect(hub.localAddress()).get(5, TimeUnit.SECONDS);
      Peer py = y.connect(hub.localAddress()).get(5, TimeUnit.SECONDS);
      for (int i = 0; i < perPeer; i++) {
        byte[] v = java.nio.ByteBuffer.allocate(4).putInt(i).array();
        x.send(px, v);
        y.send(py, v);
      }
      Await.until("all messages", () -> seen.values().stream().mapToInt(List::size).sum() == 2 * perPeer);
      for (List<Integer> values : seen.values()) {
        for (int i = 0; i < perPeer; i++) {
          assertEquals(i, values.get(i));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
