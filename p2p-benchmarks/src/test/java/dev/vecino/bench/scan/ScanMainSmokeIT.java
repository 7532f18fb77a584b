package dev.vecino.bench.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the scan benchmark as documented (the shaded jar, its own JVM) on a loopback /24 with a
 * peer and silent addresses, and checks the table, the chart and the CSV. 127.89.7.0/24 only.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ScanMainSmokeIT {

  private static final String RANGE = "127.89.7.0/24";

  @Test
  void scansALoopbackRangeAndWritesTableChartAndCsv() throws Exception {
    Path jar = Paths.get(System.getProperty("vecino.bench.jar", "target/benchmarks.jar"));
    Path out = Paths.get(System.getProperty("vecino.bench.out", "target/smoke")).resolve("scan");
    assertTrue(Files.isRegularFile(jar), "benchmarks jar missing: " + jar);
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.89.7.1"))) {
      port = probe.getLocalPort();
    }
    Run run = java(jar, RANGE, "--port", Integer.toString(port), "--silent", "5", "--timeout",
        "200ms", "--warmups", "1", "--runs", "2", "--out", out.toString());
    assertEquals(0, run.status, run.text);
    // | targets | addresses | peers | silent | found | ...
    assertTrue(run.text.contains("| " + RANGE + " | 254 | 1 | 5 | 1 | "), run.text);
    assertTrue(run.text.contains("timeout 200 ms, window 256, 1 warm-up + 2 timed scans"),
        run.text);
    byte[] png = Files.readAllBytes(out.resolve(ScanMain.CHART));
    assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G',
        "not a PNG chart");
    List<String> csv = Files.readAllLines(out.resolve(ScanMain.CSV));
    assertEquals(3, csv.size(), "header and one line per timed run:\n" + csv);
    for (String line : csv.subList(1, csv.size())) {
      // targets,addresses,peers,silent,run,probed,found,closed,timedOut,...
      String[] f = line.split(",");
      assertEquals("254", f[5], line);
      assertEquals("1", f[6], line);
      assertEquals("248", f[7], line);
      assertEquals("5", f[8], line);
      assertTrue(Double.parseDouble(f[10]) > 0, line);
    }
  }

  @Test
  void refusesARangeOffLoopbackBeforeScanning() throws Exception {
    Path jar = Paths.get(System.getProperty("vecino.bench.jar", "target/benchmarks.jar"));
    Run run = java(jar, "10.0.0.0/24", "--port", "47000");
    assertEquals(2, run.status, run.text);
    assertTrue(run.text.contains("error: refusing to scan 10.0.0.1"), run.text);
    assertTrue(!run.text.contains("warm-up") && !run.text.contains("| targets |"), run.text);
  }

  private record Run(int status, String text) {}

  private static Run java(Path jar, String... args) throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", jar.toString(),
        ScanMain.class.getName()));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile("scanmain", ".log");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
          .start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return new Run(-1, "ran past 90 s:\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
