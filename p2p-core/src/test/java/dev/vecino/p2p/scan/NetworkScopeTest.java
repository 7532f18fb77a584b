package dev.vecino.p2p.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing, matching and subtraction of network scopes; no socket is opened. */
class NetworkScopeTest {

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void allowsExactlyTheAddressesOfItsBlocks() throws Exception {
    NetworkScope s = NetworkScope.parse("127.0.0.0/8, 198.18.0.0/15 ::1");
    assertTrue(s.allows(ip("127.255.0.9")));
    assertTrue(s.allows(ip("198.18.0.1")));
    assertTrue(s.allows(ip("198.19.255.255")));
    assertTrue(s.allows(ip("::1")));
    assertFalse(s.allows(ip("198.20.0.0")));
    assertFalse(s.allows(ip("198.17.255.255")));
    assertFalse(s.allows(ip("128.0.0.1")));
    assertFalse(s.allows(ip("::2")));
  }

  @Test
  void normalisesHostBitsAndPlainAddresses() {
    NetworkScope s = NetworkScope.of("127.0.0.1/8", "10.1.2.3", "fe80::1/10");
    assertEquals(List.of("127.0.0.0/8", "10.1.2.3/32", "fe80:0:0:0:0:0:0:0/10"), s.cidrs());
    assertEquals(s, NetworkScope.parse(s.toString()));
  }

  @Test
  void refusesNamesBadPrefixesShortFormsAndEmptyScopes() {
    for (String bad : List.of("localhost", "127.0.0.0/33", "::1/129", "127.1", "127.0.0.0/x", "10.0.0.0/-1")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NetworkScope.parse(bad), bad);
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> NetworkScope.parse("  "));
  }

  @Test
  void outsideListsTheTargetsNotInScope() {
    NetworkScope s = NetworkScope.parse("127.0.0.0/30");
    Targets out = s.outside(Targets.parse("127.0.0.1-127.0.0.6, ::1"));
    assertEquals(List.of("127.0.0.4-127.0.0.6 (3 addresses)", "0:0:0:0:0:0:0:1"), out.describe());
    assertTrue(NetworkScope.parse("127.0.0.0/8,::1").outside(Targets.parse("127.0.0.0/16, ::1")).isEmpty());
  }

  @Test
  void aZeroPrefixAllowsTheWholeFamily() throws Exception {
    NetworkScope s = NetworkScope.parse("0.0.0.0/0");
    assertTrue(s.allows(ip("203.0.113.7")));
    assertFalse(s.allows(ip("::1")));
  }

  @Test
  void theOnLinkDefaultIsLoopbackPlusEachUpInterfaceSubnet() throws Exception {
    LocalSubnets.Interface eth = new LocalSubnets.Interface("eth0", true, false,
        List.of(new LocalSubnets.Address((Inet4Address) ip("10.20.30.40"), 16)));
    LocalSubnets.Interface down = new LocalSubnets.Interface("eth1", false, false,
        List.of(new LocalSubnets.Address((Inet4Address) ip("172.16.5.5"), 24)));
    NetworkScope s = NetworkScope.onLink(List.of(eth, down));
    assertEquals(List.of("127.0.0.0/8", "0:0:0:0:0:0:0:1/128", "10.20.0.0/16"), s.cidrs());
    assertTrue(s.allows(ip("10.20.255.1")));
    assertFalse(s.allows(ip("10.21.0.1")), "routed networks are outside");
    assertFalse(s.allows(ip("172.16.5.6")), "a down interface adds nothing");
    // The default discovery targets (a /22 around the address) always lie inside the default scope.
    assertTrue(s.outside(LocalSubnets.of(List.of(eth), Set.of())).isEmpty());
  }
}
