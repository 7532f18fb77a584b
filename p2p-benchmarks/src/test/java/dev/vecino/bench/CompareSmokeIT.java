package dev.vecino.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the comparison in smoke mode exactly as documented (the shaded jar, a fresh JVM per
 * case) and checks that every case ran and reported sane numbers. The runner itself asserts
 * the numbers and exits non-zero on any problem; this test checks the exit status, that the
 * report and the result table exist, and that every target of the targets table was computed
 * (never whether it was met: smoke runs are too short for that). Everything talks to 127.0.0.1
 * only.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CompareSmokeIT {

  @Test
  void smokeModeRunsEveryCaseAndReportsSaneNumbers() throws Exception {
    Path jar = Paths.get(System.getProperty("vecino.bench.jar", "target/benchmarks.jar"));
    Path out = Paths.get(System.getProperty("vecino.bench.out", "target/smoke"));
    assertTrue(Files.isRegularFile(jar), "benchmarks jar missing: " + jar);
    Files.createDirectories(out);
    Path log = out.resolve("compare.log");
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    // JMH's machine-wide lock would fail the smoke run whenever another JMH run is active.
    Process p = new ProcessBuilder(java, "-Djmh.ignoreLock=true", "-cp", jar.toString(),
        "dev.vecino.bench.compare.CompareMain", "--mode", "smoke", "--out", out.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    boolean done = p.waitFor(4, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    String text = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(done, "smoke run did not finish in 4 minutes:\n" + text);
    assertEquals(0, p.exitValue(), "smoke run reported problems:\n" + text);
    List<String> csv = Files.readAllLines(out.resolve("benchmarks-results.csv"));
    for (String id : List.of("oneway-64/nio-ceiling-2t", "oneway-64/nio-ceiling-1t",
        "oneway-64/vecino-executor", "oneway-64/vecino-direct",
        "oneway-64/vecino-trysend-payload", "oneway-64/vecino-trysendmore-payload",
        "oneway-64/blocking-socket", "oneway-64/netty", "oneway-64/jeromq",
        "oneway-1024/vecino-executor", "oneway-1024/nio-ceiling-2t", "pingpong-64/vecino-direct",
        "pingpong-64/vecino-public-api", "pingpong-64/vecino-executor",
        "pingpong-64/blocking-socket", "echo-64/blocking-socket", "echo-64/vecino-echo-client",
        "idle-64/vecino-trysend-payload", "openloop-64/vecino-direct",
        "jmh/DispatchBench.oneWay", "jmh/PingPongBench.roundTrip", "jmh/CodecBench.encode",
        "jmh/BroadcastBench.fanOut", "jmh/ConnectBench.connectAndHandshake")) {
      // A case id ends at the comma; a JMH benchmark's name at its parameters' bracket.
      assertTrue(csv.stream().anyMatch(l -> l.startsWith(id + ",") || l.startsWith(id + "[")),
          "no result for " + id);
    }
    // Every target is computed (PASS or FAIL: a smoke run is too short to judge one).
    List<String> targets = Files.readAllLines(out.resolve("benchmarks-targets.csv"));
    assertEquals(8, targets.size(), "header and 7 targets:\n" + targets);
    for (String t : targets.subList(1, targets.size())) {
      assertTrue(t.contains(",PASS,") || t.contains(",FAIL,"), "target not computed: " + t);
    }
    File md = out.resolve("benchmarks.md").toFile();
    assertTrue(md.length() > 1000, "report too short");
  }
}
