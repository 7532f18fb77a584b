package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every log line names its node: runs {@link LogScenario} in a child JVM that logs everything
 * (TRACE, every logger) and checks that each line's message starts with the log name of one of
 * its nodes ({@code <name>/<short id>}), whichever thread wrote it.
 */
@Timeout(120)
class LogPrefixTest {

  /** slf4j-simple's line with the thread shown: {@code [thread] LEVEL logger - message}. */
  private static final Pattern LINE = Pattern.compile("^\\[([^\\]]+)\\] (TRACE|DEBUG|INFO|WARN|ERROR) (\\S+) - (.*)$");
  /** A line of a logged exception's stack trace. */
  private static final Pattern TRACE = Pattern.compile(
      "^(\\tat |\\t\\.\\.\\. \\d+ more|Caused by: |\\tSuppressed: |\\t\\tat |\\t\\t\\.\\.\\. |[\\w.$]+(Exception|Error)(: .*)?$).*");

  @Test
  void everyLineOfARunNamesItsNode(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    Process child = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
        "-Dorg.slf4j.simpleLogger.showThreadName=true",
        "-Dorg.slf4j.simpleLogger.showDateTime=false",
        "-cp", System.getProperty("java.class.path"), LogScenario.class.getName())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(child.waitFor(90, TimeUnit.SECONDS), "the scenario did not finish");
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), "scenario failed:\n" + stdout + "\n" + stderr);
    assertTrue(stdout.contains("DONE"), stdout);

    List<String> nodes = new ArrayList<>();
    for (String line : stdout.split("\n")) {
      if (line.startsWith("NODE ")) {
        nodes.add(line.substring("NODE ".length()).trim());
      }
    }
    assertEquals(3, nodes.size(), stdout);

    List<String> unnamed = new ArrayList<>();
    List<String> threads = new ArrayList<>();
    int logLines = 0;
    for (String line : stderr.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (m.matches()) {
        logLines++;
        threads.add(m.group(1));
        if (nodes.stream().noneMatch(n -> m.group(4).startsWith(n + ":") || m.group(4).startsWith(n + " "))) {
          unnamed.add(line);
        }
      } else if (!line.isEmpty() && !TRACE.matcher(line).matches()) {
        unnamed.add(line);
      }
    }
    assertEquals(List.of(), unnamed, "lines that do not start with a node's name (" + nodes + ")");
    // The run reached the lines this test is about: lifecycle, refusals, listener failures, scans.
    assertTrue(logLines >= 20, "too few lines to prove anything:\n" + stderr);
    for (String expected : List.of(": started, group", "rejected inbound connection", "listener failed", ": task failed",
        ": scan round 1", ": closed")) {
      assertTrue(stderr.contains(expected), "no line with '" + expected + "':\n" + stderr);
    }
    assertTrue(threads.stream().anyMatch(t -> t.startsWith("vecino-io-")), "no line from an I/O thread: " + threads);
    assertTrue(threads.stream().anyMatch(t -> t.startsWith("vecino-callback-")),
        "no line from a callback thread: " + threads);
  }
}
