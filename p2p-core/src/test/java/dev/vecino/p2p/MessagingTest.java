package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MessagingTest {

  @Test
  void sendsAndReceivesBothWays() throws Exception {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    try (PeerNode a = Nodes.start("ana", ra); PeerNode b = Nodes.start("bob", rb)) {
      Peer bob = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      assertEquals("bob", bob.name());
      assertEquals(b.identity().id(), bob.id());
      assertEquals(Direction.OUTBOUND, bob.direction());
      Await.until("b sees ana", () -> rb.connected.size() == 1);
      Peer ana = rb.connected.get(0);
      assertEquals(a.identity().id(), ana.id());
      assertEquals(Direction.INBOUND, ana.direction());

      a.send(bob, "hola").get(5, TimeUnit.SECONDS);
      b.send(ana, "qué tal").get(5, TimeUnit.SECONDS);
      Await.until("both messages", () -> rb.messages.size() == 1 && ra.messages.size() == 1);
      assertEquals("hola", rb.messages.get(0).text());
      assertEquals(MessageKind.TEXT, rb.messages.get(0).kind());
      assertEquals("ana", rb.messages.get(0).sender().name());
      assertEquals("qué tal", ra.messages.get(0).text());
      assertEquals(b.identity().id(), ra.messages.get(0).sender().id());
    }
  }

  @Test
  void carriesKindsAndNonAsciiNames() throws Exception {
    Recorder rb = new Recorder();
    try (PeerNode a = Nodes.local("Añá 東京 🚀").build().start(); PeerNode b = Nodes.start("Zoë", rb)) {
      Peer zoe = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      assertEquals("Zoë", zoe.name());
      a.call(zoe, "¡ven! ☎").get(5, TimeUnit.SECONDS);
      a.send(zoe, new byte[] {1, 2, 3}).get(5, TimeUnit.SECONDS);
      Await.until("two messages", () -> rb.messages.size() == 2);
      Message call = rb.messages.get(0);
      assertEquals(MessageKind.CALL, call.kind());
      assertEquals("¡ven! ☎", call.text());
      assertEquals("Añá 東京 🚀", call.sender().name());
      Message bin = rb.messages.get(1);
      assertEquals(MessageKind.BINARY, bin.kind());
      assertArrayEquals(new byte[] {1, 2, 3}, bin.bytes());
      assertTrue(bin.payload().isReadOnly());
    }
  }

  @Test
  void carriesPayloadsOfSizeZeroOneAndMax() throws Exception {
    int maxFrame = 1 << 20;
    Recorder rb = new Recorder();
    try (PeerNode a = Nodes.local("a").maxFrameSize(maxFrame).build().start();
         PeerNode b = Nodes.local("b").maxFrameSize(maxFrame).listener(rb).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      byte[] max = new byte[maxFrame - 1];
      for (int i = 0; i < max.length; i++) {
        max[i] = (byte) (i * 31);
      }
      a.send(p, new byte[0]).get(5, TimeUnit.SECONDS);
      a.send(p, new byte[] {42}).get(5, TimeUnit.SECONDS);
      a.send(p, max).get(5, TimeUnit.SECONDS);
      Await.until("three messages", () -> rb.messages.size() == 3);
      assertEquals(0, rb.messages.get(0).size());
      assertArrayEquals(new byte[] {42}, rb.messages.get(1).bytes());
      assertArrayEquals(max, rb.messages.get(2).bytes());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> a.trySend(p, new byte[maxFrame]));
      assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }
  }

  @Test
  void deliversHundredThousandMessagesInOrder() throws Exception {
    int count = 100_000;
    long[] next = {0};
    boolean[] ordered = {true};
    PeerListener checker = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        long v = m.payload().getLong();
        if (v != next[0]) {
          ordered[0] = false;
        }
        next[0] = v + 1;
      }
    };
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", checker)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      ByteBuffer buf = ByteBuffer.allocate(64);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      for (long i = 0; i < count; ) {
        buf.clear();
        buf.putLong(i).position(64).flip();
        SendStatus s = a.trySend(p, buf);
        if (s == SendStatus.OK) {
          i++;
        } else {
          assertEquals(SendStatus.QUEUE_FULL, s);
          assertTrue(System.nanoTime() < deadline, "sending took too long");
          Thread.onSpinWait();
        }
      }
      Await.until("all messages", java.time.Duration.ofSeconds(30), () -> next[0] == count);
      assertTrue(ordered[0], "messages out of order");
      assertEquals(count, b.peers().get(0).snapshot().messagesIn());
      assertEquals(count, a.peers().get(0).snapshot().messagesOut());
    }
  }

  @Test
  void broadcastsAcrossAThreeNodeMesh() throws Exception {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    Recorder rc = new Recorder();
    try (PeerNode a = Nodes.start("a", ra); PeerNode b = Nodes.start("b", rb); PeerNode c = Nodes.start("c", rc)) {
      a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      a.connect(c.localAddress()).get(5, TimeUnit.SECONDS);
      b.connect(c.localAddress()).get(5, TimeUnit.SECONDS);
      Await.until("full mesh", () -> a.peers().size() == 2 && b.peers().size() == 2 && c.peers().size() == 2);

      BroadcastResult r = a.broadcast("from a");
      assertEquals(2, r.delivered());
      assertTrue(r.allDelivered());
      b.broadcast("from b");
      c.broadcast("from c");
      Await.until("each got two", () -> ra.messages.size() == 2 && rb.messages.size() == 2 && rc.messages.size() == 2);
      assertEquals(List.of("from b", "from c"), ra.texts().stream().sorted().toList());
      assertEquals(List.of("from a", "from c"), rb.texts().stream().sorted().toList());
      assertEquals(List.of("from a", "from b"), rc.texts().stream().sorted().toList());
    }
  }

  @Test
  void trySendReportsQueueFullAndClosed() throws Exception {
    // A hand-driven peer that completes the handshake and then never reads: the queue must fill.
    try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         PeerNode a = Nodes.plain("a").maxQueuedBytes(64 * 1024).build().start()) {
      var future = a.connect((java.net.InetSocketAddress) server.getLocalSocketAddress());
      try (RawPeer raw = RawPeer.accept(server)) {
        raw.sendFrame(dev.vecino.p2p.codec.FrameType.HELLO, RawPeer.hello(PeerId.random(), "stuck", "vecino"));
        Peer p = future.get(5, TimeUnit.SECONDS);
        byte[] payload = new byte[1000];
        // The kernel's socket buffers absorb megabytes first; once they are full, the queue stays full.
        Throwable refused = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (refused == null && System.nanoTime() < deadline) {
          if (a.trySend(p, payload) == SendStatus.QUEUE_FULL) {
            assertTrue(p.queuedBytes() <= 64 * 1024, "queued " + p.queuedBytes());
            try {
              a.send(p, payload).get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
              refused = e.getCause();
            }
          }
        }
        assertTrue(refused instanceof QueueFullException, String.valueOf(refused));
        assertTrue(refused.getMessage().contains("full"), refused.getMessage());
        assertTrue(p.queuedBytes() <= 64 * 1024, "queued " + p.queuedBytes());

        a.disconnect(p).get(5, TimeUnit.SECONDS);
        assertEquals(SendStatus.CLOSED, a.trySend(p, payload));
        assertEquals(PeerState.CLOSED, p.state());
        java.util.concurrent.ExecutionException gone = assertThrows(java.util.concurrent.ExecutionException.class,
            () -> a.send(p, "late").get(5, TimeUnit.SECONDS));
        assertTrue(gone.getCause() instanceof PeerDisconnectedException, gone.getCause().toString());
      }
    }
  }

  @Test
  void sendTextUsesUtf8() throws Exception {
    Recorder rb = new Recorder();
    try (PeerNode a = Nodes.start("a", new Recorder()); PeerNode b = Nodes.start("b", rb)) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      a.send(p, "ñandú").get(5, TimeUnit.SECONDS);
      Await.until("message", () -> rb.messages.size() == 1);
      assertArrayEquals("ñandú".getBytes(StandardCharsets.UTF_8), rb.messages.get(0).bytes());
    }
  }
}
