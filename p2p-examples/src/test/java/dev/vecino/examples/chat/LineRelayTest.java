package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineRelayTest {

  private final List<String> lines = new ArrayList<>();
  private final LineRelay relay = new LineRelay(lines::add);

  @Test
  void handsOverEachCompleteLineWithoutItsTerminator() {
    PrintStream err = new PrintStream(relay, true, StandardCharsets.UTF_8);
    err.println("12:00:01.123 WARN ana/3f2a9c01: refused 'bob'");
    err.print("two\r\nlines\nand a ");
    assertEquals(List.of("12:00:01.123 WARN ana/3f2a9c01: refused 'bob'", "two", "lines"), lines);
    err.print("half\n");
    assertEquals("and a half", lines.get(3));
  }

  @Test
  void aCharacterSplitAcrossWritesStaysWhole() {
    byte[] tokyo = "東京\n".getBytes(StandardCharsets.UTF_8);
    for (byte b : tokyo) {
      relay.write(b);
    }
    relay.write(tokyo, 0, 2);
    relay.write(tokyo, 2, tokyo.length - 2);
    assertEquals(List.of("東京", "東京"), lines);
  }

  @Test
  void closeHandsOverALastLineWithoutTerminator() {
    relay.write("tail".getBytes(StandardCharsets.UTF_8), 0, 4);
    assertEquals(List.of(), lines);
    relay.close();
    relay.close();
    assertEquals(List.of("tail"), lines);
  }
}
