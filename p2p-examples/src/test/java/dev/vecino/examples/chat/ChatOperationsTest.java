package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.scan.Scanner;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.discovery.Backoff;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Long operations: in the background at a terminal, cancelled by Ctrl-C, which leaves only at
 * an idle prompt; in order with piped input; connects retried with visible attempts; the exit
 * code of a piped chat. Real nodes on 127.0.32.x.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatOperationsTest {

  /** Retries that wait long: a connect to nobody keeps running until cancelled. */
  private static final Backoff PATIENT = new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(1), 1.0, 0.0, 5);
  private static final Backoff QUICK = new Backoff(Duration.ofMillis(20), Duration.ofMillis(40), 2.0, 0.0, 2);

  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

  private static String closedPort(String host) throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return host + ":" + s.getLocalPort();
    }
  }

  @Test
  void atATerminalCtrlCCancelsTheRunningConnectAndThenLeaves() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.1", true, PATIENT)) {
      String nobody = closedPort("127.0.32.2");
      chat.session.handle(new ChatInput.Connect(nobody));
      // The prompt is free at once: the connect waits for its first retry in the background.
      chat.console.await(l -> l.contains("no answer from " + nobody + " yet: retry 1 of 5 in 60.0 s"));
      chat.session.interrupt();
      chat.console.await(l -> l.endsWith("cancelled: connect to " + nobody));
      assertFalse(chat.session.quitting(), "Ctrl-C with an operation running only cancels it");
      chat.session.interrupt();
      assertTrue(chat.session.quitting(), "Ctrl-C at an idle prompt leaves");
    }
  }

  @Test
  void atATerminalCtrlCCancelsARunningScanWhichSaysWhatItFound() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.3", true, null)) {
      chat.console.answer("/scan 127.0.32.0/30", ScriptedConsole.INTERRUPT, "/quit");
      chat.session.run(List.of(), null);
      chat.console.await(l -> l.endsWith("cancelled: scan of 127.0.32.0/30"));
      chat.console.await(l -> l.contains("scan cancelled after"));
      assertTrue(chat.console.lines().get(chat.console.lines().size() - 1).endsWith("bye"));
    }
  }

  @Test
  void atATerminalAScanWithoutTargetsSaysHowManyAddressesAndAsks() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.4", true, null)) {
      chat.console.answer("n");
      chat.session.handle(new ChatInput.Scan(null, null));
      assertTrue(chat.console.lines().contains("scan your own subnets 127.77.0.0/30: 2 addresses? [y/N]"),
          chat.console.lines().toString());
      assertTrue(chat.scans.isEmpty(), "no means no");
      chat.console.answer("");
      chat.session.handle(new ChatInput.Scan(null, null));
      assertTrue(chat.scans.isEmpty(), "an empty answer means no");
      chat.console.answer("y");
      chat.session.handle(new ChatInput.Scan(null, null));
      assertEquals(1, chat.scans.size());
      assertEquals("127.77.0.0/30", chat.scans.get(0).targets());
      assertTrue(chat.scans.get(0).discover(), "no targets: the discovery chain, not a plain scan");
      assertTrue(chat.console.lines().stream().anyMatch(l -> l.endsWith(
          "discovering: known peers, beacons, then a scan of 127.77.0.0/30 on port " + chat.me.localAddress().getPort())),
          chat.console.lines().toString());
      chat.scanResult.complete(new Scanner.Outcome(List.of(), 4, 0, Duration.ofMillis(1), false));
    }
  }

  @Test
  void explicitTargetsOrPortsScanPlainlyAndOnlyNoTargetsDiscover() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.16", true, null)) {
      chat.scanResult.complete(new Scanner.Outcome(List.of(), 4, 0, Duration.ofMillis(1), false));
      chat.session.handle(new ChatInput.Scan("127.0.32.16/30", null));
      chat.console.answer("y");
      chat.session.handle(new ChatInput.Scan(null, "9000"));
      assertEquals(2, chat.scans.size(), chat.console.lines().toString());
      assertFalse(chat.scans.get(0).discover());
      assertEquals("127.0.32.16/30", chat.scans.get(0).targets());
      assertFalse(chat.scans.get(1).discover(), "the chain's range stage probes the chat's own port only");
      assertEquals("127.77.0.0/30", chat.scans.get(1).targets());
      assertEquals("9000", chat.scans.get(1).ports());
      assertThrows(IllegalArgumentException.class,
          () -> new Scanner.Request(null, "9000", Duration.ofMillis(1), true, true));
    }
  }

  @Test
  void offATerminalADiscoveryIsRefusedLikeAWholeSubnetScan() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.17", false, null)) {
      chat.session.handle(new ChatInput.Scan(null, null));
      assertTrue(chat.scans.isEmpty(), "nothing is discovered without a yes");
      assertEquals(2, chat.session.exitCode());
      assertTrue(chat.console.errors().get(0).contains("127.77.0.0/30, 2 addresses"), chat.console.errors().toString());
    }
  }

  @Test
  void pipedInputRunsEachConnectToItsEndBeforeTheNextLine() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.5", false, QUICK)) {
      PeerNode bob = chat.peer("bob", "127.0.32.6", messages);
      chat.session.handle(new ChatInput.Connect(ChatFormatTestSupport.address(bob)));
      assertEquals(1, chat.me.peers().size(), "connected when handle returned: " + chat.console.lines());
      chat.session.handle(new ChatInput.Broadcast("hola"));
      assertEquals("TEXT hola", messages.poll(10, TimeUnit.SECONDS));
      assertEquals(0, chat.session.exitCode());
    }
  }

  @Test
  void aConnectThatFindsNobodyIsRetriedVisiblyAndGivenUp() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.7", false, QUICK)) {
      String nobody = closedPort("127.0.32.8");
      chat.session.handle(new ChatInput.Connect(nobody));
      // Piped: the connect ended, retries and all, before handle returned.
      assertTrue(chat.console.errors().contains("gave up connecting to " + nobody
          + " after 3 attempts: connection refused"), chat.console.lines().toString());
      chat.console.await(l -> l.contains("no answer from " + nobody + " yet: retry 1 of 2"));
      chat.console.await(l -> l.contains("no answer from " + nobody + " yet: retry 2 of 2"));
    }
  }

  @Test
  void aConnectRetriedUntilThePeerIsUpGetsIt() throws Exception {
    Backoff retry = new Backoff(Duration.ofMillis(50), Duration.ofMillis(100), 2.0, 0.0, 100);
    try (ChatFixture chat = new ChatFixture("127.0.32.9", true, retry)) {
      String at = closedPort("127.0.32.10");
      chat.session.handle(new ChatInput.Connect(at));
      chat.console.await(l -> l.contains("no answer from " + at + " yet: retry 1 of 100"));
      int port = Integer.parseInt(at.substring(at.indexOf(':') + 1));
      try (PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.32.10").port(port).build().start()) {
        chat.console.await(l -> l.contains("+ bob joined from " + at));
      }
    }
  }

  @Test
  void aHostWithoutAPortMeansThisChatsPort() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.11", false, null)) {
      chat.session.handle(new ChatInput.Connect("127.0.32.12"));
      assertTrue(chat.console.lines().stream().anyMatch(l -> l.contains("connecting to 127.0.32.12:9999 ...")),
          chat.console.lines().toString());
    }
  }

  @Test
  void aPipedLineThatReachedNobodyIsAnErrorAndExitCodeOne() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.13", false, null)) {
      chat.session.handle(new ChatInput.Broadcast("hola"));
      assertEquals(List.of("no peers connected: nobody to send to (connect with /connect host:port)"),
          chat.console.errors());
      assertEquals(1, chat.session.exitCode());
    }
  }

  @Test
  void aTerminalChatExitsZeroAfterALineReachedNobody() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.14", true, null)) {
      chat.session.handle(new ChatInput.Broadcast("hola"));
      assertEquals(1, chat.console.errors().size());
      assertEquals(0, chat.session.exitCode(), "a person saw the error; the exit code is for scripts");
    }
  }

  @Test
  void offATerminalScanProgressLinesGiveTheRealPercentage() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.32.15", false, null)) {
      chat.onScanStart = p -> {
        p.onProgress(100, 254, 0);
        p.onProgress(252, 254, 1);
      };
      chat.scanResult.complete(new Scanner.Outcome(List.of(), 254, 0, Duration.ofMillis(1), false));
      chat.session.handle(new ChatInput.Scan("127.0.32.0/24", null));
      assertTrue(chat.console.lines().stream().anyMatch(l -> l.endsWith("] scan 39% (100/254), 0 peers")),
          chat.console.lines().toString());
      assertTrue(chat.console.lines().stream().anyMatch(l -> l.endsWith("] scan 99% (252/254), 1 peer")),
          chat.console.lines().toString());
    }
  }
}
