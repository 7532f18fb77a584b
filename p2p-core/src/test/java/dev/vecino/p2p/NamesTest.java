package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.ClassicCodec;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.internal.Hello;
import dev.vecino.p2p.internal.Names;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Names, groups and aliases refuse the bidirectional controls that would let a peer show its
 * name reversed; everything peer-chosen that reaches a log line is escaped.
 */
@Timeout(30)
class NamesTest {

  /** U+202A..U+202E (embeddings, overrides) and U+2066..U+2069 (isolates). */
  private static final int[] BIDI_CONTROLS = {
    0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069
  };

  /** Emoji made of joiners and tags, a Persian word with a non-joiner, a name with a mark. */
  private static final List<String> FINE_NAMES = List.of(
      "\uD83D\uDC69\u200D\uD83D\uDCBB ana",                      // woman technologist: ZWJ
      "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67\uDB40\uDC7F", // England flag: tags
      "\u0645\u06CC\u200C\u062E\u0648\u0627\u0645",               // ZWNJ inside a Persian word
      "ana\u200E");                                                // LRM: allowed, escaped on display

  @Test
  void namesAndGroupsRefuseEveryBidiControl() {
    for (int c : BIDI_CONTROLS) {
      String name = "ana" + (char) c + "exe.txt";
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Identity.random(name));
      assertTrue(e.getMessage().contains(String.format("U+%04X", c)), e.getMessage());
      assertTrue(e.getMessage().contains(String.format("\\u%04x", c)), "the value is shown escaped: " + e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> PeerNode.builder().group(name).build());
    }
  }

  @Test
  void emojiSequencesJoinersAndMarksStayValid() {
    for (String name : FINE_NAMES) {
      assertEquals(name, assertDoesNotThrow(() -> Identity.random(name)).name());
      byte[] body = new Hello(1, 1, PeerId.random(), 0, name, name, List.of()).encode();
      assertEquals(name, assertDoesNotThrow(() -> Hello.decode(ByteBuffer.wrap(body), 0, body.length)).name());
    }
  }

  @Test
  void helloWithABidiControlInItsNameOrGroupIsMalformed() {
    byte[] name = new Hello(1, 1, PeerId.random(), 0, "\u202Eana", "vecino", List.of()).encode();
    CodecException e = assertThrows(CodecException.class, () -> Hello.decode(ByteBuffer.wrap(name), 0, name.length));
    assertEquals("HELLO name contains a bidirectional control (U+202E)", e.getMessage());
    byte[] group = new Hello(1, 1, PeerId.random(), 0, "ana", "vec\u2067ino", List.of()).encode();
    e = assertThrows(CodecException.class, () -> Hello.decode(ByteBuffer.wrap(group), 0, group.length));
    assertEquals("HELLO group contains a bidirectional control (U+2067)", e.getMessage());
  }

  @Test
  void classicGreetingsLoseTheirBidiControlsLikeTheirControlCharacters() {
    byte[] greeting = "\u202Ebob\u2066\u0007".getBytes(StandardCharsets.UTF_8);
    assertEquals("bob", ClassicCodec.greetingName(greeting, 0, greeting.length).orElseThrow());
  }

  @Test
  void printableEscapesControlAndFormatCharactersButNotEmojiJoiners() {
    assertEquals("ana\\u000a[12:00] forged", Names.printable("ana\n[12:00] forged"));
    assertEquals("red\\u001b[31m", Names.printable("red\u001b[31m"));
    assertEquals("a\\u200bb\\u2060c\\ufeffd\\u200ee\\u00adf", Names.printable("a\u200Bb\u2060c\uFEFFd\u200Ee\u00ADf"));
    assertEquals("x\\U000e0001y", Names.printable("x\uDB40\uDC01y"), "the language tag is no emoji tag");
    for (String name : FINE_NAMES.subList(0, 3)) {
      assertSame(name, Names.printable(name), "nothing to escape: the same string, no copy");
    }
    assertEquals(null, Names.printable(null));
  }
}
