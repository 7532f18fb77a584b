package dev.vecino.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The report's charts: latency with p50, p99 and p99.9, and the scan chart. */
@Timeout(60)
class ChartsTest {

  @TempDir
  Path dir;

  @Test
  void drawsLatencyPercentilesAndScansForTheCasesThatRan() throws Exception {
    CaseSet cases = CaseSet.of(CompareMain.Mode.of("smoke"));
    int i = 1;
    for (CaseSpec c : cases.pingPong()) {
      c.runs.add(new Result().put("p50", 20 * i).put("p99", 60 * i).put("p999", 300 * i));
      i++;
    }
    // No open-loop case ran: no open-loop chart. One scan contender lacks a case (nmap
    // skipped): the others are still drawn.
    for (CaseSpec c : cases.scans()) {
      if (!c.contender.equals("nmap")) {
        c.runs.add(new Result().put("addressesPerSec", c.contender.equals("vecino") ? 8000 : 5));
      }
    }
    List<String> written = Charts.write(dir, cases);
    assertEquals(List.of(Charts.THROUGHPUT, Charts.LATENCY, Charts.SCANS), written);
    for (String png : written) {
      assertTrue(Files.size(dir.resolve(png)) > 1000, png);
    }
  }

  @Test
  void aLogarithmicChartLeavesOutCategoriesWithoutAPositiveValue() throws Exception {
    new BarChart("t", "x", "y", List.of("a", "b")).logarithmic()
        .series("s", List.of(1.0, Double.NaN)).write(dir.resolve("one.png"));
    assertTrue(Files.size(dir.resolve("one.png")) > 1000);
    BarChart none = new BarChart("t", "x", "y", List.of("a")).logarithmic()
        .series("s", List.of(0.0));
    assertThrows(IllegalStateException.class, () -> none.write(dir.resolve("none.png")));
    assertThrows(IllegalArgumentException.class,
        () -> new BarChart("t", "x", "y", List.of("a")).series("s", List.of(1.0, 2.0)));
  }
}
