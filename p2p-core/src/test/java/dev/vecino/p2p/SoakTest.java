package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Five nodes, random connects (both directions, so simultaneous connects happen), disconnects
 * and bursts of sends, for {@code vecino.soak.duration} (10 s in the normal build, 10 min with
 * {@code -Psoak}). Invariants, per session (one sender's handle of one peer): messages
 * arrive at most once, and in order on each connection (the handle can switch connections
 * when a simultaneous connect is resolved; order across that switch is only counted and
 * printed, see docs/reliability.md); a message whose {@code send} future succeeded
 * is received; one whose future failed is not; on sessions that stayed up every message
 * arrives. No leaked threads or file descriptors.
 *
 * <p>The random seed is printed, and in every failure message; replay with
 * {@code -Dvecino.soak.seed=<seed>}. Nodes listen on 127.0.1.1 to 127.0.1.5, so connections
 * spread over five destinations and TIME_WAIT never exhausts the ephemeral ports.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class SoakTest {

  private static final int NODES = 5;
  private static final int MAX_OUTSTANDING = 400;

  /** Received {sequence number, sender's connection tag} per "sender>receiver#session". */
  private final Map<String, List<long[]>> received = new ConcurrentHashMap<>();
  /** Out-of-order pairs across a connection switch (allowed, counted). */
  private long switchReorders;
  private final List<String> errors = new CopyOnWriteArrayList<>();

  /** One message sent: its sequence number and its future. */
  private record Sent(long seq, CompletableFuture<Void> future) {}

  private static Duration duration() {
    String d = System.getProperty("vecino.soak.duration", "");
    return d.isBlank() ? Duration.ofSeconds(10) : Duration.parse(d);
  }

  private static long seed() {
    Long s = Long.getLong("vecino.soak.seed");
    return s != null ? s : System.nanoTime();
  }

  private static long openFds() throws IOException {
    Path fd = Path.of("/proc/self/fd");
    if (!Files.isDirectory(fd)) {
      return -1;
    }
    try (Stream<Path> s = Files.list(fd)) {
      return s.count();
    }
  }

  private PeerListener recorder(String receiver) {
    return new PeerListener() {
      @Override
      public void onMessage(Message m) {
        ByteBuffer b = m.payload();
        if (b.remaining() < 24) {
          errors.add(receiver + ": short message from " + m.sender().name());
          return;
        }
        long session = b.getLong(b.position());
        long seq = b.getLong(b.position() + 8);
        long tag = b.getLong(b.position() + 16);
        received.computeIfAbsent(m.sender().name() + ">" + receiver + "#" + session,
            k -> new CopyOnWriteArrayList<>()).add(new long[] {seq, tag});
      }
    };
  }

  @Test
  void randomConnectsDisconnectsAndSendsKeepEveryDeliveryPromise() throws Exception {
    long seed = seed();
    Duration duration = duration();
    String replay = "seed " + seed + " (replay: -Dvecino.soak.seed=" + seed + " -Dvecino.soak.duration=" + duration + ")";
    System.out.println("SOAK " + replay);
    Random random = new Random(seed);
    long fdsBefore = openFds();
    PeerNode[] nodes = new PeerNode[NODES];
    Map<Peer, Long> sessions = new IdentityHashMap<>();
    Map<String, List<Sent>> sent = new HashMap<>();
    Map<String, Peer> sessionPeer = new HashMap<>();
    List<CompletableFuture<?>> outstanding = new ArrayList<>();
    long connects = 0;
    long disconnects = 0;
    long messages = 0;
    long bytes = 0;
    try {
      for (int i = 0; i < NODES; i++) {
        String name = "soak-" + i;
        try {
          nodes[i] = Nodes.local(name).bindAddress("127.0.1." + (i + 1)).heartbeatInterval(Duration.ofSeconds(1))
              .listener(recorder(name)).build().start();
        } catch (ConfigurationException e) {
          org.junit.jupiter.api.Assumptions.abort("cannot bind 127.0.1." + (i + 1) + " (Linux has all of 127/8): " + e);
        }
      }
      long end = System.nanoTime() + duration.toNanos();
      long nextSession = 1;
      while (System.nanoTime() < end && errors.isEmpty()) {
        int i = random.nextInt(NODES);
        int op = random.nextInt(100);
        List<Peer> peers = nodes[i].connectedPeers();
        if (op < 20 || peers.isEmpty()) {
          int j = (i + 1 + random.nextInt(NODES - 1)) % NODES;
          outstanding.add(nodes[i].connect(nodes[j].localAddress()));
          connects++;
        } else if (op < 28) {
          Peer p = peers.get(random.nextInt(peers.size()));
          outstanding.add(nodes[i].disconnect(p));
          disconnects++;
        } else {
          Peer p = peers.get(random.nextInt(peers.size()));
          Long session = sessions.get(p);
          if (session == null) {
            session = nextSession++;
            sessions.put(p, session);
          }
          String key = nodes[i].identity().name() + ">" + p.name() + "#" + session;
          sessionPeer.put(key, p);
          List<Sent> list = sent.computeIfAbsent(key, k -> new ArrayList<>());
          int burst = 1 + random.nextInt(20);
          for (int k = 0; k < burst; k++) {
            // Mostly small, sometimes over 4 KiB (a frame larger than a HELLO).
            int size = 24 + (random.nextInt(10) == 0 ? random.nextInt(20_000) : random.nextInt(200));
            // Which connection the handle uses now, as far as the sender can see.
            long tag = (p.remoteAddress().toString() + p.direction()).hashCode();
            ByteBuffer payload = ByteBuffer.allocate(size).putLong(session).putLong(list.size() + 1L).putLong(tag);
            CompletableFuture<Void> f = nodes[i].send(p, MessageKind.BINARY, payload.array());
            list.add(new Sent(list.size() + 1L, f));
            outstanding.add(f);
            messages++;
            bytes += size;
          }
        }
        outstanding.removeIf(CompletableFuture::isDone);
        if (outstanding.size() > MAX_OUTSTANDING) {
          Await.until("outstanding operations complete, " + replay, Duration.ofSeconds(30),
              () -> outstanding.stream().filter(f -> !f.isDone()).count() < MAX_OUTSTANDING / 2);
        }
        // Pacing: a few hundred operations a second leave CPU for the nodes on a shared machine.
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
      }
      Await.until("every operation completes, " + replay, Duration.ofSeconds(30),
          () -> outstanding.stream().allMatch(CompletableFuture::isDone));
      // Quiesce: every successfully written message reaches its receiver (unless its
      // connection broke; checked below).
      Await.until("deliveries settle, " + replay, Duration.ofSeconds(20), () -> missing(sent).isEmpty());
      long sessionsUp = check(sent, sessionPeer, replay);
      long delivered = received.values().stream().mapToLong(List::size).sum();
      long duplicates = 0;
      for (PeerNode n : nodes) {
        duplicates += n.stats().rejected(DisconnectReason.Kind.DUPLICATE);
      }
      System.out.printf("SOAK %s: %s, %d connects, %d disconnects, %d messages (%.1f MB) sent, %d received, "
          + "%d sessions (%d still up at the end), %d duplicate connections resolved, %d reorderings across a "
          + "connection switch%n", replay, duration, connects, disconnects, messages, bytes / 1e6, delivered,
          sent.size(), sessionsUp, duplicates, switchReorders);
      assertTrue(errors.isEmpty(), replay + ": " + errors);
    } finally {
      for (PeerNode n : nodes) {
        if (n != null) {
          n.close();
        }
      }
    }
    for (PeerNode n : nodes) {
      Nodes.assertNoThreadsOf(n);
    }
    if (fdsBefore >= 0) {
      Await.until("file descriptors back to " + fdsBefore + ", " + replay, () -> {
        try {
          return openFds() <= fdsBefore + 8;
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
    }
  }

  /** Sessions with a message written (future succeeded) but not received. */
  private List<String> missing(Map<String, List<Sent>> sent) {
    List<String> out = new ArrayList<>();
    sent.forEach((key, list) -> {
      List<long[]> got = received.getOrDefault(key, List.of());
      long written = list.stream().filter(s -> isSuccess(s.future())).count();
      if (got.size() < written) {
        out.add(key);
      }
    });
    return out;
  }

  private static boolean isSuccess(CompletableFuture<Void> f) {
    return f.isDone() && !f.isCompletedExceptionally();
  }

  /** Checks every session; returns how many stayed up to the end. */
  private long check(Map<String, List<Sent>> sent, Map<String, Peer> sessionPeer, String replay) {
    long up = 0;
    for (Map.Entry<String, List<Sent>> e : sent.entrySet()) {
      String key = e.getKey();
      List<long[]> got = received.getOrDefault(key, List.of());
      java.util.Set<Long> gotSet = new java.util.HashSet<>();
      Map<Long, Long> lastPerConnection = new HashMap<>();
      for (int k = 0; k < got.size(); k++) {
        long seq = got.get(k)[0];
        long tag = got.get(k)[1];
        if (!gotSet.add(seq)) {
          errors.add(key + ": message " + seq + " received twice");
        }
        Long last = lastPerConnection.put(tag, seq);
        if (last != null && seq <= last) {
          errors.add(key + ": out of order on one connection: " + last + " then " + seq);
        }
        if (k > 0 && seq < got.get(k - 1)[0]) {
          switchReorders++;
        }
      }
      for (Sent s : e.getValue()) {
        boolean ok = isSuccess(s.future());
        if (ok && !gotSet.contains(s.seq())) {
          errors.add(key + ": message " + s.seq() + " written but never received");
        } else if (!ok && gotSet.contains(s.seq())) {
          errors.add(key + ": message " + s.seq() + " received although its send failed: "
              + s.future().handle((v, t) -> t).join());
        }
      }
      Peer p = sessionPeer.get(key);
      if (p.state() == PeerState.CONNECTED) {
        up++;
        if (got.size() != e.getValue().size()) {
          errors.add(key + ": connection stayed up but " + got.size() + " of " + e.getValue().size() + " arrived");
        }
      }
      if (errors.size() > 20) {
        break;
      }
    }
    return up;
  }
}
