package dev.vecino.bench.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ScanMain's command line: loopback only unless the user owns the network, and no host name
 * looked up without it. Nothing here opens a socket: every refusal happens while parsing.
 */
@Timeout(30)
class ScanArgsTest {

  @Test
  void acceptsLoopbackRangesAndTheDefaults() {
    ScanArgs a = ScanArgs.parse("127.77.0.0/24", "127.77.1.1-20,127.77.2.*", "::1", "--port",
        "47000");
    assertEquals(List.of("127.77.0.0/24", "127.77.1.1-20,127.77.2.*", "::1"), a.targets());
    assertEquals(47000, a.port());
    assertEquals(1, a.peers());
    assertEquals(0, a.silent());
    assertEquals(Duration.ofMillis(500), a.timeout());
    assertEquals(1, a.warmups());
    assertEquals(3, a.runs());
  }

  @Test
  void parsesEveryOption() {
    ScanArgs a = ScanArgs.parse("127.77.0.0/24", "--port", "1", "--peers", "3", "--silent", "20",
        "--timeout", "200ms", "--window", "64", "--warmups", "0", "--runs", "5", "--out", "x");
    assertEquals(3, a.peers());
    assertEquals(20, a.silent());
    assertEquals(Duration.ofMillis(200), a.timeout());
    assertEquals(64, a.window());
    assertEquals(0, a.warmups());
    assertEquals(5, a.runs());
    assertEquals(Duration.ofSeconds(2), ScanArgs.parse("127.0.0.1", "--port", "1", "--timeout",
        "2s").timeout());
  }

  @Test
  void refusesAnyAddressOutsideLoopbackWithoutTheOwnerFlag() {
    for (String spec : List.of("10.0.0.0/24", "127.77.0.0/24,192.168.1.1", "172.16.0.1",
        "8.8.8.8", "127.0.0.1,10.1.2.3")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ScanArgs.parse(spec, "--port", "47000"), spec);
      assertTrue(e.getMessage().contains("outside 127.0.0.0/8")
          && e.getMessage().contains(ScanArgs.OWN_NETWORK), e.getMessage());
    }
  }

  @Test
  void looksUpNoHostNameWithoutTheOwnerFlag() {
    for (String name : List.of("localhost", "example.com", "face.b00c", "cafe")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ScanArgs.parse(name, "--port", "47000"), name);
      assertTrue(e.getMessage().contains("is a host name"), e.getMessage());
    }
  }

  @Test
  void theOwnerFlagAllowsOtherNetworks() {
    // Parsed only: this test never scans.
    ScanArgs a = ScanArgs.parse("10.0.0.0/24", "--port", "47000", ScanArgs.OWN_NETWORK);
    assertTrue(a.ownNetwork());
  }

  @Test
  void refusesBadCommandLinesWithOneClearLine() {
    assertMessage("--port is required", "127.77.0.0/24");
    assertMessage("name the ranges to scan", "--port", "1");
    assertMessage("--port must be 1..65535: 0", "127.0.0.1", "--port", "0");
    assertMessage("unknown option: --fast", "127.0.0.1", "--port", "1", "--fast");
    assertMessage("--timeout needs a duration", "127.0.0.1", "--port", "1", "--timeout", "soon");
    assertMessage("--runs needs a value", "127.0.0.1", "--port", "1", "--runs");
    assertMessage("a case scans at most 65,536", "127.0.0.0/8", "--port", "1");
  }

  @Test
  void aRefusedCommandLineExitsWithStatusTwoAndScansNothing() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = ScanMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), "10.0.0.0/24", "--port", "47000");
    assertEquals(2, status);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("error: refusing to scan 10.0.0.1"),
        err.toString(StandardCharsets.UTF_8));
  }

  private static void assertMessage(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ScanArgs.parse(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
