package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's contract end to end, on the real jar with piped stdin: signals leave with a
 * goodbye, retried and restored connections, the source address peers see, a classic chat
 * told apart from a Vecino one, the in-chat commands in {@code chat --help}. Each test has
 * 127.0.4x.y addresses of its own.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsoleIT {

  @TempDir
  Path tmp;

  @Test
  void sigtermLeavesWithAGoodbye() throws Exception {
    try (VecinoProcess bob = VecinoProcess.chatOn("127.0.40.1", "bob", tmp.resolve("bob"));
         VecinoProcess ana = VecinoProcess.chatOn("127.0.40.2", "ana", tmp.resolve("ana"),
             "--connect", bob.address())) {
      bob.awaitOut("+ ana joined");
      ana.terminate();
      bob.awaitOut("- ana left (closed by peer: ana left the chat)");
      ana.awaitOut("] bye");
      ana.awaitExit();
      assertEquals(0, bob.countOut("connection lost"), bob.dump());
    }
  }

  @Test
  void sigintWhileAConnectRunsLeavesWithAGoodbye() throws Exception {
    try (VecinoProcess bob = VecinoProcess.chatOn("127.0.41.1", "bob", tmp.resolve("bob"));
         VecinoProcess ana = VecinoProcess.chatOn("127.0.41.2", "ana", tmp.resolve("ana"),
             "--connect", bob.address());
         Net.Silent silent = new Net.Silent()) {
      bob.awaitOut("+ ana joined");
      // Piped: this connect holds the input thread until it times out, as in the report.
      ana.send("/connect 127.0.0.1:" + silent.port());
      ana.awaitOut("connecting to 127.0.0.1:" + silent.port());
      ana.interrupt();
      bob.awaitOut("- ana left (closed by peer: ana left the chat)");
      ana.awaitExit();
      assertEquals(0, bob.countOut("connection lost"), bob.dump());
    }
  }

  @Test
  void aConnectAtStartIsRetriedUntilThePeerIsUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.42.1"))) {
      port = s.getLocalPort();
    }
    try (VecinoProcess ana = VecinoProcess.chatOn("127.0.42.2", "ana", tmp.resolve("ana"),
        "--connect", "127.0.42.1:" + port)) {
      ana.awaitOut("no answer from 127.0.42.1:" + port + " yet: retry 1 of 6");
      try (VecinoProcess bob = VecinoProcess.start("bob", "chat", "--name", "bob", "--bind", "127.0.42.1",
          "--port", String.valueOf(port), "--config-dir", tmp.resolve("bob").toString())) {
        ana.awaitOut("+ bob joined from 127.0.42.1:" + port);
        bob.awaitOut("+ ana joined from 127.0.42.2:");
      }
    }
  }

  @Test
  void aPeerThatRestartsIsReconnected() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chatOn("127.0.43.2", "ana", tmp.resolve("ana"))) {
      String bobAt;
      try (VecinoProcess bob = VecinoProcess.chatOn("127.0.43.1", "bob", tmp.resolve("bob"))) {
        bobAt = bob.address();
        ana.send("/connect " + bobAt);
        ana.awaitOut("+ bob joined");
        // Bob too must have ana before he quits: a connection still in its handshake on his
        // side is closed with the node's default reason, not his goodbye.
        bob.awaitOut("+ ana joined");
        bob.send("/quit");
        ana.awaitOut("- bob left (closed by peer: bob left the chat)");
        bob.awaitExit();
      }
      ana.awaitOut("reconnecting to bob (id ");
      String port = bobAt.substring(bobAt.indexOf(':') + 1);
      try (VecinoProcess bob = VecinoProcess.start("bob", "chat", "--name", "bob", "--bind", "127.0.43.1",
          "--port", port, "--config-dir", tmp.resolve("bob").toString())) {
        ana.awaitOut(l -> l.contains("+ bob joined from " + bobAt) && ana.countOut("+ bob joined") == 2);
        bob.awaitOut("+ ana joined");
      }
    }
  }

  @Test
  void peersSeeTheBindAddressAsTheSourceOfOutgoingConnections() throws Exception {
    try (VecinoProcess bob = VecinoProcess.chatOn("127.0.44.1", "bob", tmp.resolve("bob"));
         VecinoProcess ana = VecinoProcess.chatOn("127.0.44.2", "ana", tmp.resolve("ana"))) {
      ana.send("/connect " + bob.address());
      bob.awaitOut("+ ana joined from 127.0.44.2:");
      bob.send("/peers");
      bob.awaitOut(l -> l.matches("1\\s+ana \\[[0-9a-f]{8}]\\s+127\\.0\\.44\\.2:\\d+ \\(listens on "
          + ana.port() + "\\).*"));
      assertEquals(0, bob.countOut("127.0.0.1"), bob.dump());
    }
  }

  @Test
  void aVecinoChatToldItReachedAClassicOneSuggestsTheCodec() throws Exception {
    try (VecinoProcess classic = VecinoProcess.chatOn("127.0.45.1", "carolclassic", tmp.resolve("c"),
            "--codec", "classic");
         VecinoProcess framed = VecinoProcess.chatOn("127.0.45.2", "carolvecino", tmp.resolve("v"),
             "--retries", "0")) {
      framed.send("/connect " + classic.address());
      String line = framed.awaitErr("error: cannot connect to " + classic.address());
      assertTrue(line.contains("not a Vecino peer: it greeted with a line of text (carolclassic)"), line);
      assertTrue(line.endsWith("use --codec classic"), line);
      framed.send("/peers");
      framed.awaitOut("no peers connected");
      classic.send("/peers");
      classic.awaitOut("no peers connected");
      assertEquals(0, classic.countOut("joined"), "the classic chat took no framed peer" + classic.dump());
    }
  }

  @Test
  void chatHelpListsTheInChatCommands() throws Exception {
    try (VecinoProcess p = VecinoProcess.start("help", "chat", "--help")) {
      assertEquals(0, p.awaitExit(), p.dump());
      p.awaitOut("In the chat (any other line is sent to all peers");
      p.awaitOut(l -> l.startsWith("  /msg <peer> text") && l.endsWith("private message"));
      p.awaitOut("  /quit");
    }
  }

  @Test
  void aLongMessageIsShownShortened() throws Exception {
    try (VecinoProcess bob = VecinoProcess.chatOn("127.0.46.1", "bob", tmp.resolve("bob"));
         VecinoProcess ana = VecinoProcess.chatOn("127.0.46.2", "ana", tmp.resolve("ana"),
             "--connect", bob.address())) {
      bob.awaitOut("+ ana joined");
      ana.send("x".repeat(200_000));
      String line = bob.awaitOut("] ana: xxx");
      assertTrue(line.endsWith(" ... (+199000 bytes)"), line.length() + " chars: " + line.substring(0, 40));
      assertTrue(line.length() < 1100, "shown: " + line.length() + " chars");
    }
  }
}
