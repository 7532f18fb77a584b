package dev.vecino.p2p.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The target parser. Parsing only: these addresses are never contacted (private ranges appear
 * as text only).
 */
class TargetsTest {

  // ---- examples ----

  @Test
  void aSlash24SkipsNetworkAndBroadcast() {
    Targets t = Targets.parse("127.0.0.0/24");
    assertEquals(254, t.size());
    List<String> all = toStrings(t, 300);
    assertEquals("127.0.0.1", all.get(0));
    assertEquals("127.0.0.254", all.get(253));
  }

  @Test
  void slash31AndSlash32KeepEveryAddress() {
    assertEquals(2, Targets.parse("127.0.0.4/31").size());
    assertEquals(1, Targets.parse("127.0.0.4/32").size());
    assertEquals(2, Targets.parse("127.0.0.4/30").size());
  }

  @Test
  void dashRangesInBothForms() {
    assertEquals(Targets.parse("127.0.0.10-127.0.0.50"), Targets.parse("127.0.0.10-50"));
    assertEquals(41, Targets.parse("127.0.0.10-50").size());
    assertEquals(512, Targets.parse("127.0.0.0-127.0.1.255").size());
  }

  @Test
  void trailingWildcardsAreCidrBlocks() {
    assertEquals(Targets.parse("127.0.0.0/24"), Targets.parse("127.0.0.*"));
    assertEquals(Targets.parse("127.0.0.0/16"), Targets.parse("127.0.*.*"));
  }

  @Test
  void listsMergeAndDeduplicate() {
    Targets t = Targets.parse("127.0.0.1, 127.0.0.0/30 127.0.0.2,127.0.0.9");
    assertEquals(List.of("127.0.0.1", "127.0.0.2", "127.0.0.9"), toStrings(t, 10));
  }

  @Test
  void exclusionsAreSubtracted() {
    Targets t = Targets.parse("127.0.0.0/24").minus(Targets.parse("127.0.0.1-127.0.0.100, 127.0.0.200"));
    assertEquals(153, t.size());
    assertFalse(t.contains(addr("127.0.0.200")));
    assertTrue(t.contains(addr("127.0.0.201")));
    assertEquals("127.0.0.101", toStrings(t, 1).get(0));
  }

  @Test
  void privateRangesParseWithoutBeingContacted() {
    assertEquals(254, Targets.parse("192.168.1.0/24").size());
    assertEquals(65534, Targets.parse("10.0.*.*").size());
    assertEquals(1048574, Targets.parse("172.16.0.0/12").size());
  }

  @Test
  void ipv6AddressesOnlyExplicitly() {
    Targets t = Targets.parse("[::1] ::2");
    assertEquals(2, t.size());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Targets.parse("fe80::/64"));
    assertTrue(e.getMessage().contains("fe80::/64"), e.getMessage());
  }

  @Test
  void localhostResolves() {
    assertTrue(Targets.parse("localhost").contains(addr("127.0.0.1"))
        || Targets.parse("localhost").contains(addr("::1")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.256", "127.0.0.0/33", "127.0.0", "127.0.0.50-10", "127.*.0.1",
      "127.0.0.1-300", "127.0.0.1/", "1..2.3.4", "bad$host", "127.0.0.1-127.0.0.x"})
  void parseErrorsNameTheBadToken(String token) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Targets.parse("127.0.0.1, " + token));
    assertTrue(e.getMessage().contains("'" + token + "'"), e.getMessage());
  }

  @Test
  void theGuardNamesSizeAndLimit() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Targets.parse("127.0.0.0/15").requireAtMost(65_536));
    assertTrue(e.getMessage().contains("131070") && e.getMessage().contains("65536"), e.getMessage());
    assertEquals(65534, Targets.parse("127.1.0.0/16").requireAtMost(65_536).size());
  }

  @Test
  void describeListsRanges() {
    assertEquals(List.of("127.0.0.1-127.0.0.254 (254 addresses)", "127.0.1.7"),
        Targets.parse("127.0.0.0/24 127.0.1.7").describe());
  }

  // ---- properties ----

  @Property
  void cidrSizeFollowsThePrefix(@ForAll @LongRange(max = 0xFFFFFFFFL) long base, @ForAll @IntRange(max = 32) int prefix) {
    Targets t = Targets.parse(Targets.format(base) + "/" + prefix);
    long block = 1L << (32 - prefix);
    assertEquals(prefix <= 30 ? block - 2 : block, t.size());
  }

  @Property
  void dashShortFormEqualsLongForm(@ForAll @LongRange(max = 0xFFFFFF) long net,
      @ForAll @IntRange(max = 255) int a, @ForAll @IntRange(max = 255) int b) {
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    String start = Targets.format((net << 8) | lo);
    Targets shortForm = Targets.parse(start + "-" + hi);
    Targets longForm = Targets.parse(start + "-" + Targets.format((net << 8) | hi));
    assertEquals(longForm, shortForm);
    assertEquals(hi - lo + 1, shortForm.size());
  }

  @Property
  void wildcardEqualsTheCidrOfItsOctets(@ForAll @LongRange(max = 0xFFFFFF) long net) {
    String prefix = Targets.format(net << 8);
    String three = prefix.substring(0, prefix.lastIndexOf('.'));
    assertEquals(Targets.parse(three + ".0/24"), Targets.parse(three + ".*"));
  }

  @Property(tries = 300)
  void minusIsSetDifferenceAndIterationMatchesSize(@ForAll("smallSpecs") String include, @ForAll("smallSpecs") String exclude) {
    Targets in = Targets.parse(include);
    Targets ex = Targets.parse(exclude);
    TreeSet<Long> expected = values(in);
    expected.removeAll(values(ex));
    Targets diff = in.minus(ex);
    TreeSet<Long> actual = values(diff);
    assertEquals(expected, actual);
    assertEquals(expected.size(), diff.size());
    for (Long v : expected) {
      assertTrue(diff.contains(Targets.toAddress(v)));
    }
  }

  @Property
  void iterationIsAscendingAndMatchesSize(@ForAll("smallSpecs") String spec) {
    Targets t = Targets.parse(spec);
    long n = 0;
    long previous = -1;
    for (Iterator<InetAddress> it = t.addresses(); it.hasNext(); n++) {
      long v = Targets.toLong((java.net.Inet4Address) it.next());
      assertTrue(v > previous);
      previous = v;
    }
    assertEquals(t.size(), n);
  }

  @Property
  void garbageYieldsOnlyIllegalArgumentNamingTheToken(@ForAll("garbage") String token) {
    try {
      Targets.parse(token);
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("'"), e.getMessage());
    }
  }

  @Provide
  Arbitrary<String> smallSpecs() {
    Arbitrary<String> single = Arbitraries.integers().between(0, 1023).map(i -> Targets.format(0x7F040000L + i));
    Arbitrary<String> dash = Combinators.combine(Arbitraries.integers().between(0, 1023), Arbitraries.integers().between(0, 40))
        .as((s, len) -> Targets.format(0x7F040000L + s) + "-" + Targets.format(0x7F040000L + Math.min(1023, s + len)));
    Arbitrary<String> cidr = Combinators.combine(Arbitraries.integers().between(0, 1023), Arbitraries.integers().between(24, 32))
        .as((s, p) -> Targets.format(0x7F040000L + s) + "/" + p);
    return Arbitraries.oneOf(single, dash, cidr).list().ofMinSize(1).ofMaxSize(5).map(l -> String.join(",", l));
  }

  @Provide
  Arbitrary<String> garbage() {
    return Arbitraries.strings().withChars("0123456789./-*:[]x ").ofMinLength(1).ofMaxLength(20);
  }

  // ---- helpers ----

  private static TreeSet<Long> values(Targets t) {
    TreeSet<Long> s = new TreeSet<>();
    for (Iterator<InetAddress> it = t.addresses(); it.hasNext(); ) {
      s.add(Targets.toLong((java.net.Inet4Address) it.next()));
    }
    return s;
  }

  private static List<String> toStrings(Targets t, int max) {
    List<String> out = new ArrayList<>();
    for (Iterator<InetAddress> it = t.addresses(); it.hasNext() && out.size() < max; ) {
      out.add(it.next().getHostAddress());
    }
    return out;
  }

  private static InetAddress addr(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
