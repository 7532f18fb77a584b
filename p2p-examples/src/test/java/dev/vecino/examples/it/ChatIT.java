package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Drives real chats through piped stdin/stdout on 127.0.0.1. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChatIT {

  @TempDir
  Path tmp;

  @Test
  void connectBroadcastPrivateMessageCallAndDisconnect() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"));
         VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"));
         VecinoProcess carl = VecinoProcess.chat("carl", tmp.resolve("carl"))) {
      ana.send("/connect " + bob.address());
      ana.awaitOut("+ bob joined from 127.0.0.1:" + bob.port() + " (outbound");
      bob.awaitOut("+ ana joined from 127.0.0.1:");
      ana.send("/connect " + carl.address());
      carl.awaitOut("+ ana joined");

      ana.send("hola a todos");
      bob.awaitOut("] ana: hola a todos");
      carl.awaitOut("] ana: hola a todos");
      ana.awaitOut("you to all (2): hola a todos");

      ana.send("/msg bob solo para bob");
      bob.awaitOut("] ana (private): solo para bob");
      ana.send("/call carl ven aquí");
      carl.awaitOut("*** ana is calling you: ven aquí ***");
      assertEquals(0, carl.countOut("solo para bob"), carl.dump());

      ana.send("/peers");
      ana.awaitOut(l -> l.matches("1\\s+bob \\[[0-9a-f]{8}]\\s+127\\.0\\.0\\.1:" + bob.port()
          + "\\s+out\\s+\\d\\d:\\d\\d:\\d\\d \\(\\d+s\\)\\s+0\\s+2"));
      ana.awaitOut(l -> l.startsWith("2  carl [") && l.contains(" out "));
      ana.awaitOut("you: ana (id ");

      ana.send("/disconnect bob");
      bob.awaitOut("- ana left (closed by peer: ana hung up)");
      ana.awaitOut("disconnected bob");
      ana.send("/peers");
      ana.awaitOut(l -> l.startsWith("2  carl ["));  // carl keeps the number he was shown with

      ana.send("/disconnect all");
      carl.awaitOut("- ana left (closed by peer");
      ana.awaitOut("disconnected all (1)");
      ana.send("/peers");
      ana.awaitOut("no peers connected");

      ana.closeStdin();
      assertEquals(0, ana.awaitExit(), ana.dump());
      for (String line : ana.outLines()) {
        assertFalse(line.contains("\u001b"), "ANSI code on a pipe: " + line);
        assertFalse(line.contains("Exception"), "stack trace: " + line);
      }
    }
  }

  @Test
  void theNumberedMenuPromptsForWhatEachItemNeeds() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"));
         VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"))) {
      ana.awaitOut("9. exit");
      ana.send("1").send(bob.address());
      bob.awaitOut("+ ana joined");
      ana.send("2").send("por menú");
      bob.awaitOut("] ana: por menú");
      ana.send("3").send("1").send("privado por menú");
      bob.awaitOut("] ana (private): privado por menú");
      ana.send("6").send("1").send("roberto");
      ana.awaitOut("bob is now known as roberto");
      ana.send("7").send("roberto").send("ring");
      bob.awaitOut("*** ana is calling you: ring ***");
      ana.send("4");
      ana.awaitOut(l -> l.startsWith("1  roberto (bob) ["));
      ana.send("?");
      assertTrue(ana.countOut("9. exit") >= 1);
      ana.send("8").send("");
      ana.awaitOut("] cancelled");
      ana.send("5").send("");
      ana.awaitOut(l -> l.endsWith("] cancelled") && ana.countOut("] cancelled") == 2);
      ana.send("/peers");
      ana.awaitOut(l -> l.startsWith("1  roberto (bob) [") && ana.countOut("1  roberto (bob) [") == 2);
      ana.send("8").send("all");
      bob.awaitOut("- ana left (closed by peer");
      ana.send("9");
      assertEquals(0, ana.awaitExit(), ana.dump());
    }
  }

  @Test
  void aliasesSurviveARestartOfBothSides() throws Exception {
    Path anaDir = tmp.resolve("ana");
    Path bobDir = tmp.resolve("bob");
    String bobId;
    try (VecinoProcess ana = VecinoProcess.chat("ana", anaDir);
         VecinoProcess bob = VecinoProcess.chat("bob", bobDir)) {
      ana.send("/connect " + bob.address());
      bobId = between(ana.awaitOut("+ bob joined"), "id ", ",");
      ana.send("/name 1 bobby");
      ana.awaitOut("bob is now known as bobby (id " + bobId + ")");
      ana.send("/quit");
      bob.awaitOut("- ana left (closed by peer: ana left the chat)");
      assertEquals(0, ana.awaitExit(), ana.dump());
      bob.closeStdin();
      assertEquals(0, bob.awaitExit(), bob.dump());
    }
    try (VecinoProcess ana = VecinoProcess.chat("ana", anaDir);
         VecinoProcess bob = VecinoProcess.chat("bob", bobDir)) {
      bob.awaitOut("as bob (id " + bobId + ")");
      ana.send("/connect " + bob.address());
      ana.awaitOut("+ bobby joined");
      bob.awaitOut("+ ana joined");
      bob.send("sigo siendo yo");
      ana.awaitOut("] bobby: sigo siendo yo");
      ana.send("/msg bobby te reconozco");
      bob.awaitOut("] ana (private): te reconozco");
      ana.send("/peers");
      ana.awaitOut(l -> l.startsWith("1  bobby (bob) [" + bobId + "]"));
      ana.send("/name bobby");
      ana.awaitOut("alias of bobby cleared; now bob");
    }
  }

  @Test
  void quittingEndOfInputAndCtrlCAllGivePeersACleanDisconnect() throws Exception {
    try (VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"));
         VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"), "--retries", "0",
             "--connect", "127.0.0.1:" + Net.closedPort())) {
      ana.awaitErr("error: cannot connect to 127.0.0.1:");
      try (VecinoProcess eve = VecinoProcess.chat("eve", tmp.resolve("eve"), "--connect",
          bob.address())) {
        bob.awaitOut("+ eve joined");
        eve.closeStdin();
        bob.awaitOut("- eve left (closed by peer");
        assertEquals(0, eve.awaitExit(), eve.dump());
      }
      try (VecinoProcess dan = VecinoProcess.chat("dan", tmp.resolve("dan"), "--connect",
          bob.address())) {
        bob.awaitOut("+ dan joined");
        dan.interrupt();
        bob.awaitOut("- dan left (closed by peer");
        dan.awaitExit();
      }
      ana.send("/connect " + bob.address());
      bob.awaitOut("+ ana joined");
      ana.send("/quit");
      bob.awaitOut("- ana left (closed by peer");
      assertEquals(0, ana.awaitExit(), ana.dump());
      assertEquals(0, bob.countOut("connection lost"), bob.dump());
    }
  }

  @Test
  void aSecondChatOnTheSameConfigDirGetsATemporaryId() throws Exception {
    Path shared = tmp.resolve("shared");
    try (VecinoProcess ana = VecinoProcess.chat("ana", shared);
         VecinoProcess bob = VecinoProcess.chat("bob", shared)) {
      bob.awaitOut("note: another chat uses " + shared);
      bob.send("/connect " + ana.address());
      ana.awaitOut("+ bob joined");
    }
  }

  @Test
  void lineCodecChatsWithAPlainSocketClient() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"), "--codec", "line");
         java.net.Socket nc = new java.net.Socket("127.0.0.1", ana.port())) {
      nc.setSoTimeout((int) VecinoProcess.WAIT.toMillis());
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
          nc.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      nc.getOutputStream().write("hola desde nc, ¿me oyes?\n".getBytes(
          java.nio.charset.StandardCharsets.UTF_8));
      ana.awaitOut(":" + nc.getLocalPort() + ": hola desde nc, ¿me oyes?");
      ana.send("sí, te oigo");
      assertEquals("sí, te oigo", in.readLine());
    }
  }

  static String between(String s, String start, String end) {
    int i = s.indexOf(start) + start.length();
    return s.substring(i, s.indexOf(end, i));
  }
}
