package dev.vecino.examples.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --codec} on {@code send} and {@code scan}: the one-shot commands talk to the original
 * Python chat (its stand-in script) and to a plain socket, as the chat does. Loopback only.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodecIT {

  @TempDir
  Path tmp;

  @Test
  void sendWithTheClassicCodecReachesTheOriginalChat() throws Exception {
    try (ClassicScript py = ClassicScript.serve()) {
      String target = "127.0.0.1:" + py.port();
      try (VecinoProcess send = VecinoProcess.start("send", "send", "--codec", "classic", target,
          "¿qué tal?")) {
        assertEquals(0, send.awaitExit(), send.dump());
        send.awaitOut("sent 11 bytes to Vecino_1");
      }
      py.await("got the message", () -> py.received("msg").equals("¿qué tal?"));
      try (VecinoProcess call = VecinoProcess.start("call", "send", "--codec", "classic", "--call",
          target, "baja")) {
        assertEquals(0, call.awaitExit(), call.dump());
      }
      py.await("saw a call", () -> py.received("call").contains("llamado desde 127.0.0.1"));
      // One chunk or two, as the original's recv(1024) happens to split the call's two writes.
      py.await("with its text", () -> (py.received("call") + py.received("msg")).contains("baja"));
    }
  }

  @Test
  void scanWithTheClassicCodecFindsTheOriginalChatAndWithoutItDoesNot() throws Exception {
    try (ClassicScript py = ClassicScript.serve()) {
      String port = String.valueOf(py.port());
      try (VecinoProcess scan = VecinoProcess.start("scan", "scan", "127.0.0.1", "--port", port,
          "--codec", "classic")) {
        assertEquals(0, scan.awaitExit(), scan.dump());
        scan.awaitOut("127.0.0.1:" + port + "  Vecino_1  ");
        scan.awaitOut(l -> l.matches("scan done in \\d+ ms: 1 probed, 1 open, 1 peer"));
      }
      try (VecinoProcess scan = VecinoProcess.start("scan", "scan", "127.0.0.1", "--port", port)) {
        assertEquals(0, scan.awaitExit(), scan.dump());
        scan.awaitOut("127.0.0.1:" + port + "  open, not a Vecino peer");
        scan.awaitOut(l -> l.matches("scan done in \\d+ ms: 1 probed, 1 open, 0 peers"));
      }
    }
  }

  @Test
  void scanWithTheClassicCodecFindsAClassicChat() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"), "--codec", "classic")) {
      String port = String.valueOf(ana.port());
      try (VecinoProcess scan = VecinoProcess.start("scan", "scan", "127.0.0.1", "--port", port,
          "--codec", "classic", "--json")) {
        assertEquals(0, scan.awaitExit(), scan.dump());
        scan.awaitOut(l -> l.startsWith("{\"type\":\"peer\",\"address\":\"127.0.0.1\",\"port\":"
            + port + ","));
        scan.awaitOut(l -> l.matches("\\{\"type\":\"summary\",\"probed\":1,\"open\":1,"
            + "\"peers\":1,\"durationMs\":\\d+}"));
      }
    }
  }

  @Test
  void sendWithTheLineCodecWritesOneLineToAPlainSocket() throws Exception {
    try (ServerSocket nc = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nc.setSoTimeout((int) VecinoProcess.WAIT.toMillis());
      try (VecinoProcess send = VecinoProcess.start("send", "send", "--codec", "line",
          "127.0.0.1:" + nc.getLocalPort(), "hola, nc");
           Socket s = nc.accept()) {
        s.setSoTimeout((int) VecinoProcess.WAIT.toMillis());
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
        assertEquals("hola, nc", in.readLine());
        assertEquals(0, send.awaitExit(), send.dump());
      }
    }
  }
}
