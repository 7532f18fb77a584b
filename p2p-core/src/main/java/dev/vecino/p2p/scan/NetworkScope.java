package dev.vecino.p2p.scan;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The addresses a node may send discovery traffic to: a list of CIDR blocks. Every scan,
 * probe (also the probe that becomes a scan-found peer's connection), beacon and beacon reply
 * is checked against the node's scope before it is sent; anything outside is refused with
 * {@link dev.vecino.p2p.OutOfScopeException} (whole scans) or counted as
 * {@link ScanStatus#OUT_OF_SCOPE} (single candidates). Explicit {@code connect} calls and
 * reconnects to known peers are not limited: they name one address the user chose.
 *
 * <p>Where the scope comes from: {@code PeerNodeBuilder.networkScope}, the system property
 * {@value #PROPERTY} and the environment variable {@value #ENVIRONMENT_VARIABLE}, each a
 * list of CIDRs separated by commas or white space. Each one that is set narrows the others:
 * an address must be in every scope that is set. So a test run or CI job that sets the
 * property or the variable cannot be widened by code. When none is set, the scope is
 * {@link #onLink()}: loopback plus the subnets of the machine's up interfaces.
 *
 * <p>Entries: an IPv4 or IPv6 address literal with an optional prefix length
 * ({@code 127.0.0.0/8}, {@code 198.18.0.0/15}, {@code ::1}, {@code fe80::/10}); a plain address
 * is a /32 (or /128). Host names are refused: a scope never depends on DNS.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class NetworkScope {

  /** The system property that sets (narrows) the scope of every node in the JVM. */
  public static final String PROPERTY = "vecino.networkScope";
  /** The environment variable that sets (narrows) the scope of every node in the process. */
  public static final String ENVIRONMENT_VARIABLE = "VECINO_NETWORK_SCOPE";

  /** One CIDR block: the network's bytes (host bits cleared) and its prefix length. */
  private record Block(byte[] network, int prefix) {
    boolean contains(InetAddress a) {
      byte[] b = a.getAddress();
      if (b.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (b[full] & mask) == (network[full] & mask);
    }

    String text() {
      try {
        return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
      } catch (UnknownHostException e) {
        throw new AssertionError("4 or 16 bytes are always an address", e);
      }
    }
  }

  private final List<Block> blocks;
  /** The IPv4 blocks as inclusive ranges, to subtract from {@link Targets} quickly. */
  private final Targets v4;

  private NetworkScope(List<Block> blocks) {
    this.blocks = List.copyOf(blocks);
    Targets.RangeSet set = new Targets.RangeSet();
    for (Block b : blocks) {
      if (b.network().length == 4) {
        long start = Targets.toLong((Inet4Address) address(b.network()));
        set.add(start, start + (1L << (32 - b.prefix())) - 1);
      }
    }
    this.v4 = Targets.ofRanges(set, toString());
  }

  /**
   * Parses a scope: CIDR blocks separated by commas or white space (see the class
   * documentation).
   *
   * @param spec the blocks, e.g. {@code "127.0.0.0/8, 198.18.0.0/15"}
   * @return the scope
   * @throws IllegalArgumentException naming the first bad entry, or if there is none
   */
  public static NetworkScope parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    return of(spec.trim().isEmpty() ? new String[0] : spec.trim().split("[,\\s]+"));
  }

  /**
   * Returns the scope of the given CIDR blocks.
   *
   * @param cidrs the blocks, at least one
   * @return the scope
   * @throws IllegalArgumentException naming the first bad entry, or if there is none
   */
  public static NetworkScope of(String... cidrs) {
    List<Block> list = new ArrayList<>();
    for (String c : cidrs) {
      Objects.requireNonNull(c, "cidr");
      if (!c.isBlank()) {
        list.add(block(c.trim()));
      }
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("a network scope needs at least one CIDR block");
    }
    return new NetworkScope(list);
  }

  /**
   * Returns the default scope, as the machine's interfaces are now: {@code 127.0.0.0/8},
   * {@code ::1}, and the subnet of every IPv4 address of every up interface, with that
   * address's own prefix length (a /16 interface gives its whole /16; virtual interfaces
   * included, as they are on-link too). Routed networks are outside it.
   *
   * @return the scope
   * @throws java.io.UncheckedIOException if the interfaces cannot be listed
   */
  public static NetworkScope onLink() {
    return onLink(LocalSubnets.interfaces());
  }

  static NetworkScope onLink(List<LocalSubnets.Interface> interfaces) {
    List<String> cidrs = new ArrayList<>(List.of("127.0.0.0/8", "::1/128"));
    for (LocalSubnets.Interface i : interfaces) {
      if (!i.up()) {
        continue;
      }
      for (LocalSubnets.Address a : i.addresses()) {
        cidrs.add(a.address().getHostAddress() + "/" + a.prefix());
      }
    }
    return of(cidrs.toArray(new String[0]));
  }

  /**
   * Returns whether this scope holds {@code address}. An IPv4-mapped IPv6 address counts as its
   * IPv4 address (the JDK maps it so already).
   *
   * @param address the destination
   * @return true if sending to it is allowed
   */
  public boolean allows(InetAddress address) {
    Objects.requireNonNull(address, "address");
    for (Block b : blocks) {
      if (b.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the addresses of {@code targets} that this scope does not hold.
   *
   * @param targets the addresses to check
   * @return the ones outside, possibly empty
   */
  public Targets outside(Targets targets) {
    Objects.requireNonNull(targets, "targets");
    List<Inet6Address> allowed6 = new ArrayList<>();
    for (Inet6Address a : targets.v6Addresses()) {
      if (allows(a)) {
        allowed6.add(a);
      }
    }
    return targets.minus(v4.withV6(allowed6));
  }

  /**
   * Returns the blocks, normalised ({@code 127.0.0.1/8} reads {@code 127.0.0.0/8}).
   *
   * @return an immutable list
   */
  public List<String> cidrs() {
    return blocks.stream().map(Block::text).toList();
  }

  /** Two scopes are equal when they list the same blocks in the same order. */
  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkScope s && cidrs().equals(s.cidrs());
  }

  @Override
  public int hashCode() {
    return cidrs().hashCode();
  }

  /** Returns the blocks, comma-separated. */
  @Override
  public String toString() {
    return String.join(",", cidrs());
  }

  private static Block block(String entry) {
    int slash = entry.indexOf('/');
    String host = slash < 0 ? entry : entry.substring(0, slash);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty() || !host.chars().allMatch(ch -> Character.digit(ch, 16) >= 0 || ch == '.' || ch == ':')) {
      throw new IllegalArgumentException("bad network scope entry '" + entry
          + "': expected an address literal with an optional /prefix, e.g. 127.0.0.0/8");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad network scope entry '" + entry + "': not an address", e);
    }
    if (host.indexOf(':') < 0 && host.chars().filter(ch -> ch == '.').count() != 3) {
      // getByName accepts "127.1" and "10"; a scope names every octet.
      throw new IllegalArgumentException("bad network scope entry '" + entry + "': write all four octets");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException("bad network scope entry '" + entry + "': prefix must be 0.." + bits);
      }
    }
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      bytes[i] &= (byte) ((0xFF << (8 - keep)) & 0xFF);
    }
    return new Block(bytes, prefix);
  }

  private static InetAddress address(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an address", e);
    }
  }
}
