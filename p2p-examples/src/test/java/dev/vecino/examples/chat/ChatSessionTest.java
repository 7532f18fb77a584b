package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.scan.Scanner;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session's menu, help, answers and node-failure handling, over a scripted console (not a
 * terminal) and real nodes on 127.0.31.x. Scans go to a recording {@link Scanner}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatSessionTest {

  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private ChatFixture chat;
  private ScriptedConsole console;
  private ChatSession session;
  private PeerNode bob;

  @BeforeEach
  void start() {
    chat = new ChatFixture("127.0.31.1", false, null, new PeerListener() {
      @Override
      public void onMessage(Message m) {
        if (m.text().equals("die")) {
          throw new Error("injected: the listener dies");
        }
      }
    });
    console = chat.console;
    session = chat.session;
    bob = chat.peer("bob", "127.0.31.2", messages);
    chat.scanResult.complete(new Scanner.Outcome(List.of(), 1, 0, Duration.ofMillis(1), false));
  }

  @AfterEach
  void stop() {
    chat.close();
  }

  @Test
  void helpAlignsItsDescriptionsAndListsEveryCommand() {
    int column = -1;
    for (String line : ChatSession.help()) {
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
      assertTrue(line.length() <= 78, "too wide for 80 columns: " + line);
    }
    String all = String.join("\n", ChatSession.help());
    for (String command : InputParser.COMMANDS) {
      if (!command.equals("/help")) {
        assertTrue(all.contains("  " + command), command + " missing from /help");
      }
    }
    assertTrue(all.contains("  //text "), all);
    assertTrue(("  " + ChatSession.peerHelp()).length() <= 100);
  }

  @Test
  void anEmptyAnswerCancelsEveryMenuItem() throws Exception {
    chat.connect(bob);
    for (int item : new int[] {1, 2, 3, 5, 6, 7, 8}) {
      console.clear();
      console.answer("");
      session.handle(new ChatInput.MenuItem(item));
      assertEquals(1, chat.count("cancelled"), "item " + item + ": " + console.lines());
    }
    for (int item : new int[] {3, 6, 7}) {
      console.clear();
      console.answer("1", "");
      session.handle(new ChatInput.MenuItem(item));
      assertEquals(1, chat.count("cancelled"), "item " + item + ": " + console.lines());
    }
    assertNothingHappened();
  }

  @Test
  void endOfInputAndCtrlCInAQuestionCancelOnlyTheItem() throws Exception {
    chat.connect(bob);
    for (int item : new int[] {1, 2, 3, 5, 6, 7, 8}) {
      console.clear();
      // No answer queued: end of input, as Ctrl-D on a terminal.
      session.handle(new ChatInput.MenuItem(item));
      assertEquals(1, chat.count("cancelled"), "item " + item + ": " + console.lines());
      console.answer(ScriptedConsole.INTERRUPT);
      session.handle(new ChatInput.MenuItem(item));
      assertEquals(2, chat.count("cancelled"), "item " + item + ": " + console.lines());
      assertFalse(session.quitting(), "item " + item + " must not leave the chat");
    }
    assertTrue(chat.me.isRunning());
    assertNothingHappened();
  }

  @Test
  void itemEightDisconnectsAllOnlyWhenAskedTo() throws Exception {
    chat.connect(bob);
    console.answer("all");
    session.handle(new ChatInput.MenuItem(8));
    console.await(l -> l.contains("disconnected all (1)"));
    assertTrue(chat.me.peers().isEmpty());
  }

  @Test
  void itemFiveScansWhatIsTypedAndRefusesTheOwnSubnetsWithNobodyToSayYes() throws Exception {
    console.answer("127.0.31.9 --port 9998");
    session.handle(new ChatInput.MenuItem(5));
    console.answer("own");
    session.handle(new ChatInput.MenuItem(5));
    console.answer("--port 9998");
    session.handle(new ChatInput.MenuItem(5));
    session.handle(new ChatInput.Scan(null, null));
    assertEquals(1, chat.scans.size(), chat.scans.toString());
    assertEquals("127.0.31.9", chat.scans.get(0).targets());
    assertEquals("9998", chat.scans.get(0).ports());
    assertEquals(1, chat.count("error: no targets: type them (e.g. 192.168.1.0/24) or 'own'"),
        console.lines().toString());
    assertEquals(2, chat.count("error: a scan of your own subnets (127.77.0.0/30, 2 addresses) needs a"
        + " yes at a terminal"), console.lines().toString());
    assertEquals(2, session.exitCode(), "a piped chat that asked for it exits 2");
    console.await(l -> l.contains("scanning 127.0.31.9 on port 9998"));
  }

  @Test
  void aPastedDigitIsAMessageNotAMenuItem() throws Exception {
    chat.connect(bob);
    // A paste arrives whole on a terminal (bracketed paste): one line with its line breaks.
    console.answer("3\nhola", "/quit");
    session.run(List.of(), null);
    assertEquals("TEXT 3\nhola", messages.poll(10, TimeUnit.SECONDS));
    assertFalse(console.lines().contains("send to (number, alias or name):"), console.lines().toString());
  }

  @Test
  void aDashAnswersNoneForAnAliasAndACallText() throws Exception {
    Peer peer = chat.connect(bob);
    chat.aliases.put(peer.id(), "roberto");
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
    Peer ana = bob.connect(chat.me.localAddress()).get(5, TimeUnit.SECONDS);
    bob.send(ana, "die").get(5, TimeUnit.SECONDS);
    assertEquals(1, exit.get(10, TimeUnit.SECONDS));
    String line = console.await(l -> l.contains("error: "));
    assertTrue(line.matches("error: node ana/[0-9a-f]{8} failed: .*"
        + "java.lang.Error: injected: the listener dies; the chat ends \\(exit code 1\\)"), line);
    assertTrue(session.failed());
    assertEquals(1, session.exitCode());
    console.clear();
    session.shutdown();
    assertEquals(List.of(), console.lines(), "no goodbye after a failure");
  }

  @Test
  void aClosedNodeLeavesTheExitToTheSession() throws Exception {
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    session.exitOnNodeFailure(exit::complete);
    session.shutdown();
    assertTrue(chat.me.closeFuture().isDone());
    try {
      exit.get(300, TimeUnit.MILLISECONDS);
      throw new AssertionError("exit called after a normal close");
    } catch (TimeoutException expected) {
      // A normal close: the session returns and the chat exits 0 as before.
    }
    assertFalse(session.failed());
    assertEquals(0, session.exitCode());
    assertTrue(console.lines().get(console.lines().size() - 1).endsWith("bye"), console.lines().toString());
  }

  private void assertNothingHappened() {
    assertEquals(1, chat.me.peers().size(), "still connected: " + console.lines());
    assertTrue(chat.scans.isEmpty(), "nothing scanned: " + chat.scans);
    assertTrue(chat.aliases.all().isEmpty(), "no alias set: " + chat.aliases.all());
    assertTrue(messages.isEmpty(), "nothing sent: " + messages);
  }
}
