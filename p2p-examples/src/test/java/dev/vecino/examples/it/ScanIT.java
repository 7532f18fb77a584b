package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vecino scan} against a real chat, on an explicit loopback range only. Skipped (not
 * failed) while the build has no range-scan API: the command then says so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScanIT {

  @TempDir
  Path tmp;

  @Test
  void textAndJsonScansFindAChatNodeOnLoopback() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"))) {
      String port = String.valueOf(ana.port());
      try (VecinoProcess scan = VecinoProcess.start("scan", "scan", "127.0.0.1-4",
          "--port", port, "--timeout", "500ms")) {
        int code = scan.awaitExit();
        Assumptions.assumeFalse(scan.errLines().stream()
            .anyMatch(l -> l.contains("scanning is not available in this build")),
            "this build has no range-scan API yet");
        assertEquals(0, code, scan.dump());
        scan.awaitOut(l -> l.matches("127\\.0\\.0\\.1:" + port + "  ana  [0-9a-f]{8}  rtt \\d+\\.\\d ms"));
        scan.awaitOut(l -> l.matches("scan done in \\d+ ms: 4 probed, 1 open, 1 peer"));
      }
      try (VecinoProcess scan = VecinoProcess.start("scan", "scan", "127.0.0.1-4",
          "--port", port, "--json")) {
        assertEquals(0, scan.awaitExit(), scan.dump());
        scan.awaitOut(l -> l.startsWith("{\"type\":\"peer\",\"address\":\"127.0.0.1\",\"port\":"
            + port + ",\"name\":\"ana\",\"id\":\""));
        scan.awaitOut(l -> l.matches("\\{\"type\":\"summary\",\"probed\":4,\"open\":1,"
            + "\"peers\":1,\"durationMs\":\\d+}"));
      }
    }
  }

  @Test
  void chatScanListsWhatAnsweredAndConnectsToThePeersFound() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"));
         VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"))) {
      bob.send("/scan 127.0.0.1-4 --port " + ana.port());
      String line = bob.awaitOut(l -> l.contains("] scan done in ")
          || l.contains("scanning is not available in this build"));
      Assumptions.assumeFalse(line.contains("not available"), "this build has no range-scan API yet");
      bob.awaitOut("] scanning 127.0.0.1-4 on port " + ana.port());
      bob.awaitOut("] found 127.0.0.1:" + ana.port() + "  ana  ");
      bob.awaitOut(l -> l.matches(".*] scan done in \\d+ ms: 4 probed, 1 open, 1 peer"));
      ana.awaitOut("+ bob joined");
      bob.send("/peers");
      bob.awaitOut(l -> l.startsWith("1  ana ["));
    }
  }

  @Test
  void chatScanNamesThePortsAnAliasAndItsOwnNode() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"));
         VecinoProcess bob = VecinoProcess.chat("bob", tmp.resolve("bob"))) {
      bob.send("/connect " + ana.address());
      bob.awaitOut("+ ana joined");
      bob.send("/name ana anita");
      bob.awaitOut("ana is now known as anita");
      bob.send("/scan 127.0.0.1-4 --port " + ana.port() + "," + bob.port());
      String line = bob.awaitOut(l -> l.contains("] scan done in ")
          || l.contains("scanning is not available in this build"));
      Assumptions.assumeFalse(line.contains("not available"), "this build has no range-scan API yet");
      bob.awaitOut("] scanning 127.0.0.1-4 on ports " + ana.port() + "," + bob.port());
      bob.awaitOut("] found 127.0.0.1:" + ana.port() + "  anita (ana)  ");
      assertEquals(0, bob.countOut("found 127.0.0.1:" + bob.port()), bob.dump());
      assertTrue(line.matches(".*] scan done in \\d+ ms: 8 probed, 1 open, 1 peer"),
          "its own listener is not counted as open: " + line + bob.dump());
    }
  }
}
