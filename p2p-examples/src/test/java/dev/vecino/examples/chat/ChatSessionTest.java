package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.scan.Scanner;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session's menu, help and node-failure handling, over a scripted console and real nodes
 * on 127.0.0.1. Scans go to a recording {@link Scanner}: nothing is probed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatSessionTest {

  private final ScriptedConsole console = new ScriptedConsole();
  private final AliasStore aliases = AliasStore.inMemory(Map.of());
  private final ChatFormat format = new ChatFormat(Clock.systemUTC(), false, aliases);
  private final List<Scanner.Request> scans = new CopyOnWriteArrayList<>();
  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private PeerNode me;
  private PeerNode bob;
  private ChatSession session;

  @BeforeEach
  void start() throws Exception {
    me = PeerNode.builder().name("ana").bindAddress("127.0.0.1").port(0)
        .listener(new ChatEvents(console, format))
        .listener(new PeerListener() {
          @Override
          public void onMessage(Message m) {
            if (m.text().equals("die")) {
              throw new Error("injected: the listener dies");
            }
          }
        })
        .build().start();
    bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1").port(0)
        .listener(new PeerListener() {
          @Override
          public void onMessage(Message m) {
            messages.add(m.kind() + " " + m.text());
          }
        })
        .build().start();
    session = new ChatSession(me, console, format,
        new ChatActions(me, console, format, aliases, Duration.ofSeconds(5),
            e -> { }),
        new ChatScan(me, console, format, recordingScanner()));
  }

  @AfterEach
  void stop() {
    me.close();
    bob.close();
  }

  @Test
  void helpAlignsItsDescriptionsAndListsEveryCommand() {
    int column = -1;
    for (String line : ChatSession.HELP) {
      int gap = line.indexOf("  ", 2);
      assertTrue(gap > 0, "no description: " + line);
      int description = gap + 2;
      while (line.charAt(description) == ' ') {
        description++;
      }
      if (column < 0) {
        column = description;
      }
      assertEquals(column, description, "misaligned: " + line);
      assertTrue(line.length() <= 80, "too wide: " + line);
    }
    String all = String.join("\n", ChatSession.HELP);
    for (String command : InputParser.COMMANDS) {
      if (!command.equals("/help")) {
        assertTrue(all.contains("  " + command), command + " missing from /help");
      }
    }
    assertTrue(all.contains("  //text "), all);
    assertTrue(all.lines().anyMatch(l -> l.startsWith("  /disconnect ") && l.contains("disconnect one")),
        all);
  }

  @Test
  void anEmptyAnswerCancelsEveryMenuItem() throws Exception {
    connectBob();
    for (int item : new int[] {1, 2, 3, 5, 6, 7, 8}) {
      console.clear();
      // Items that first ask which peer get a second run with an empty second answer.
      console.answer("");
      session.handle(new ChatInput.MenuItem(item));
      assertEquals(1, count("cancelled"), "item " + item + ": " + console.lines());
    }
    for (int item : new int[] {3, 6, 7}) {
      console.clear();
      console.answer("1", "");
      session.handle(new ChatInput.MenuItem(item));
      assertEquals(1, count("cancelled"), "item " + item + ": " + console.lines());
    }
    assertEquals(1, me.peers().size(), "still connected: " + console.lines());
    assertTrue(scans.isEmpty(), "nothing scanned: " + scans);
    assertTrue(aliases.all().isEmpty(), "no alias set: " + aliases.all());
    assertTrue(messages.isEmpty(), "nothing sent: " + messages);
  }

  @Test
  void itemEightDisconnectsAllOnlyWhenAskedTo() throws Exception {
    connectBob();
    console.answer("all");
    session.handle(new ChatInput.MenuItem(8));
    console.await(l -> l.contains("disconnected all (1)"));
    assertTrue(me.peers().isEmpty());
  }

  @Test
  void itemFiveScansWhatIsTypedAndTheOwnSubnetsOnlyWhenAskedTo() throws Exception {
    console.answer("127.0.0.1 --port 9998");
    session.handle(new ChatInput.MenuItem(5));
    console.answer("own");
    session.handle(new ChatInput.MenuItem(5));
    console.answer("--port 9998");
    session.handle(new ChatInput.MenuItem(5));
    assertEquals(2, scans.size(), scans.toString());
    assertEquals("127.0.0.1", scans.get(0).targets());
    assertEquals("9998", scans.get(0).ports());
    assertNull(scans.get(1).targets(), "own: the node's subnets");
    assertNull(scans.get(1).ports());
    assertEquals(1, count("error: no targets: type them (e.g. 192.168.1.0/24) or 'own'"),
        console.lines().toString());
    console.await(l -> l.contains("scanning 127.0.0.1 on port 9998"));
    console.await(l -> l.contains("scanning your own subnets on port " + me.localAddress().getPort()
        + ": 127.0.0.0/8 (lo)"));
  }

  @Test
  void aDashAnswersNoneForAnAliasAndACallText() throws Exception {
    Peer peer = connectBob();
    aliases.put(peer.id(), "roberto");
    console.answer("1", "-");
    session.handle(new ChatInput.MenuItem(6));
    console.await(l -> l.contains("alias of roberto cleared; now bob"));
    console.answer("bob", "-");
    session.handle(new ChatInput.MenuItem(7));
    console.await(l -> l.endsWith("you called bob"));
    assertEquals("CALL ", messages.poll(10, TimeUnit.SECONDS));
  }

  @Test
  void aFailedNodeEndsTheChatWithExitCodeOne() throws Exception {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    session.exitOnNodeFailure(exit::complete);
    Peer ana = bob.connect(me.localAddress()).get(5, TimeUnit.SECONDS);
    bob.send(ana, "die").get(5, TimeUnit.SECONDS);
    assertEquals(1, exit.get(10, TimeUnit.SECONDS));
    String line = console.await(l -> l.contains("error: "));
    assertTrue(line.matches("\\[\\d\\d:\\d\\d:\\d\\d] error: node ana/[0-9a-f]{8} failed: .*"
        + "java.lang.Error: injected: the listener dies; the chat ends \\(exit code 1\\)"), line);
    assertTrue(session.failed());
    console.clear();
    session.shutdown();
    assertEquals(List.of(), console.lines(), "no goodbye after a failure");
  }

  @Test
  void aClosedNodeLeavesTheExitToTheSession() throws Exception {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    session.exitOnNodeFailure(exit::complete);
    session.shutdown();
    assertTrue(me.closeFuture().isDone());
    try {
      exit.get(300, TimeUnit.MILLISECONDS);
      throw new AssertionError("exit called after a normal close");
    } catch (TimeoutException expected) {
      // A normal close: the session returns and the chat exits 0 as before.
    }
    assertFalse(session.failed());
    assertTrue(console.lines().get(console.lines().size() - 1).endsWith("bye"), console.lines().toString());
  }

  private Peer connectBob() throws Exception {
    Peer peer = me.connect(bob.localAddress()).get(5, TimeUnit.SECONDS);
    console.await(l -> l.contains("+ bob joined"));
    return peer;
  }

  private long count(String text) {
    return console.lines().stream().filter(l -> l.contains(text)).count();
  }

  private Scanner recordingScanner() {
    return new Scanner() {
      @Override
      public List<String> defaultTargets(PeerNode node) {
        return new ArrayList<>(List.of("127.0.0.0/8 (lo)"));
      }

      @Override
      public Job start(PeerNode node, Request request, Progress progress) {
        scans.add(request);
        return new Job() {
          @Override
          public CompletableFuture<Outcome> result() {
            return CompletableFuture.completedFuture(
                new Outcome(List.of(), 1, 0, Duration.ofMillis(1), false));
          }

          @Override
          public void cancel() {}
        };
      }
    };
  }
}
