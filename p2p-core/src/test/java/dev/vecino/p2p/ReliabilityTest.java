package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ReliabilityTest {

  /** A child JVM's first TLS handshake loads and warms its crypto: on a busy machine, seconds. */
  private static final Duration COLD_CHILD = Duration.ofSeconds(10);

  private static final Duration HEARTBEAT = Duration.ofMillis(200);
  /** Three intervals, plus a wide margin for a loaded 2-core machine. */
  private static final Duration DETECTION_BOUND = HEARTBEAT.multipliedBy(3).plusSeconds(1);

  @Test
  void detectsAPeerThatStopsAnsweringWithinThreeIntervals() throws Exception {
    Recorder r = new Recorder();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         PeerNode a = Nodes.plain("a").heartbeatInterval(HEARTBEAT).listener(r).build().start()) {
      CompletableFuture<Peer> f = a.connect((InetSocketAddress) server.getLocalSocketAddress());
      try (RawPeer frozen = RawPeer.accept(server)) {
        frozen.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "frozen", "vecino"));
        f.get(5, TimeUnit.SECONDS);
        long start = System.nanoTime();
        Await.until("frozen peer declared dead", DETECTION_BOUND.plusSeconds(1), () -> r.disconnects.size() == 1);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println("DETECT frozen socket peer: " + tookMs + " ms (heartbeat " + HEARTBEAT.toMillis() + " ms)");
        assertEquals(DisconnectReason.Kind.TIMED_OUT, r.disconnects.get(0).kind());
        assertTrue(tookMs <= DETECTION_BOUND.toMillis(), "took " + tookMs + " ms");
        assertTrue(tookMs >= 2 * HEARTBEAT.toMillis(), "declared dead too early: " + tookMs + " ms");
      }
    }
  }

  @Test
  void keepsAQuietButAnsweringPeer() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode a = Nodes.plain("a").heartbeatInterval(HEARTBEAT).listener(r).build().start();
         PeerNode b = Nodes.plain("b").heartbeatInterval(HEARTBEAT).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      long until = System.nanoTime() + HEARTBEAT.multipliedBy(6).toNanos();
      Await.until("six quiet intervals pass", Duration.ofSeconds(10), () -> System.nanoTime() > until);
      assertTrue(r.disconnects.isEmpty(), r.disconnects.toString());
      assertEquals(PeerState.CONNECTED, p.state());
      assertTrue(p.lastHeard().isAfter(java.time.Instant.now().minus(HEARTBEAT.multipliedBy(3))));
    }
  }

  private static Process startChild(long heartbeatMillis) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        ChildNode.class.getName(), Long.toString(heartbeatMillis));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    return pb.start();
  }

  private static int readPort(Process child) throws Exception {
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertTrue(line != null && line.startsWith("PORT "), "child said: " + line);
    return Integer.parseInt(line.substring(5).trim());
  }

  @Test
  void detectsAFrozenProcessWithinThreeIntervals() throws Exception {
    Assumptions.assumeTrue(new File("/bin/kill").canExecute() || new File("/usr/bin/kill").canExecute(), "no kill command");
    Recorder r = new Recorder();
    Process child = startChild(HEARTBEAT.toMillis());
    try (PeerNode a = Nodes.local("a").handshakeTimeout(COLD_CHILD).heartbeatInterval(HEARTBEAT).listener(r)
        .build().start()) {
      a.connect("127.0.0.1", readPort(child)).get(10, TimeUnit.SECONDS);
      assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(child.pid())).start().waitFor());
      long start = System.nanoTime();
      Await.until("frozen child declared dead", DETECTION_BOUND.plusSeconds(1), () -> r.disconnects.size() == 1);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println("DETECT frozen process (SIGSTOP): " + tookMs + " ms (heartbeat " + HEARTBEAT.toMillis() + " ms)");
      assertEquals(DisconnectReason.Kind.TIMED_OUT, r.disconnects.get(0).kind());
      assertTrue(tookMs <= DETECTION_BOUND.toMillis(), "took " + tookMs + " ms");
    } finally {
      new ProcessBuilder("kill", "-CONT", Long.toString(child.pid())).start().waitFor();
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void detectsAKilledProcessAtOnce() throws Exception {
    Recorder r = new Recorder();
    Process child = startChild(60_000);
    try (PeerNode a = Nodes.local("a").handshakeTimeout(COLD_CHILD).heartbeatInterval(Duration.ofSeconds(60))
        .listener(r).build().start()) {
      a.connect("127.0.0.1", readPort(child)).get(10, TimeUnit.SECONDS);
      child.destroyForcibly(); // SIGKILL: the kernel closes the socket
      long start = System.nanoTime();
      Await.until("killed child noticed", Duration.ofSeconds(5), () -> r.disconnects.size() == 1);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println("DETECT killed process (SIGKILL): " + tookMs + " ms (heartbeat 60 s)");
      assertEquals(DisconnectReason.Kind.CONNECTION_LOST, r.disconnects.get(0).kind());
      assertTrue(tookMs < 5_000, "took " + tookMs + " ms with a 60 s heartbeat");
    } finally {
      child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void closesIdleConnections() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode a = Nodes.plain("a").idleTimeout(Duration.ofMillis(300)).listener(r).build().start();
         PeerNode b = Nodes.startPlain("b", new Recorder())) {
      a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      Await.until("idle close", Duration.ofSeconds(5), () -> r.disconnects.size() == 1);
      assertEquals(DisconnectReason.Kind.TIMED_OUT, r.disconnects.get(0).kind());
      assertTrue(r.disconnects.get(0).detail().startsWith("idle for"), r.disconnects.toString());
    }
  }

  /** A peer that handshakes, then reads only when told to. */
  private static final class SlowReader implements AutoCloseable {
    final ServerSocket server = new ServerSocket();
    RawPeer raw;

    SlowReader() throws Exception {
      // A small fixed receive buffer turns off autotuning: the stalled reader's window stays shut.
      server.setReceiveBufferSize(4096);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    }

    Peer connect(PeerNode node) throws Exception {
      CompletableFuture<Peer> f = node.connect((InetSocketAddress) server.getLocalSocketAddress());
      raw = RawPeer.accept(server);
      raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "slow", "vecino"));
      return f.get(5, TimeUnit.SECONDS);
    }

    void drain(long bytes) throws Exception {
      byte[] buf = new byte[64 * 1024];
      long left = bytes;
      while (left > 0) {
        int n = raw.in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          return;
        }
        left -= n;
      }
    }

    @Override
    public void close() throws Exception {
      if (raw != null) {
        raw.close();
      }
      server.close();
    }
  }

  @Test
  void floodingASlowReaderNeverPassesTheBoundAndOthersKeepFlowing() throws Exception {
    int bound = 256 * 1024;
    List<Boolean> writability = new CopyOnWriteArrayList<>();
    PeerListener l = new PeerListener() {
      @Override
      public void onWritabilityChanged(Peer peer, boolean writable) {
        writability.add(writable);
      }
    };
    Recorder friendEvents = new Recorder();
    try (PeerNode a = Nodes.plain("a").maxQueuedBytes(bound).listener(l).heartbeatInterval(Duration.ZERO).build().start();
         PeerNode friend = Nodes.startPlain("friend", friendEvents);
         SlowReader slow = new SlowReader()) {
      Peer p = slow.connect(a);
      Peer f = a.connect(friend.localAddress()).get(5, TimeUnit.SECONDS);
      byte[] chunk = new byte[64 * 1024];
      long offered = 0;
      long accepted = 0;
      long maxQueued = 0;
      int friendMessages = 0;
      while (offered < (1L << 30)) {
        if (a.trySend(p, chunk) == SendStatus.OK) {
          accepted += chunk.length;
        }
        offered += chunk.length;
        maxQueued = Math.max(maxQueued, p.queuedBytes());
        if ((offered / chunk.length) % 1024 == 0) {
          assertEquals(SendStatus.OK, a.trySend(f, "tick".getBytes()));
          friendMessages++;
        }
      }
      System.out.println("HEAP slow reader: offered " + offered + " B, accepted " + accepted + " B, max queued "
          + maxQueued + " B (bound " + bound + " B)");
      assertTrue(maxQueued <= bound, "queued " + maxQueued + " > bound " + bound);
      assertTrue(accepted < 64L * 1024 * 1024, "the socket buffers and queue absorb far less than 1 GiB: " + accepted);
      int expectedFriend = friendMessages;
      Await.until("friend got every tick", () -> friendEvents.messages.size() == expectedFriend);
      Await.until("unwritable event", () -> writability.contains(false));

      // Once the kernel's buffers are full too, a send without a timeout fails at once.
      Throwable refused = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (refused == null && System.nanoTime() < deadline) {
        CompletableFuture<Void> sent = a.send(p, MessageKind.BINARY, chunk);
        if (sent.isCompletedExceptionally()) {
          refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, sent::get).getCause();
        }
      }
      assertInstanceOf(QueueFullException.class, refused);
      // Nearly a whole queue's worth: admitted only if the queue drains. The kernel's send buffer
      // may still grow and take some; once it is full too, the wait must time out.
      byte[] big = new byte[bound - 100];
      Throwable waited = null;
      for (int i = 0; i < 200 && waited == null; i++) {
        CompletableFuture<Void> parkedSend = a.send(p, MessageKind.BINARY, big, Duration.ofMillis(200));
        try {
          parkedSend.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          waited = e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
          // Admitted but not yet written: the buffers are about full; try again.
        }
      }
      assertInstanceOf(QueueFullException.class, waited);
      assertTrue(waited.getMessage().contains("stayed full for 200 ms"), waited.getMessage());
      // A parked send goes out, in order, once the reader catches up.
      CompletableFuture<Void> parked = a.send(p, MessageKind.TEXT, "after the flood".getBytes(), Duration.ofSeconds(30));
      assertFalse(parked.isDone());
      Thread reader = new Thread(() -> {
        try {
          slow.drain(Long.MAX_VALUE);
        } catch (Exception e) {
          // The test closes the socket at the end: the drain stops there.
        }
      }, "test-drain");
      reader.start();
      parked.get(20, TimeUnit.SECONDS);
      Await.until("writable again", () -> writability.contains(true));
      assertTrue(p.isWritable());
    }
  }

  @Test
  void floodHeapStaysBoundedInASmallHeap() throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process child = new ProcessBuilder(java, "-Xmx48m", "-cp", System.getProperty("java.class.path"),
        FloodInSmallHeap.class.getName()).redirectErrorStream(true).start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not finish");
    assertEquals(0, child.exitValue(), output);
    assertTrue(output.contains("FLOOD OK"), output);
    output.lines().filter(l -> l.startsWith("FLOOD")).forEach(l -> System.out.println("HEAP -Xmx48m child: " + l));
  }

  @Test
  void limitsPendingHandshakesWhileAnEstablishedPeerChats() throws Exception {
    Recorder nodeEvents = new Recorder();
    Recorder friendEvents = new Recorder();
    try (PeerNode node = Nodes.plain("node").maxPendingHandshakes(64, 16).handshakeTimeout(Duration.ofSeconds(30))
            .listener(nodeEvents).build().start();
         PeerNode friend = Nodes.startPlain("friend", friendEvents)) {
      Peer atFriend = friend.connect(node.localAddress()).get(5, TimeUnit.SECONDS);
      List<java.net.Socket> silent = new ArrayList<>();
      try {
        for (int i = 0; i < 1000; i++) {
          java.net.Socket s = new java.net.Socket();
          s.connect(node.localAddress(), 2000);
          silent.add(s);
        }
        Await.until("refusals counted", () -> node.stats().rejected(DisconnectReason.Kind.LIMIT_EXCEEDED) >= 1000 - 16);
        assertTrue(node.stats().handshaking() <= 16, node.stats().toString());
        friend.send(atFriend, "still chatting").get(5, TimeUnit.SECONDS);
        Await.until("message through", () -> nodeEvents.texts().contains("still chatting"));
        assertEquals(1, node.peers().size());
      } finally {
        for (java.net.Socket s : silent) {
          s.close();
        }
      }
      Await.until("pending slots released", () -> node.stats().handshaking() == 0);
    }
  }
}
