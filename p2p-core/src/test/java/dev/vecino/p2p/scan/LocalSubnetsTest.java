package dev.vecino.p2p.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The default-target rule on made-up interfaces: computed, never scanned (these addresses are
 * only text here).
 */
class LocalSubnetsTest {

  private static final List<LocalSubnets.Interface> MACHINE = List.of(
      iface("lo", true, true, "127.0.0.1", 8),
      iface("eth0", true, false, "192.168.1.20", 24),
      iface("wlan0", false, false, "192.168.7.3", 24),
      iface("corp0", true, false, "10.20.30.40", 16),
      iface("docker0", true, false, "172.17.0.1", 16),
      iface("veth12ab", true, false, "169.254.1.1", 16),
      iface("wg0", true, false, "10.99.0.2", 24));

  @Test
  void usesUpNonLoopbackNonVirtualInterfacesCappedAtSlash22MinusOwnAddresses() {
    Targets t = LocalSubnets.of(MACHINE, Set.of());
    // eth0: /24 = 254 minus its own address; corp0: /16 capped to /22 = 1022 minus its own.
    assertEquals(253 + 1021, t.size());
    assertFalse(t.contains(a("192.168.1.20")), "own address");
    assertTrue(t.contains(a("192.168.1.21")));
    assertTrue(t.contains(a("10.20.28.1")) && t.contains(a("10.20.31.254")));
    assertFalse(t.contains(a("10.20.27.255")), "capped at /22");
    assertFalse(t.contains(a("172.17.0.2")), "docker bridge skipped");
    assertFalse(t.contains(a("10.99.0.3")), "tunnel skipped");
    assertFalse(t.contains(a("192.168.7.4")), "down interface skipped");
    assertFalse(t.contains(a("127.0.0.2")), "loopback skipped");
  }

  @Test
  void aNamedVirtualInterfaceIsUsed() {
    Targets t = LocalSubnets.of(MACHINE, Set.of("docker0"));
    assertEquals(1021, t.size());
    assertTrue(t.contains(a("172.17.0.2")));
    assertFalse(t.contains(a("192.168.1.21")));
  }

  @Test
  void theDoctorCallsVirtualWhatTheDefaultTargetsSkip() {
    // Diagnostics (internal) names the skipped interface from its own copy of the rule.
    for (String name : List.of("docker0", "br-1a2b", "virbr0", "veth12ab", "tun0", "tap3", "wg0", "eth0", "wlan0",
        "enp3s0", "lo", "bridge0", "vmnet1", "")) {
      dev.vecino.p2p.internal.Datagrams.Link link = new dev.vecino.p2p.internal.Datagrams.Link(name,
          (Inet4Address) a("198.18.0.1"), 24, null, true, false);
      assertEquals(LocalSubnets.isVirtual(name), link.virtual(), name);
    }
  }

  private static LocalSubnets.Interface iface(String name, boolean up, boolean loopback, String address, int prefix) {
    return new LocalSubnets.Interface(name, up, loopback, List.of(new LocalSubnets.Address((Inet4Address) a(address), prefix)));
  }

  private static InetAddress a(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
