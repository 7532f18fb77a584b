package dev.vecino.p2p.scan;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;

/** Computes the default scan targets from the machine's interfaces. */
final class LocalSubnets {

  /** The widest subnet swept by default: a /22 (1,022 addresses). */
  static final int WIDEST_PREFIX = 22;

  private static final List<String> VIRTUAL_PREFIXES =
      List.of("docker", "br-", "virbr", "veth", "tun", "tap", "wg");

  /** One interface address: the address and its prefix length. */
  record Address(Inet4Address address, int prefix) {}

  /** What the default-target rule needs to know about an interface. */
  record Interface(String name, boolean up, boolean loopback, List<Address> addresses) {
    Interface {
      addresses = List.copyOf(addresses);
    }
  }

  private LocalSubnets() {}

  static boolean isVirtual(String name) {
    for (String p : VIRTUAL_PREFIXES) {
      if (name.startsWith(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The rule: subnets of up, non-loopback interfaces (virtual ones only when named; only the
   * named ones when any are named), each capped at {@link #WIDEST_PREFIX}, minus every address
   * of every interface.
   */
  static Targets of(List<Interface> interfaces, Set<String> named) {
    Targets.RangeSet subnets = new Targets.RangeSet();
    Targets.RangeSet own = new Targets.RangeSet();
    StringBuilder text = new StringBuilder();
    for (Interface i : interfaces) {
      for (Address a : i.addresses()) {
        long v = Targets.toLong(a.address());
        own.add(v, v);
      }
      boolean chosen = named.isEmpty()
          ? i.up() && !i.loopback() && !isVirtual(i.name())
          : named.contains(i.name()) && i.up();
      if (!chosen) {
        continue;
      }
      for (Address a : i.addresses()) {
        int prefix = Math.max(a.prefix(), WIDEST_PREFIX);
        long size = 1L << (32 - prefix);
        long network = Targets.toLong(a.address()) & ~(size - 1) & 0xFFFFFFFFL;
        if (prefix <= 30) {
          subnets.add(network + 1, network + size - 2);
        } else {
          subnets.add(network, network + size - 1);
        }
        text.append(text.length() == 0 ? "" : ",").append(Targets.format(network)).append('/').append(prefix);
      }
    }
    return Targets.ofRanges(subnets, text.toString()).minus(Targets.ofRanges(own, "own addresses"));
  }

  static List<Interface> interfaces() {
    List<Interface> list = new ArrayList<>();
    try {
      Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
      while (all != null && all.hasMoreElements()) {
        NetworkInterface ni = all.nextElement();
        List<Address> addresses = new ArrayList<>();
        for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
          if (ia.getAddress() instanceof Inet4Address a4) {
            addresses.add(new Address(a4, ia.getNetworkPrefixLength()));
          }
        }
        list.add(new Interface(ni.getName(), ni.isUp(), ni.isLoopback(), addresses));
      }
    } catch (SocketException e) {
      throw new UncheckedIOException("cannot list network interfaces", e);
    }
    return list;
  }
}
