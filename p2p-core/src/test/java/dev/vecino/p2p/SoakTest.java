package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Five nodes on one wire (secure, the default, and plaintext; each run), random connects (both directions, so simultaneous connects happen), disconnects
 * and bursts of sends, for {@code vecino.soak.duration} (10 s in the normal build, 10 min with
 * {@code -Psoak}). Invariants, per session (one sender's handle of one peer): messages
 * arrive at most once, and in order on each connection (the handle can switch connections
 * when a simultaneous connect is resolved; order across that switch is only counted and
 * printed, see docs/reliability.md); a message whose {@code send} future succeeded
 * is received; one whose future failed is not; on sessions that stayed up every message
 * arrives. No leaked threads or file descriptors. The checks are {@link SoakLedger}'s (which
 * connection a message went on: the one its handle showed just before and just after the send).
 *
 * <p>The random seed is printed, and in every failure message; replay with
 * {@code -Dvecino.soak.seed=<seed>} (and {@code -Dvecino.soak.wires=TLS} or {@code PLAINTEXT}
 * for the one wire). Nodes listen on 127.0.1.1 to 127.0.1.5, so connections
 * spread over five destinations and TIME_WAIT never exhausts the ephemeral ports.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class SoakTest {

  private static final int NODES = 5;
  private static final int MAX_OUTSTANDING = 400;

  /** Sent and received messages per "sender>receiver#session". */
  private final SoakLedger ledger = new SoakLedger();
  private final List<String> errors = new CopyOnWriteArrayList<>();

  private static Duration duration() {
    String d = System.getProperty("vecino.soak.duration", "");
    return d.isBlank() ? Duration.ofSeconds(10) : Duration.parse(d);
  }

  /** The wires to soak ({@code vecino.soak.wires}, comma-separated; both by default). */
  private static boolean soaks(Wire wire) {
    String w = System.getProperty("vecino.soak.wires", "");
    return w.isBlank() || Arrays.asList(w.toUpperCase(Locale.ROOT).split("\\s*,\\s*")).contains(wire.name());
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
        if (b.remaining() < 16) {
          errors.add(receiver + ": short message from " + m.sender().name());
          return;
        }
        long session = b.getLong(b.position());
        long seq = b.getLong(b.position() + 8);
        ledger.received(m.sender().name() + ">" + receiver + "#" + session, seq);
      }
    };
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void randomConnectsDisconnectsAndSendsKeepEveryDeliveryPromise(Wire wire) throws Exception {
    Assumptions.assumeTrue(soaks(wire), "-Dvecino.soak.wires leaves out " + wire);
    long seed = seed();
    Duration duration = duration();
    String replay = wire + ", seed " + seed + " (replay: -Dvecino.soak.seed=" + seed + " -Dvecino.soak.duration="
        + duration + ")";
    System.out.println("SOAK " + replay);
    Random random = new Random(seed);
    long fdsBefore = openFds();
    PeerNode[] nodes = new PeerNode[NODES];
    Map<Peer, Long> sessions = new IdentityHashMap<>();
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
          // Over TLS the connects outrun what two cores can handshake: most time out, and the
          // ones that complete do so late, which is the point (see docs/reliability.md section 6).
          nodes[i] = wire.node(name).bindAddress("127.0.1." + (i + 1)).heartbeatInterval(Duration.ofSeconds(1))
              .listener(recorder(name)).build().start();
        } catch (ConfigurationException e) {
          Assumptions.abort("cannot bind 127.0.1." + (i + 1) + " (Linux has all of 127/8): " + e);
        }
      }
      long end = System.nanoTime() + duration.toNanos();
      long nextSession = 1;
      while (System.nanoTime() < end && errors.isEmpty()) {
        int i = random.nextInt(NODES);
        int op = random.nextInt(100);
        List<Peer> peers = nodes[i].peers();
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
          int burst = 1 + random.nextInt(20);
          for (int k = 0; k < burst; k++) {
            // Mostly small, sometimes over 4 KiB (a frame larger than a HELLO).
            int size = 24 + (random.nextInt(10) == 0 ? random.nextInt(20_000) : random.nextInt(200));
            long seq = ledger.nextSeq(key);
            ByteBuffer payload = ByteBuffer.allocate(size).putLong(session).putLong(seq);
            // Which connection the handle uses, just before and just after the send: the I/O
            // thread may switch it in between (a simultaneous connect resolved), and then the
            // message may have gone on either.
            long before = SoakLedger.tag(p);
            CompletableFuture<Void> f = nodes[i].send(p, MessageKind.BINARY, payload.array());
            ledger.sent(key, new SoakLedger.Sent(seq, before, SoakLedger.tag(p), f));
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
      Await.until("deliveries settle, " + replay, () -> ledger.missing().isEmpty(),
          () -> ledger.missing().stream().limit(5).map(k -> ledger.describe(k) + " " + sessionPeer.get(k).snapshot())
              .toList(), Duration.ofSeconds(20));
      Set<String> up = new HashSet<>();
      sessionPeer.forEach((key, p) -> {
        if (p.state() == PeerState.CONNECTED) {
          up.add(key);
        }
      });
      long sessionsUp = up.size();
      errors.addAll(ledger.check(up::contains, 20));
      long delivered = ledger.delivered();
      long duplicates = 0;
      for (PeerNode n : nodes) {
        duplicates += n.stats().rejected(DisconnectReason.Kind.DUPLICATE);
      }
      System.out.printf("SOAK %s: %s, %d connects, %d disconnects, %d messages (%.1f MB) sent, %d received, "
          + "%d sessions (%d still up at the end), %d duplicate connections resolved, %d reorderings across a "
          + "connection switch, %d messages sent while their handle switched%n", replay, duration, connects,
          disconnects, messages, bytes / 1e6, delivered, ledger.sessions(), sessionsUp, duplicates,
          ledger.switchReorders(), ledger.unknownConnection());
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
}
