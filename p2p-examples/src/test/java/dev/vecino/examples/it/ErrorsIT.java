package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every error the chat and the one-shot commands report: one clear line and the right exit code. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ErrorsIT {

  @TempDir
  Path tmp;

  @Test
  void chatErrorsAreOneLineOnStdoutAndTheChatGoesOn() throws Exception {
    int closed = Net.closedPort();
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"),
            "--connect-timeout", "1s");
         Net.Silent silent = new Net.Silent();
         Net.NotAPeer http = new Net.NotAPeer()) {
      ana.send("/connect foo");
      ana.awaitOut("] error: bad address 'foo': expected host:port");
      ana.send("/connect 127.0.0.1:99999");
      ana.awaitOut("] error: bad address '127.0.0.1:99999': port must be 1..65535");
      ana.send("/connect 127.0.0.1:" + closed);
      ana.awaitOut("] error: cannot connect to 127.0.0.1:" + closed + ": connection refused");
      ana.send("/connect 127.0.0.1:" + silent.port());
      ana.awaitOut("] error: cannot connect to 127.0.0.1:" + silent.port() + ": timed out");
      ana.send("/connect 127.0.0.1:" + http.port());
      ana.awaitOut("] error: cannot connect to 127.0.0.1:" + http.port() + ": not a Vecino peer");
      ana.send("/connect " + ana.address());
      ana.awaitOut("] error: cannot connect to " + ana.address() + ": that address is this node itself");
      ana.send("hola");
      ana.awaitOut("] error: no peers connected");
      ana.send("/msg nadie hola");
      ana.awaitOut("] error: unknown peer 'nadie': no peers connected");
      ana.send("/frob");
      ana.awaitOut("] error: unknown command /frob (try /help)");

      try (VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"))) {
        ana.send("/connect " + bob.address());
        ana.awaitOut("+ bob joined");
        ana.send("/msg nadie hola");
        ana.awaitOut("] error: unknown peer 'nadie' (see /peers)");
        ana.send("/msg 5 hola");
        ana.awaitOut("] error: unknown peer 5: there is 1 peer (see /peers)");
        ana.send("/all");
        ana.awaitOut("] error: empty message");
        ana.send("/msg bob");
        ana.awaitOut("] error: empty message: usage /msg <index|alias|name> <text>");
        ana.send("still alive");
        bob.awaitOut("] ana: still alive");
      }
      ana.closeStdin();
      assertEquals(0, ana.awaitExit(), ana.dump());
      assertFalse(ana.outLines().stream().anyMatch(l -> l.contains("Exception")), ana.dump());
      assertFalse(ana.errLines().stream().anyMatch(l -> l.contains("\tat ")), ana.dump());
    }
  }

  @Test
  void portInUseExitsOneWithOneLine() throws Exception {
    try (VecinoProcess first = VecinoProcess.chat("ana", tmp.resolve("ana"));
         VecinoProcess second = VecinoProcess.start("bob", "chat", "--name", "bob",
             "--bind", "127.0.0.1", "--port", String.valueOf(first.port()),
             "--config-dir", tmp.resolve("bob").toString())) {
      assertEquals(1, second.awaitExit(), second.dump());
      second.awaitOut("error: port " + first.port() + " is in use on 127.0.0.1");
      assertEquals(1, second.outLines().size(), second.dump());
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
