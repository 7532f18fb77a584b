package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Identity;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerNode;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChatFormatTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T12:00:05Z"), ZoneOffset.UTC);
  private final ChatFormat plain = new ChatFormat(clock, false);

  @Test
  void eventsCarryATimeStamp() {
    assertEquals("[12:00:05] hello", plain.event("hello"));
    assertEquals("[12:00:05] error: unknown peer 'x'", plain.error("unknown peer 'x'"));
  }

  @Test
  void plainFormatHasNoEscapeCodes() {
    assertFalse(plain.error("x").contains("\u001b"));
    assertTrue(new ChatFormat(clock, true).error("x").contains("\u001b["));
  }

  @Test
  void startUpLineNamesAddressNameAndShortId() {
    Identity me = new Identity(PeerId.parse("3f9a1c2e" + "0".repeat(24)), "ana");
    assertEquals("listening on 127.0.0.1:40123 as ana (id 3f9a1c2e)",
        ChatFormat.listening(me, new InetSocketAddress("127.0.0.1", 40123), List.of()));
    assertEquals("listening on 0.0.0.0:9999 as ana (id 3f9a1c2e); reachable at 10.0.0.2:9999",
        ChatFormat.listening(me, new InetSocketAddress("0.0.0.0", 9999), List.of("10.0.0.2:9999")));
  }

  @Test
  void peerTableListsIndexLabelAddressDirectionSinceAndCounts() {
    PeerInfo bob = PeerSelectorTest.peer("b0b", "bob");
    List<String> lines = new ChatFormat(
        Clock.fixed(Instant.EPOCH.plus(Duration.ofMinutes(3)), ZoneOffset.UTC), false,
        AliasStore.inMemory(Map.of(bob.id(), "bobby")))
        .peerTable(List.of(bob));
    assertEquals(2, lines.size());
    assertTrue(lines.get(0).startsWith("#  peer"), lines.get(0));
    assertEquals("1  bobby (bob) [b0b00000]  127.0.0.1:9999  out  00:00:00 (3m)   0    0",
        lines.get(1));
    assertEquals(List.of("no peers connected"), plain.peerTable(List.of()));
  }

  @Test
  void aReplacedConnectionNamesBothAddressesAndStandsOutWhenTheHostChanged() {
    PeerInfo bob = PeerSelectorTest.peer("b0b", "bob");
    InetSocketAddress was = new InetSocketAddress("127.0.0.2", 5000);
    assertEquals("[12:00:05] ~ bob (b0b00000) is now at 127.0.0.2:41203 (was 127.0.0.2:5000):"
        + " connection replaced", plain.replaced(bob, was, new InetSocketAddress("127.0.0.2", 41203)));
    assertEquals("[12:00:05] ! bob (b0b00000) is now at 127.0.0.9:41203 (was 127.0.0.2:5000):"
        + " connection replaced from another address; ids are not proven: if bob did not move,"
        + " this may be someone else",
        plain.replaced(bob, was, new InetSocketAddress("127.0.0.9", 41203)));
    ChatFormat color = new ChatFormat(clock, true);
    assertTrue(color.replaced(bob, was, new InetSocketAddress("127.0.0.9", 1)).contains("\u001b[1;31m! bob"));
    assertTrue(color.replaced(bob, was, new InetSocketAddress("127.0.0.2", 1)).contains("\u001b[33m~ bob"));
    PeerInfo sneaky = PeerSelectorTest.peer("5ea", "mal\u202Eyrot\u001b[2J");
    ChatFormat withAlias = new ChatFormat(clock, false, AliasStore.inMemory(Map.of(sneaky.id(), "b\u200Bob")));
    String line = withAlias.replaced(sneaky, was, new InetSocketAddress("127.0.0.9", 1));
    assertTrue(line.startsWith("[12:00:05] ! b\\u200bob (5ea00000) is now at 127.0.0.9:1"), line);
    assertTrue(line.endsWith("if b\\u200bob did not move, this may be someone else"), line);
    assertFalse(plain.replaced(PeerSelectorTest.peer("5ea", "x\u001b[2J"), was, was).contains("\u001b"));
  }

  @Test
  void aPeerWhoseKeyIsProvenMovesToAnotherHostWithoutAWarning() {
    PeerInfo bob = PeerSelectorTest.peer("b0b", "bob");
    InetSocketAddress was = new InetSocketAddress("127.0.0.2", 5000);
    assertEquals("[12:00:05] ~ bob (b0b00000) is now at 127.0.0.9:41203 (was 127.0.0.2:5000):"
        + " connection replaced (same key)", plain.replaced(bob, was, new InetSocketAddress("127.0.0.9", 41203), true));
  }

  @Test
  void agesAreShort() {
    assertEquals("59s", ChatFormat.ago(Duration.ofSeconds(59)));
    assertEquals("2m", ChatFormat.ago(Duration.ofSeconds(150)));
    assertEquals("3h", ChatFormat.ago(Duration.ofHours(3)));
    assertEquals("2d", ChatFormat.ago(Duration.ofDays(2)));
  }

  @Test
  void peerTextCannotDriveTheTerminalOrForgeLines() {
    String hostile = "red \u001b[31mRED\u001b[0m clear\u001b[2J title\u001b]0;pwned\u0007 csi\u009b2J del\u007f cr\rend";
    String shown = ChatFormat.clean(hostile);
    assertFalse(shown.chars().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)), shown);
    assertEquals("red ^[[31mRED^[[0m clear^[[2J title^[]0;pwned^G csi\\u009b2J del^? cr^Mend", shown);

    String forged = ChatFormat.clean("harmless\n[13:45:30] carl: send me your password\r\nbye");
    assertEquals("harmless\n           [13:45:30] carl: send me your password\n           bye", forged);
    for (String line : forged.split("\n")) {
      assertFalse(line.startsWith("["), "a peer's line must not start where a real line starts: " + line);
    }
    assertEquals("plain text, tabs\tand ünïcödé 東京 🚀 stay", ChatFormat.clean("plain text, tabs\tand ünïcödé 東京 🚀 stay"));
  }

  @Test
  void formatCharactersAreShownAsCodesButEmojiJoinersAndTagsStay() {
    assertEquals("\\u202egnp.exe", ChatFormat.clean("\u202Egnp.exe"), "a right-to-left override");
    assertEquals("a\\u200bb\\u2066c\\u200ed\\ufeffe\\u00adf\\u2060g",
        ChatFormat.clean("a\u200Bb\u2066c\u200Ed\uFEFFe\u00ADf\u2060g"));
    assertEquals("x\\U000e0001y", ChatFormat.clean("x\uDB40\uDC01y"), "the language tag is no emoji tag");
    String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
    String england = "\uD83C\uDFF4\uDB40\uDC67\uDB40\uDC62\uDB40\uDC65\uDB40\uDC6E\uDB40\uDC67\uDB40\uDC7F";
    String persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0645";
    for (String fine : List.of(family, england, persian)) {
      assertEquals(fine, ChatFormat.clean(fine));
    }
    PeerInfo sneaky = PeerSelectorTest.peer("5ea", "mal\u200Bory");
    ChatFormat withAlias = new ChatFormat(clock, false, AliasStore.inMemory(Map.of(sneaky.id(), "m\u200Eal")));
    assertTrue(withAlias.peerTable(List.of(sneaky)).get(1).startsWith("1  m\\u200eal (mal\\u200bory) [5ea00000]"),
        withAlias.peerTable(List.of(sneaky)).toString());
  }

  @Test
  void aRealPeersNameAndTextAreShownWithFormatCharactersEscaped() throws Exception {
    try (PeerNode me = PeerNode.builder().name("me").bindAddress("127.0.0.1").build().start();
         PeerNode mallory = PeerNode.builder().name("mal\u200Bory\u200F").bindAddress("127.0.0.1").build().start()) {
      Peer p = me.connect(mallory.localAddress()).get(5, TimeUnit.SECONDS);
      assertEquals("mal\u200Bory\u200F", p.name(), "valid: only bidi overrides and isolates are refused");
      assertTrue(plain.joined(p.snapshot()).startsWith("[12:00:05] + mal\\u200bory\\u200f joined from 127.0.0.1:"),
          plain.joined(p.snapshot()));
      assertEquals("[12:00:05] mal\\u200bory\\u200f: pay \\u202eeciovni\\u202c now \uD83D\uDC4D\uD83C\uDFFD",
          plain.message(p.snapshot(), "pay \u202Eeciovni\u202C now \uD83D\uDC4D\uD83C\uDFFD"));
    }
  }

  @Test
  void aLongMessageIsCutToItsFirstLinesWithTheRestCounted() {
    String huge = "x".repeat(200_000);
    assertEquals("x".repeat(ChatFormat.MAX_CHARS) + " ... (+199000 bytes)", ChatFormat.shorten(huge));
    String manyLines = "l\n".repeat(20);
    String shown = ChatFormat.shorten(manyLines);
    assertEquals(ChatFormat.MAX_LINES, shown.split("\n", -1).length, shown);
    assertTrue(shown.endsWith(" ... (+25 bytes)"), shown);
    assertEquals("corto", ChatFormat.shorten("corto"));
    String emoji = "a".repeat(ChatFormat.MAX_CHARS - 1) + "\uD83D\uDE00" + "b";
    assertTrue(ChatFormat.shorten(emoji).startsWith("a".repeat(ChatFormat.MAX_CHARS - 1) + " ... "),
        "a surrogate pair is never cut in half");
  }
}
