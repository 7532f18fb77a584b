package dev.vecino.p2p.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.discovery.RangeScanDiscovery;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortsTest {

  @Test
  void oneListAndRange() {
    assertEquals(1, Ports.parse("9999").count());
    assertEquals(2, Ports.parse("9999,10000").count());
    assertEquals(11, Ports.parse("9000-9010").count());
    assertEquals("9000-9010,9999", Ports.parse("9999, 9000-9005,9003-9010").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "65536", "10-5", "x", "9000-", "-9000", "1-2-3"})
  void errorsNameTheBadToken(String token) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ports.parse("80," + token));
    assertTrue(e.getMessage().contains("'" + token + "'"), e.getMessage());
  }

  @Property
  void rangesRoundTrip(@ForAll @IntRange(min = 1, max = 65535) int a, @ForAll @IntRange(min = 1, max = 65535) int b) {
    int lo = Math.min(a, b);
    int hi = Math.max(a, b);
    Ports p = Ports.parse(lo + "-" + hi);
    assertEquals(hi - lo + 1, p.count());
    assertEquals(p, Ports.parse(p.toString()));
  }

  @Test
  void candidatesVisitEachAddressWithEveryPort() {
    RangeScanDiscovery d = RangeScanDiscovery.of(Targets.parse("127.0.0.1-2"), Ports.parse("7,9-10"));
    StringBuilder b = new StringBuilder();
    d.candidates(1).forEachRemaining(a -> b.append(a.getAddress().getHostAddress()).append(':').append(a.getPort()).append(' '));
    assertEquals("127.0.0.1:7 127.0.0.1:9 127.0.0.1:10 127.0.0.2:7 127.0.0.2:9 127.0.0.2:10 ", b.toString());
    assertEquals(6, d.size(1));
    assertEquals(2, RangeScanDiscovery.of(Targets.parse("127.0.0.1-2")).size(4242));
  }
}
