package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile inputs against a live node while a legitimate peer keeps a ping-pong going: random
 * bytes, oversized lengths, truncated frames, slowloris, a flood of valid frames. Strangers
 * connect from other 127.x source addresses so per-address limits never touch the friend.
 * After each attack: node running, the friend never disconnected and its round trips bounded,
 * no leaked threads, file descriptors back to where they were. Against a secure node, inside
 * the tunnel: {@link SecureHostileTest} (each of these attacks) and {@link FloodFairnessTest} (a
 * backlog of small records).
 */
@Timeout(90)
class HostileFloodTest {

  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(1000);
  /**
   * Round-trip p99 bound for the friend during an attack: generous, the build machine is
   * shared. Measured under a load average of 14 to 22 on 2 cores: p50 0.2 to 13 ms, p99 up to
   * 1.7 s during the flood (one I/O pass reads up to 4 MiB from the flooder; see
   * docs/reliability.md).
   */
  private static final long P99_BOUND_MS = 2500;
  private static final long SEED = Long.getLong("vecino.hostile.seed", System.nanoTime());

  private final AtomicLong floodReceived = new AtomicLong();
  private final List<DisconnectReason> nodeDisconnects = new CopyOnWriteArrayList<>();
  private final List<DisconnectReason> friendDisconnects = new CopyOnWriteArrayList<>();
  private final BlockingQueue<long[]> pongs = new ArrayBlockingQueue<>(16);
  private final List<Long> roundTripsNanos = new CopyOnWriteArrayList<>();
  private final List<String> chatterFailures = new CopyOnWriteArrayList<>();
  private final Random random = new Random(SEED);
  private PeerNode node;
  private PeerNode friend;
  private Peer nodeAtFriend;
  private volatile boolean chatting;
  private Thread chatter;
  private Set<String> threadsBefore;
  private long fdsBefore;

  @BeforeEach
  void start() throws Exception {
    System.out.println("HostileFloodTest seed " + SEED + " (replay with -Dvecino.hostile.seed=" + SEED + ")");
    node = Nodes.plain("node").handshakeTimeout(HANDSHAKE_TIMEOUT).listener(new PeerListener() {
      @Override
      public void onMessage(Message m) {
        if (m.kind() == MessageKind.TEXT && m.text().startsWith("ping ")) {
          node.send(m.sender(), "pong " + m.text().substring(5));
        } else {
          floodReceived.incrementAndGet();
        }
      }

      @Override
      public void onDisconnected(Peer peer, DisconnectReason reason) {
        nodeDisconnects.add(reason);
      }
    }).build().start();
    friend = Nodes.plain("friend").listener(new PeerListener() {
      @Override
      public void onMessage(Message m) {
        String[] parts = m.text().split(" ");
        pongs.offer(new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2]), System.nanoTime()});
      }

      @Override
      public void onDisconnected(Peer peer, DisconnectReason reason) {
        friendDisconnects.add(reason);
      }
    }).build().start();
    nodeAtFriend = friend.connect(node.localAddress()).get(5, TimeUnit.SECONDS);
    chatting = true;
    chatter = new Thread(this::chat, "test-chatter");
    chatter.start();
    Await.until("first round trips", () -> roundTripsNanos.size() >= 5);
    threadsBefore = Nodes.threadsOf(node);
    fdsBefore = openFds();
  }

  /** Ping, wait for its pong (bounded), pace, repeat: the friend's round trips. */
  private void chat() {
    long seq = 0;
    while (chatting) {
      seq++;
      friend.send(nodeAtFriend, "ping " + seq + " " + System.nanoTime());
      try {
        long[] pong = pongs.poll(5, TimeUnit.SECONDS);
        if (pong == null) {
          chatterFailures.add("no pong for ping " + seq + " within 5 s");
          return;
        }
        if (pong[0] != seq) {
          chatterFailures.add("pong " + pong[0] + " for ping " + seq);
          return;
        }
        roundTripsNanos.add(pong[2] - pong[1]);
      } catch (InterruptedException e) {
        return;
      }
      // Pacing, not waiting for an event: about 200 round trips a second.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  @AfterEach
  void stop() throws Exception {
    chatting = false;
    if (chatter != null) {
      chatter.join(10_000);
    }
    friend.close();
    node.close();
    Nodes.assertNoThreadsOf(node);
    Nodes.assertNoThreadsOf(friend);
  }

  private static long openFds() throws IOException {
    Path fd = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fd)) {
      return -1; // No /proc: the check is skipped.
    }
    try (Stream<Path> s = Files.list(fd)) {
      return s.count();
    }
  }

  /** After an attack: the node is fine, the friend unaffected, nothing leaked. */
  private void assertUnharmed(int roundTripsBefore, String attack) throws Exception {
    Await.until(attack + ": stranger connections gone, " + node.stats(), () -> node.stats().handshaking() == 0
        && node.stats().connections() == 1);
    int target = roundTripsNanos.size() + 5;
    Await.until(attack + ": friend still chats " + chatterFailures, () -> roundTripsNanos.size() >= target
        || !chatterFailures.isEmpty());
    assertTrue(chatterFailures.isEmpty(), attack + ": " + chatterFailures);
    assertTrue(node.isRunning());
    assertTrue(friendDisconnects.isEmpty(), attack + ": friend disconnected " + friendDisconnects);
    assertEquals(1, friend.peers().size());
    List<Long> during = new ArrayList<>(roundTripsNanos.subList(roundTripsBefore, roundTripsNanos.size()));
    long p99 = percentile(during, 0.99);
    System.out.printf("HOSTILE %s: friend round trips %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", attack,
        during.size(), percentile(during, 0.5) / 1e6, p99 / 1e6, percentile(during, 1.0) / 1e6);
    assertTrue(p99 < TimeUnit.MILLISECONDS.toNanos(P99_BOUND_MS), attack + ": friend p99 " + p99 / 1e6 + " ms");
    assertEquals(threadsBefore, Nodes.threadsOf(node), attack + ": node threads");
    if (fdsBefore >= 0) {
      // Small tolerance: the JVM opens files of its own (class loading, GC logs).
      Await.until(attack + ": file descriptors back to " + fdsBefore, () -> {
        try {
          return openFds() <= fdsBefore + 8;
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
    }
  }

  static long percentile(List<Long> values, double p) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int i = (int) Math.ceil(p * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  /** A blocking socket from another 127.x source address, so the friend's address is never limited. */
  private Socket stranger(int lastOctet) throws IOException {
    Socket s = new Socket();
    try {
      s.bind(new InetSocketAddress("127.0.0." + lastOctet, 0));
    } catch (java.net.BindException e) {
      s.close();
      org.junit.jupiter.api.Assumptions.abort("no 127.0.0." + lastOctet + " on this platform (Linux has all of 127/8)");
    }
    s.connect(node.localAddress(), 5000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Reads until the node closes the socket (EOF or reset); false if it stays open 10 s. */
  private static boolean closedByNode(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (in.read(buf) >= 0) {
        // Discard the node's HELLO.
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private static byte[] frame(FrameType type, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).putInt(body.length + 1).put((byte) type.code()).put(body).array();
  }

  private static byte[] hello(String name) {
    return frame(FrameType.HELLO, RawPeer.hello(PeerId.random(), name, PeerNode.DEFAULT_GROUP));
  }

  private void attack(String name, List<byte[]> payloads, boolean eofAfter) throws Exception {
    int before = roundTripsNanos.size();
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < payloads.size(); i++) {
        Socket s = stranger(2 + i % 8);
        sockets.add(s);
        try {
          s.getOutputStream().write(payloads.get(i));
          if (eofAfter) {
            s.shutdownOutput();
          }
        } catch (IOException e) {
          // The node may have closed it already: that is what we want.
        }
      }
      for (Socket s : sockets) {
        assertTrue(closedByNode(s), name + ": node must close the connection");
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    assertUnharmed(before, name);
  }

  @Test
  void randomBytesAreDroppedWhileTheFriendChats() throws Exception {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      byte[] b = new byte[1 + random.nextInt(i % 3 == 0 ? 64 : 20_000)];
      random.nextBytes(b);
      payloads.add(b);
    }
    attack("random bytes", payloads, false);
    assertTrue(node.stats().rejected(DisconnectReason.Kind.NOT_A_PEER)
        + node.stats().rejected(DisconnectReason.Kind.HANDSHAKE_TIMEOUT) >= payloads.size(), node.stats().toString());
  }

  @Test
  void oversizedLengthsAreDroppedWhileTheFriendChats() throws Exception {
    List<byte[]> payloads = new ArrayList<>();
    int afterHandshake = 0;
    for (int length : new int[] {4097, 65_536, 16 * 1024 * 1024 + 1, Integer.MAX_VALUE, -1, 0x47455420}) {
      payloads.add(ByteBuffer.allocate(5).putInt(length).put((byte) 1).array());
      // The same after a valid handshake: refused against maxFrameSize (16 MiB) with BYE 7.
      byte[] h = hello("big" + length);
      ByteBuffer b = ByteBuffer.allocate(h.length + 5);
      b.put(h).putInt(length).put((byte) FrameType.TEXT.code());
      if (Integer.toUnsignedLong(length) > PeerNodeBuilder.DEFAULT_MAX_FRAME_SIZE) {
        payloads.add(b.array());
        afterHandshake++;
      }
    }
    attack("oversized lengths", payloads, false);
    long expected = afterHandshake;
    Await.until("frame-too-long disconnects " + nodeDisconnects, () -> nodeDisconnects.stream()
        .filter(d -> d.kind() == DisconnectReason.Kind.FRAME_TOO_LONG).count() == expected);
  }

  @Test
  void truncatedFramesAreDroppedWhileTheFriendChats() throws Exception {
    byte[] h = hello("cut");
    List<byte[]> payloads = new ArrayList<>();
    for (int cut : new int[] {1, 3, 4, 5, 10, h.length - 1}) {
      payloads.add(java.util.Arrays.copyOf(h, cut)); // truncated HELLO, then EOF
    }
    for (int i = 0; i < 4; i++) {
      // A handshake, then a frame cut short, then EOF: nothing partial is delivered.
      byte[] hi = hello("cut" + i);
      ByteBuffer b = ByteBuffer.allocate(hi.length + 9);
      b.put(hi).putInt(100).put((byte) FrameType.TEXT.code()).put("half".getBytes());
      payloads.add(b.array());
    }
    long floodBefore = floodReceived.get();
    attack("truncated frames + EOF", payloads, true);
    assertEquals(floodBefore, floodReceived.get(), "no partial message delivered");
    // And the same without EOF: the handshake timeout drops them.
    attack("truncated HELLO, then silence", payloads.subList(0, 6), false);
    assertTrue(node.stats().rejected(DisconnectReason.Kind.HANDSHAKE_TIMEOUT) >= 6, node.stats().toString());
  }

  @Test
  void slowlorisIsDroppedByTheHandshakeTimeout() throws Exception {
    int before = roundTripsNanos.size();
    byte[] h = hello("slow");
    List<Socket> sockets = new ArrayList<>();
    List<Long> droppedAfterMs = new ArrayList<>();
    long start = System.nanoTime();
    try {
      for (int i = 0; i < 10; i++) {
        Socket s = stranger(2 + i % 8);
        s.setSoTimeout(1);
        sockets.add(s);
      }
      boolean[] closed = new boolean[sockets.size()];
      int open = sockets.size();
      long deadline = start + HANDSHAKE_TIMEOUT.toNanos() * 6;
      // One byte of a valid HELLO every 250 ms on each socket (a handshake that would take ~20 s).
      for (int tick = 0; open > 0 && System.nanoTime() < deadline; tick++) {
        for (int i = 0; i < sockets.size(); i++) {
          if (!closed[i] && (isClosed(sockets.get(i)) || !writeByte(sockets.get(i).getOutputStream(), h[tick % h.length]))) {
            closed[i] = true;
            open--;
            droppedAfterMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
          }
        }
        long next = start + TimeUnit.MILLISECONDS.toNanos(250L * (tick + 1));
        Await.until("next slowloris byte", Duration.ofSeconds(5), () -> System.nanoTime() >= next);
      }
      assertEquals(0, open, "slowloris connections still open after " + droppedAfterMs);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
    long worst = droppedAfterMs.stream().mapToLong(Long::longValue).max().orElse(0);
    System.out.println("HOSTILE slowloris: 10 connections dropped after " + droppedAfterMs + " ms (handshake timeout "
        + HANDSHAKE_TIMEOUT.toMillis() + " ms)");
    assertTrue(worst <= HANDSHAKE_TIMEOUT.toMillis() + 2500, "dropped after " + worst + " ms");
    assertTrue(node.stats().rejected(DisconnectReason.Kind.HANDSHAKE_TIMEOUT) >= 10, node.stats().toString());
    assertUnharmed(before, "slowloris");
  }

  private static boolean isClosed(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    try {
      while (true) {
        if (in.read(buf) < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static boolean writeByte(OutputStream out, byte b) {
    try {
      out.write(b);
      out.flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void aFloodOfValidFramesFromOnePeerKeepsTheFriendsLatencyBounded() throws Exception {
    int before = roundTripsNanos.size();
    long floodBytes = 0;
    long frames = 0;
    try (Socket s = stranger(9)) {
      OutputStream out = s.getOutputStream();
      out.write(hello("flooder"));
      Await.until("flooder registered", () -> node.peers().size() == 2);
      // 64 KiB writes of 100-byte TEXT frames, as fast as the node takes them, for 2 s.
      ByteBuffer batch = ByteBuffer.allocate(64 * 1024 / 105 * 105);
      byte[] body = new byte[100];
      java.util.Arrays.fill(body, (byte) 'f');
      while (batch.hasRemaining()) {
        batch.put(frame(FrameType.TEXT, body));
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      while (System.nanoTime() < end) {
        out.write(batch.array());
        floodBytes += batch.capacity();
        frames += batch.capacity() / 105;
      }
      long sent = frames;
      long lag = sent - floodReceived.get();
      Runtime rt = Runtime.getRuntime();
      long heap = rt.totalMemory() - rt.freeMemory();
      long drainStart = System.nanoTime();
      Await.until("flood delivered (" + floodReceived.get() + " of " + sent + ")", Duration.ofSeconds(30),
          () -> floodReceived.get() == sent);
      System.out.printf("HOSTILE flood: at its end %d frames not yet delivered, heap used %.1f MB; delivered %d ms later%n",
          lag, heap / 1e6, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drainStart));
    }
    Await.until("flooder gone", () -> node.peers().size() == 1);
    System.out.printf("HOSTILE flood: %d frames, %.1f MB in 2 s from one peer%n", frames, floodBytes / 1e6);
    assertUnharmed(before, "flood of valid frames");
  }
}
