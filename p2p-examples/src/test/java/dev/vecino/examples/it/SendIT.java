package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code vecino send}: one message from a script. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendIT {

  @TempDir
  Path tmp;

  @Test
  void sendsOneMessageAndSaysBye() throws Exception {
    try (VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"))) {
      try (VecinoProcess send = VecinoProcess.start("send", "send", "--name", "cron",
          bob.address(), "backup done ✓")) {
        assertEquals(0, send.awaitExit(), send.dump());
        send.awaitOut("sent 15 bytes to bob (id ");
      }
      bob.awaitOut("] cron: backup done ✓");
      bob.awaitOut("- cron left (closed by peer");
      try (VecinoProcess call = VecinoProcess.start("send", "send", "--name", "door",
          "--call", bob.address(), "someone is here")) {
        assertEquals(0, call.awaitExit(), call.dump());
      }
      bob.awaitOut("*** door is calling you: someone is here ***");
      try (VecinoProcess piped = VecinoProcess.start("send", "send", "--name", "pipe",
          bob.address())) {
        piped.send("from stdin");
        piped.closeStdin();
        assertEquals(0, piped.awaitExit(), piped.dump());
      }
      bob.awaitOut("] pipe: from stdin");
    }
  }

  @Test
  void failuresExitOneWithOneLine() throws Exception {
    int closed = Net.closedPort();
    try (VecinoProcess send = VecinoProcess.start("send", "send", "127.0.0.1:" + closed, "hi")) {
      assertEquals(1, send.awaitExit(), send.dump());
      send.awaitErr("error: cannot connect to 127.0.0.1:" + closed + ": connection refused");
      assertEquals(1, send.errLines().size(), send.dump());
    }
    try (VecinoProcess send = VecinoProcess.start("send", "send", "127.0.0.1:" + closed, "")) {
      assertEquals(2, send.awaitExit(), "an empty message is a usage error" + send.dump());
      send.awaitErr("vecino send: empty message");
    }
  }
}
