package dev.vecino.p2p.testkit.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * PING reflection (issue 14, fault 1) against a node in a child JVM with
 * {@code -XX:MaxDirectMemorySize=16m}: for a few seconds one attacker floods 64-byte PINGs
 * and never reads (4 KiB receive buffer) while the node's application keeps its queue full,
 * and another sends a 1 MiB PING every 0.8 s, reconnecting after each BYE. Before the fix the
 * node queued a PONG per PING past {@code maxQueuedBytes} and its only I/O thread died of
 * {@code OutOfMemoryError: direct buffer memory} within a second. Now its direct memory stays
 * within the bound docs/reliability.md gives, its live heap far below its {@code -Xmx64m} and
 * its {@code vecino-*} threads at their number at start, each 1 MiB PING gets BYE 5, the node
 * stays up, and a legitimate peer from another address keeps exchanging messages with it and
 * reconnects, during and after.
 */
@Timeout(120)
class PingReflectionAttackIT {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 12);
  private static final int BOUND = 1024 * 1024;
  private static final Duration ATTACK = Duration.ofSeconds(4);
  private static final Duration WAIT = Duration.ofSeconds(5);
  /**
   * docs/reliability.md: per peer at most 2 x (maxQueuedBytes + 72 KiB) of direct memory, plus
   * the I/O thread's 256 KiB read buffer. Three peers at most at once (friend, flooder, one
   * big-PING attacker), and 1 MiB for what the JDK itself keeps and for the buffers of the
   * big-PING attacker's closed connections until the GC frees them.
   */
  private static final long DIRECT_BOUND = 3 * 2L * (BOUND + 72 * 1024) + 256 * 1024 + 1024 * 1024;
  /**
   * The child's live heap (after its own collections) stays below half its {@code -Xmx64m}:
   * nothing the attack sends is kept past the bounds, all of which are direct memory here.
   */
  private static final long HEAP_BOUND = 32L * 1024 * 1024;

  @ParameterizedTest
  @EnumSource(Wire.class)
  void pingFloodsKeepTheChildNodesDirectMemoryBoundedWhileAFriendChats(Wire wire) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process child = new ProcessBuilder(java, "-Xmx64m", "-XX:MaxDirectMemorySize=16m",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        AttackedNode.class.getName(), BLOCK.host(1), Integer.toString(BOUND), wire.flag()).redirectErrorStream(true).start();
    List<String> output = new CopyOnWriteArrayList<>();
    AtomicLong maxDirectSeen = new AtomicLong();
    try (TestNodes nodes = wire.nodes()) {
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      assertTrue(first != null && first.startsWith("PORT "), "child said: " + first);
      InetSocketAddress target = BLOCK.socket(1, Integer.parseInt(first.substring(5).trim()));
      Thread collector = new Thread(() -> {
        try {
          String line;
          while ((line = out.readLine()) != null) {
            output.add(line);
            int at = line.indexOf("direct=");
            if (line.startsWith("STAT ") && at >= 0) {
              long used = Long.parseLong(line.substring(at + 7, line.indexOf(' ', at)));
              maxDirectSeen.accumulateAndGet(used, Math::max);
            }
          }
        } catch (IOException e) {
          output.add("collector: " + e);
        }
      }, "test-child-output");
      collector.setDaemon(true);
      collector.start();

      // The child answers each TEXT with the same text.
      Friend friend = Friend.start(nodes, BLOCK.host(2), "friend");
      friend.connect(target);
      friend.exchange(3);

      long end = System.nanoTime() + ATTACK.toNanos();
      AtomicLong pings = new AtomicLong();
      AtomicReference<Throwable> floodFailed = new AtomicReference<>();
      Thread flood = new Thread(() -> {
        try (HostilePeer mallory = wire.to(target).from(BLOCK.address(7)).receiveBuffer(4096).connect()) {
          mallory.handshake("mallory", "vecino");
          byte[] body = new byte[64];
          while (System.nanoTime() < end) {
            mallory.send(HostilePeer.PING, body);
            pings.incrementAndGet();
          }
        } catch (Throwable e) {
          floodFailed.set(e);
        }
      }, "test-ping-flood");
      AtomicLong bigPings = new AtomicLong();
      AtomicLong byes = new AtomicLong();
      AtomicReference<Throwable> bigFailed = new AtomicReference<>();
      Thread big = new Thread(() -> {
        try {
          byte[] body = new byte[1024 * 1024];
          for (long next = System.nanoTime(); next < end; next += TimeUnit.MILLISECONDS.toNanos(800)) {
            long at = next;
            Await.until("the next big PING is due", Duration.ofSeconds(2), () -> System.nanoTime() > at);
            try (HostilePeer mallory = wire.to(target).from(BLOCK.address(8)).receiveBuffer(4096).connect()) {
              mallory.handshake("mallory-big", "vecino");
              bigPings.incrementAndGet();
              try {
                mallory.send(HostilePeer.PING, body);
              } catch (IOException e) {
                // The node may close before the whole megabyte is written: its BYE is read below.
              }
              HostilePeer.Frame bye = mallory.readUntil(HostilePeer.BYE, WAIT);
              assertEquals(5, bye.byeCode(), bye.toString());
              assertEquals("PING body of 1048576 bytes exceeds the limit of 64 bytes", bye.byeText());
              byes.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          bigFailed.set(e);
        }
      }, "test-big-pings");
      flood.start();
      big.start();
      int roundTrips = 0;
      while (System.nanoTime() < end) {
        if (roundTrips == 10) {
          friend.reconnect();
        }
        friend.exchange(1);
        roundTrips++;
      }
      flood.join(WAIT.toMillis());
      big.join(WAIT.toMillis());
      assertFalse(flood.isAlive() || big.isAlive(), "attackers stuck: the node stopped reading");
      System.out.println("PING REFLECTION child (-XX:MaxDirectMemorySize=16m, maxQueuedBytes " + BOUND + "): "
          + pings.get() + " PINGs of 64 B and " + bigPings.get() + " of 1 MiB (" + byes.get() + " BYE 5) in "
          + ATTACK.toMillis() + " ms; direct memory at most " + maxDirectSeen.get() + " B (bound " + DIRECT_BOUND
          + "); friend round trips " + roundTrips);
      assertEquals(null, floodFailed.get(), "flooder: " + floodFailed.get());
      assertEquals(null, bigFailed.get(), "big-PING attacker: " + bigFailed.get());
      assertTrue(pings.get() > 10_000, "a flood: " + pings.get());
      assertTrue(byes.get() >= 1 && byes.get() == bigPings.get(), "every 1 MiB PING got BYE 5");
      assertTrue(roundTrips >= 10, "friend round trips during the attack: " + roundTrips);

      // After the attack: still up, still chatting, and the friend gets in afresh.
      friend.checkIn(3);
      friend.assertNothingLost();
      System.out.println("PING REFLECTION " + friend);
    } finally {
      child.getOutputStream().close();
      if (!child.waitFor(20, TimeUnit.SECONDS)) {
        child.destroyForcibly();
      }
      // The child's log lines and its last figures, for the report (and for a failure).
      List<String> stats = output.stream().filter(l -> l.startsWith("STAT ")).toList();
      output.stream().filter(l -> !l.startsWith("STAT ")).limit(40).forEach(l -> System.out.println("CHILD " + l));
      stats.stream().skip(Math.max(0, stats.size() - 3)).forEach(l -> System.out.println("CHILD " + l));
    }
    Await.until("child's summary", WAIT, () -> output.stream().anyMatch(l -> l.startsWith("DONE ")));
    String done = output.stream().filter(l -> l.startsWith("DONE ")).findFirst().orElseThrow();
    System.out.println("PING REFLECTION child " + done);
    assertTrue(output.stream().noneMatch(l -> l.contains("OutOfMemoryError") || l.contains("died")),
        String.join("\n", output));
    assertTrue(done.endsWith("running=true"), done);
    long maxDirect = field(done, "maxDirect");
    assertTrue(maxDirect <= DIRECT_BOUND, "child's direct memory " + maxDirect + " B, bound " + DIRECT_BOUND);
    long maxHeap = field(done, "maxHeap");
    assertTrue(maxHeap > 0 && maxHeap <= HEAP_BOUND, "child's heap after its collections " + maxHeap + " B, bound "
        + HEAP_BOUND);
    assertEquals(field(done, "threads"), field(done, "maxThreads"), "child's vecino threads: " + done);
    assertEquals(0, child.exitValue(), String.join("\n", output));
  }

  /** The number after {@code name=} in a line of the child's. */
  private static long field(String line, String name) {
    int at = line.indexOf(" " + name + "=") + name.length() + 2;
    int end = line.indexOf(' ', at);
    return Long.parseLong(line.substring(at, end < 0 ? line.length() : end));
  }
}
