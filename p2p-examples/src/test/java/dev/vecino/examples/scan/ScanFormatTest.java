package dev.vecino.examples.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScanFormatTest {

  @Test
  void progressBarShowsFillPercentAndCounts() {
    assertEquals("[#####.....]  50% 127/254, 1 peer", ProgressBar.render(127, 254, 1, 10));
    assertEquals("[..........]   0% 0/0, 0 peers", ProgressBar.render(0, 0, 0, 10));
    assertEquals("[##########] 100% 254/254, 3 peers", ProgressBar.render(254, 254, 3, 10));
  }

  @Test
  void percentReachesHundredOnlyAtTheEnd() {
    assertEquals(99, ProgressBar.percent(253, 254));
    assertEquals(100, ProgressBar.percent(254, 254));
  }

  @Test
  void jsonLinesEscapeStringsAndKeepKeyOrder() {
    assertEquals("{\"type\":\"peer\",\"address\":\"127.0.0.2\",\"port\":9999,"
            + "\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"group\":null}",
        JsonLine.of("peer").put("address", "127.0.0.2").put("port", 9999)
            .put("name", "a\"b\\c\n\u0001").put("group", null).toString());
  }
}
