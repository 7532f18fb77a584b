package dev.vecino.p2p.testkit.hostile;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log floods (issue 14): a hostile host makes a node log at INFO or WARN once per connection
 * (or per message) it opens, at a rate it chooses. Against a node in a child JVM whose
 * slf4j-simple log goes to a file: 200 HTTP requests from 4 addresses, ~200 silent connections
 * from 16 addresses timed out by a 150 ms handshake timeout, 40 peers that break the protocol
 * after their handshake, 100 messages the application's listener throws on, and 30 claims of a
 * connected peer's id, while a legitimate peer from another address keeps chatting. Before the
 * log budget the node wrote one line per event (661 INFO and WARN lines); now each kind gets the
 * first {@value #BUDGET} lines of a {@value #WINDOW_SECONDS} s window and one summary line with
 * the count of the rest, which {@code stats().logLinesSuppressed()} also holds (46 lines).
 */
@Timeout(60)
class LogFloodAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 91);
  /** Lines per kind and window, and the window: README, "Logging". */
  private static final int BUDGET = 10;
  private static final long WINDOW_SECONDS = 10;
  /** Kinds of line this attack causes: rejected connections, protocol violations, listener failures, id claims. */
  private static final int KINDS = 4;
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Pattern LEVELLED = Pattern.compile("^(ERROR|WARN|INFO) ");
  private static final Pattern SUMMARY = Pattern.compile(": (\\d+) more .* suppressed in the last ");
  private static final byte[] HTTP = "GET / HTTP/1.1\r\nHost: vecino\r\n\r\n".getBytes(US_ASCII);

  private final List<Message> atFriend = new CopyOnWriteArrayList<>();

  @Test
  void ruleBreakingConnectionsLogAtMostTheBudgetWhileAFriendChats(@TempDir Path dir) throws Exception {
    Path logFile = dir.resolve("node.log");
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    long born = System.nanoTime();
    Process child = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.logFile=" + logFile,
        "-Dorg.slf4j.simpleLogger.showThreadName=false", "-cp", System.getProperty("java.class.path"),
        LoggedNode.class.getName(), BLOCK.host(1), "150", "--plaintext").redirectErrorStream(true).start();
    List<String> output = new ArrayList<>();
    // Plaintext: the attack claims the friend's id, which only a plaintext node lets a peer try.
    try (TestNodes nodes = TestNodes.plaintext();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Writer stdin = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
      String first = out.readLine();
      assertTrue(first != null && first.startsWith("PORT "), "child said: " + first);
      InetSocketAddress target = BLOCK.socket(1, Integer.parseInt(first.substring(5).trim()));
      PeerNode friend = nodes.start(BLOCK.host(2), 0, b -> b.name("friend").onMessage(atFriend::add));
      Peer node = friend.connect(target).get(10, TimeUnit.SECONDS);

      try (Chat chat = new Chat(friend, node)) {
        httpRequests(target, 4, 50);
        List<InetAddress> silent = PendingFloodAttackTest.sources(new LoopbackBlock(6, 92), 16);
        try (SilentFlood flood = new SilentFlood(target, silent, 4).start()) {
          Await.until("200 silent connections timed out", Duration.ofSeconds(20), () -> flood.closedByNode() >= 200);
        }
        for (int i = 0; i < 40; i++) {
          protocolViolation(target, i);
        }
        listenerFailures(target, 100);
        for (int i = 0; i < 30; i++) {
          claim(target, friend.identity().id(), i);
        }
        chat.awaitRounds(chat.rounds() + 2);
        assertNull(chat.failure(), "the friend's chat failed");
        assertTrue(chat.rounds() >= 5, "rounds: " + chat.rounds());
      }
      stdin.close();
      String line;
      while ((line = out.readLine()) != null) {
        output.add(line);
      }
      assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child exits");
    } finally {
      child.destroyForcibly();
    }
    long windows = (TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - born) + WINDOW_SECONDS) / WINDOW_SECONDS;
    String stats = output.stream().filter(l -> l.startsWith("STATS ")).findFirst().orElseThrow(
        () -> new AssertionError("no STATS line: " + output));
    List<String> log = Files.readAllLines(logFile);
    List<String> levelled = log.stream().filter(l -> LEVELLED.matcher(l).find()).toList();
    String shown = String.join("\n", levelled);

    assertTrue(stat(stats, "NOT_A_PEER") >= 200 && stat(stats, "HANDSHAKE_TIMEOUT") >= 200
        && stat(stats, "DUPLICATE") >= 30, "the attack happened: " + stats);
    // Started and closed, plus per kind and window the budget and one summary.
    long allowed = 2 + KINDS * windows * (BUDGET + 1);
    assertTrue(levelled.size() <= allowed, levelled.size() + " INFO/WARN lines in " + windows
        + " window(s), allowed " + allowed + ":\n" + shown);
    // The first lines of each kind are logged whole.
    assertTrue(count(levelled, "rejected inbound connection from") >= 1, shown);
    assertTrue(levelled.stream().anyMatch(l -> l.contains("an HTTP request")), shown);
    assertTrue(count(levelled, "HELLO after the handshake") >= 1, shown);
    assertTrue(count(levelled, "listener failed") >= 1, shown);
    assertTrue(count(levelled, "ids are claimed, not proven") >= 1, shown);
    // Every line held back is counted, in the summaries and in stats().
    long summarized = 0;
    for (String l : levelled) {
      Matcher m = SUMMARY.matcher(l);
      if (m.find()) {
        summarized += Long.parseLong(m.group(1));
      }
    }
    assertTrue(summarized >= 400, "summaries count the rest:\n" + shown);
    assertEquals(stat(stats, "logLinesSuppressed"), summarized, stats);
  }

  /** {@code threads} sources, {@code each} HTTP requests from each; every one is closed at once. */
  private static void httpRequests(InetSocketAddress target, int threads, int each) throws Exception {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    List<Thread> all = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int source = 10 + t;
      Thread thread = new Thread(() -> {
        try {
          for (int i = 0; i < each; i++) {
            try (HostilePeer stranger = HostilePeer.to(target).from(BLOCK.address(source)).connect()) {
              stranger.sendRaw(HTTP);
              assertTrue(stranger.awaitClosed(WAIT), "closed at once");
            }
          }
        } catch (Throwable e) {
          failed.compareAndSet(null, e);
        }
      }, "test-http-" + t);
      all.add(thread);
      thread.start();
    }
    for (Thread thread : all) {
      thread.join(TimeUnit.SECONDS.toMillis(20));
    }
    assertNull(failed.get(), () -> "HTTP flood failed: " + failed.get());
  }

  /** A peer that completes its handshake, then sends a second HELLO: a protocol error, BYE, close. */
  private static void protocolViolation(InetSocketAddress target, int i) throws Exception {
    try (HostilePeer mallory = HostilePeer.to(target).from(BLOCK.address(20 + i % 4)).connect()) {
      mallory.handshake(PeerId.random(), "mallory", "vecino");
      mallory.send(HostilePeer.HELLO, HostilePeer.helloBody(PeerId.random(), 0, "again", "vecino"));
      assertTrue(mallory.awaitClosed(WAIT), "closed after the second HELLO");
    }
  }

  /** A peer sends {@code n} texts the application's listener throws on, then one it echoes. */
  private static void listenerFailures(InetSocketAddress target, int n) throws Exception {
    try (HostilePeer mallory = HostilePeer.to(target).from(BLOCK.address(30)).connect()) {
      mallory.handshake(PeerId.random(), "mallory", "vecino");
      for (int i = 0; i < n; i++) {
        mallory.sendText("boom");
      }
      mallory.sendText("done");
      HostilePeer.Frame echo = mallory.readUntil(HostilePeer.TEXT, WAIT);
      assertEquals("done", echo.text());
    }
  }

  /** A stranger claims the friend's id: the friend answers the check, the claimant is refused. */
  private static void claim(InetSocketAddress target, PeerId friendId, int i) throws Exception {
    try (HostilePeer mallory = HostilePeer.to(target).from(BLOCK.address(40 + i % 4)).connect()) {
      mallory.handshake(friendId, "friend", "vecino");
      HostilePeer.Frame bye = mallory.readUntil(HostilePeer.BYE, WAIT);
      assertEquals("already connected", bye.byeText());
    }
  }

  private static long count(List<String> lines, String part) {
    return lines.stream().filter(l -> l.contains(part)).count();
  }

  /** A number in the child's {@code NodeStats} line: {@code name=<n>}. */
  private static long stat(String stats, String name) {
    Matcher m = Pattern.compile("\\b" + name + "=(\\d+)").matcher(stats);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /**
   * The friend's side: a text every 20 ms, each echoed by the node within 5 s, on its own
   * thread for as long as the attack lasts.
   */
  private final class Chat implements AutoCloseable {
    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;
    private final Thread thread;

    Chat(PeerNode friend, Peer node) {
      thread = new Thread(() -> {
        try {
          // Bounded by close(), which the test reaches within its timeout.
          for (int n = 0; running; n++) {
            String text = "round " + n;
            friend.send(node, text).get(5, TimeUnit.SECONDS);
            Await.until("the node echoes " + text, WAIT,
                () -> atFriend.stream().anyMatch(m -> m.text().equals(text)));
            rounds.incrementAndGet();
            long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            Await.until("the next round is due", Duration.ofSeconds(1), () -> System.nanoTime() > next);
          }
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "test-friend-chat");
      thread.setDaemon(true);
      thread.start();
    }

    int rounds() {
      return rounds.get();
    }

    Throwable failure() {
      return failure.get();
    }

    void awaitRounds(int n) {
      Await.until(n + " chat rounds: " + atFriend.stream().map(Message::text).collect(Collectors.joining(", ")),
          WAIT, () -> rounds.get() >= n || failure.get() != null);
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join(10_000);
    }
  }
}
