package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every error the chat and the one-shot commands report: one clear line and the right exit code. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ErrorsIT {

  @TempDir
  Path tmp;

  @Test
  void chatErrorsAreOneLineOnStderrAndTheChatGoesOn() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"),
            "--connect-timeout", "1s", "--retries", "0");
         Net.Silent silent = new Net.Silent();
         Net.NotAPeer http = new Net.NotAPeer()) {
      // Picked after the listeners above: one of them could otherwise get the port just freed.
      int closed = Net.closedPort();
      ana.send("/connect foo:bar");
      ana.awaitErr("error: bad address 'foo:bar': port is not a number");
      ana.send("/connect 127.0.0.1:99999");
      ana.awaitErr("error: bad address '127.0.0.1:99999': port must be 1..65535");
      ana.send("/connect 127.0.0.1:" + closed);
      ana.awaitErr("error: cannot connect to 127.0.0.1:" + closed + ": connection refused");
      ana.send("/connect 127.0.0.1:" + silent.port());
      ana.awaitErr("error: cannot connect to 127.0.0.1:" + silent.port() + ": timed out");
      ana.send("/connect 127.0.0.1:" + http.port());
      ana.awaitErr("error: cannot connect to 127.0.0.1:" + http.port()
          + ": not a Vecino peer: it looks like an HTTP response");
      ana.send("/connect " + ana.address());
      ana.awaitErr("error: cannot connect to " + ana.address() + ": that address is this node itself");
      ana.send("hola");
      ana.awaitErr("error: no peers connected");
      ana.send("/msg nadie hola");
      ana.awaitErr("error: unknown peer 'nadie': no peers connected");
      ana.send("/frob");
      ana.awaitErr("error: unknown command /frob (try /help)");

      try (VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"))) {
        ana.send("/connect " + bob.address());
        ana.awaitOut("+ bob joined");
        ana.send("/msg nadie hola");
        ana.awaitErr("error: unknown peer 'nadie' (see /peers)");
        ana.send("/msg 5 hola");
        ana.awaitErr("error: unknown peer 5: no peer has that number (see /peers)");
        ana.send("/all");
        ana.awaitErr("error: empty message");
        ana.send("/msg bob");
        ana.awaitErr("error: empty message: usage /msg <peer> <text>");
        ana.send("still alive");
        bob.awaitOut("] ana: still alive");
      }
      ana.closeStdin();
      assertEquals(1, ana.awaitExit(), "lines reached nobody: exit 1" + ana.dump());
      assertFalse(ana.outLines().stream().anyMatch(l -> l.contains("error:")), "errors on stdout" + ana.dump());
      assertFalse(ana.outLines().stream().anyMatch(l -> l.contains("Exception")), ana.dump());
      assertFalse(ana.errLines().stream().anyMatch(l -> l.contains("\tat ")), ana.dump());
    }
  }

  @Test
  void aPipedChatWhoseLinesAllArrivedExitsZero() throws Exception {
    try (VecinoProcess bob = VecinoProcess.chatOn("127.0.38.1", "bob", tmp.resolve("bob"));
         VecinoProcess ana = VecinoProcess.chatOn("127.0.38.2", "ana", tmp.resolve("ana"),
             "--connect", bob.address())) {
      ana.send("hola");
      bob.awaitOut("] ana: hola");
      ana.closeStdin();
      assertEquals(0, ana.awaitExit(), ana.dump());
      assertTrue(ana.errLines().isEmpty(), ana.dump());
    }
  }

  @Test
  void portInUseExitsOneWithOneLineOnStderr() throws Exception {
    try (VecinoProcess first = VecinoProcess.chat("ana", tmp.resolve("ana"));
         VecinoProcess second = VecinoProcess.start("bob", "chat", "--name", "bob",
             "--bind", "127.0.0.1", "--port", String.valueOf(first.port()),
             "--config-dir", tmp.resolve("bob").toString())) {
      assertEquals(1, second.awaitExit(), second.dump());
      second.awaitErr("error: port " + first.port() + " is in use on 127.0.0.1");
      assertTrue(second.outLines().isEmpty(), second.dump());
    }
  }

  @Test
  void bindingToAnAddressNotOnThisHostSaysSo() throws Exception {
    // 198.18.0.1 (a benchmarking range) is on no interface here; binding sends no packet.
    InetAddress foreign = InetAddress.getByName("198.18.0.1");
    Assumptions.assumeTrue(NetworkInterface.getByInetAddress(foreign) == null, "198.18.0.1 is local here");
    try (VecinoProcess p = VecinoProcess.start("ana", "chat", "--name", "ana", "--bind", "198.18.0.1",
        "--port", "0", "--config-dir", tmp.resolve("ana").toString())) {
      assertEquals(1, p.awaitExit(), p.dump());
      p.awaitErr("error: cannot listen on 198.18.0.1: cannot assign requested address (198.18.0.1 is not"
          + " an address of this host");
      assertFalse(p.errLines().stream().anyMatch(l -> l.contains("in use")), p.dump());
    }
  }

  @Test
  void badArgumentsExitTwoWithAUsageHint() throws Exception {
    String[][] cases = {
        {"chat", "--port", "abc"},
        {"chat", "--bogus"},
        {"chat", "--codec", "smoke-signals"},
        {"chat", "--connect", "nohost"},
        {"send", "127.0.0.1"},
        {"send"},
        {"scan", "--timeout", "soon", "127.0.0.1"},
        {"echo-client", "127.0.0.1:1", "--rate", "fast"},
        {"nonsense"},
        {"send", "127.0.0.1:1", ""},
        {"send", "--name", "x".repeat(300), "127.0.0.1:1", "hola"},
        {"send", "--group", "", "127.0.0.1:1", "hola"},
        {"chat", "--connect-timeout", "5"},
        {"scan", "--timeout", "5", "127.0.0.1"},
        {"chat", "--scan", "--config-dir", tmp.resolve("never").toString()},
    };
    for (String[] args : cases) {
      try (VecinoProcess p = VecinoProcess.start("bad", args)) {
        assertEquals(2, p.awaitExit(), String.join(" ", args) + p.dump());
        p.awaitErr("Try 'vecino");
        assertTrue(p.outLines().isEmpty(), p.dump());
        assertFalse(p.errLines().stream().anyMatch(l -> l.contains("\tat ")), p.dump());
      }
    }
  }

  @Test
  void helpAndVersionExitZero() throws Exception {
    try (VecinoProcess p = VecinoProcess.start("help", "--help")) {
      assertEquals(0, p.awaitExit());
      p.awaitOut("Usage: vecino");
    }
    try (VecinoProcess p = VecinoProcess.start("version", "chat", "--version")) {
      assertEquals(0, p.awaitExit());
      p.awaitOut("vecino ");
    }
  }
}
