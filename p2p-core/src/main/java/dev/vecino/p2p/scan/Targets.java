package dev.vecino.p2p.scan;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * A set of addresses to scan, parsed from nmap-style target expressions.
 *
 * <p>Accepted tokens, separated by commas or white space:
 * <ul>
 *   <li>an IPv4 address: {@code 127.0.0.5};
 *   <li>a CIDR block: {@code 127.0.0.0/24}; with a prefix of /30 or shorter the network and
 *       broadcast addresses are skipped, so a /24 holds 254 addresses;
 *   <li>a dash range: {@code 127.0.0.10-127.0.0.50}, or with the last octet only:
 *       {@code 127.0.0.10-50};
 *   <li>trailing wildcards: {@code 127.0.0.*} is {@code 127.0.0.0/24}, {@code 127.0.*.*} is
 *       {@code 127.0.0.0/16};
 *   <li>an IPv6 address, plain or in brackets: {@code ::1}, {@code [::1]}. IPv6 ranges are
 *       refused: a /64 is never swept;
 *   <li>a host name: resolved once, when parsed (a blocking DNS lookup on the calling thread);
 *       its IPv4 addresses are used, or its IPv6 ones when it has no IPv4 address.
 * </ul>
 * Duplicates are merged and addresses are visited in ascending order (IPv4 first, then IPv6).
 * Exclusions are subtracted with {@link #minus(Targets)}.
 *
 * <p>A {@code Targets} is never materialised address by address: it keeps ranges, and
 * {@link #addresses()} produces addresses lazily, so a /16 costs a few bytes.
 *
 * <pre>{@code
 * Targets lab = Targets.parse("127.0.0.0/24, 127.0.1.10-20");   // 254 + 11 addresses
 * Targets others = lab.minus(Targets.of("127.0.0.1"));         // all but one
 * System.out.println(others.size() + " addresses: " + others.describe());
 * ScanReport report = node.scan(others, Ports.of(9999)).report().join();
 * }</pre>
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class Targets {

  private static final Targets EMPTY = new Targets(new long[0], new long[0], List.of(), "");

  /** Inclusive starts of disjoint, sorted IPv4 ranges, as unsigned 32-bit values. */
  private final long[] starts;
  /** Inclusive ends, parallel to {@link #starts}. */
  private final long[] ends;
  private final List<Inet6Address> v6;
  private final String text;

  private Targets(long[] starts, long[] ends, List<Inet6Address> v6, String text) {
    this.starts = starts;
    this.ends = ends;
    this.v6 = List.copyOf(v6);
    this.text = text;
  }

  /**
   * Returns the empty set of targets.
   *
   * @return no addresses
   */
  public static Targets none() {
    return EMPTY;
  }

  /**
   * Parses a target expression (see the class documentation).
   *
   * @param spec tokens separated by commas or white space
   * @return the targets
   * @throws IllegalArgumentException naming the first bad token (also for an unknown host)
   */
  public static Targets parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    return of(spec.trim().isEmpty() ? new String[0] : spec.trim().split("[,\\s]+"));
  }

  /**
   * Parses target tokens (see the class documentation); each token may itself hold several
   * separated by commas or white space.
   *
   * @param tokens the tokens
   * @return the targets
   * @throws IllegalArgumentException naming the first bad token (also for an unknown host)
   */
  public static Targets of(String... tokens) {
    Objects.requireNonNull(tokens, "tokens");
    RangeSet set = new RangeSet();
    Set<Inet6Address> v6 = new LinkedHashSet<>();
    List<String> all = new ArrayList<>();
    for (String t : tokens) {
      Objects.requireNonNull(t, "token");
      for (String token : t.trim().split("[,\\s]+")) {
        if (token.isEmpty()) {
          continue;
        }
        all.add(token);
        TargetParser.parseToken(token, set, v6);
      }
    }
    return set.toTargets(new ArrayList<>(v6), String.join(",", all));
  }

  /**
   * Returns the IPv4 range {@code [first, last]}.
   *
   * @param first the first address
   * @param last the last address, not below {@code first}
   * @return the targets
   * @throws IllegalArgumentException if {@code last} is below {@code first}
   */
  public static Targets range(Inet4Address first, Inet4Address last) {
    long a = toLong(first);
    long b = toLong(last);
    if (b < a) {
      throw new IllegalArgumentException("range end " + last.getHostAddress() + " is before its start "
          + first.getHostAddress());
    }
    RangeSet set = new RangeSet();
    set.add(a, b);
    return set.toTargets(List.of(), first.getHostAddress() + "-" + last.getHostAddress());
  }

  /**
   * Returns the subnets of this machine's up, non-loopback IPv4 interfaces (each with its real
   * prefix, widened to at most a /22 around the interface address), minus this machine's own
   * addresses. Virtual bridges and tunnels ({@code docker*, br-*, virbr*, veth*, tun*, tap*,
   * wg*}) are skipped. IPv6 is never included.
   *
   * <p>This is what {@link dev.vecino.p2p.PeerNode#discover()} scans when no discovery is
   * configured. Call {@link #describe()} to show the result before scanning.
   *
   * @return the local subnets; empty when the machine has no suitable interface
   * @throws java.io.UncheckedIOException if the interfaces cannot be listed
   */
  public static Targets localSubnets() {
    return LocalSubnets.of(LocalSubnets.interfaces(), Set.of());
  }

  /**
   * Returns the subnets of the named interfaces, as {@link #localSubnets()} does, but includes
   * virtual interfaces when named.
   *
   * @param interfaceNames interface names, e.g. {@code "eth0"}, {@code "docker0"}
   * @return the subnets of those interfaces
   * @throws IllegalArgumentException if no interface has one of the names
   * @throws java.io.UncheckedIOException if the interfaces cannot be listed
   */
  public static Targets localSubnets(String... interfaceNames) {
    Set<String> named = Set.of(interfaceNames);
    List<LocalSubnets.Interface> all = LocalSubnets.interfaces();
    for (String n : named) {
      if (all.stream().noneMatch(i -> i.name().equals(n))) {
        throw new IllegalArgumentException("no network interface named '" + n + "'");
      }
    }
    return LocalSubnets.of(all, named);
  }

  /**
   * Returns these targets without the addresses of {@code excluded} ({@code --exclude}).
   *
   * @param excluded the addresses to leave out
   * @return the remaining targets
   */
  public Targets minus(Targets excluded) {
    Objects.requireNonNull(excluded, "excluded");
    RangeSet set = new RangeSet();
    int j = 0;
    for (int i = 0; i < starts.length; i++) {
      long s = starts[i];
      long e = ends[i];
      while (j < excluded.starts.length && excluded.ends[j] < s) {
        j++;
      }
      int k = j;
      while (s <= e) {
        if (k >= excluded.starts.length || excluded.starts[k] > e) {
          set.add(s, e);
          break;
        }
        if (excluded.starts[k] > s) {
          set.add(s, excluded.starts[k] - 1);
        }
        s = excluded.ends[k] + 1;
        k++;
      }
    }
    List<Inet6Address> rest = new ArrayList<>(v6);
    rest.removeAll(excluded.v6);
    return set.toTargets(rest, text + " minus " + excluded.text);
  }

  /**
   * Returns the number of addresses.
   *
   * @return the count, computed from the ranges
   */
  public long size() {
    long n = v6.size();
    for (int i = 0; i < starts.length; i++) {
      n += ends[i] - starts[i] + 1;
    }
    return n;
  }

  /**
   * Returns whether there is no address.
   *
   * @return true when empty
   */
  public boolean isEmpty() {
    return starts.length == 0 && v6.isEmpty();
  }

  /**
   * Returns whether {@code address} is one of these targets.
   *
   * @param address the address
   * @return true if included
   */
  public boolean contains(InetAddress address) {
    if (address instanceof Inet4Address a) {
      long v = toLong(a);
      int i = Arrays.binarySearch(starts, v);
      if (i >= 0) {
        return true;
      }
      int prev = -i - 2;
      return prev >= 0 && ends[prev] >= v;
    }
    return address instanceof Inet6Address a6 && v6.contains(a6);
  }

  /**
   * Throws unless these targets hold at most {@code max} addresses: the guard against
   * scanning a huge range by mistake.
   *
   * @param max the largest number of addresses allowed
   * @return this, for chaining
   * @throws IllegalArgumentException naming the size and the limit
   */
  public Targets requireAtMost(long max) {
    long n = size();
    if (n > max) {
      throw new IllegalArgumentException("targets '" + text + "' hold " + n + " addresses, more than the limit of "
          + max + "; raise maxAddresses explicitly to scan them");
    }
    return this;
  }

  /**
   * Returns the resolved ranges, one per line, for showing before a scan, e.g.
   * {@code "127.0.0.1-127.0.0.254 (254 addresses)"}.
   *
   * @return an immutable list; empty when there is no address
   */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < starts.length; i++) {
      long n = ends[i] - starts[i] + 1;
      lines.add(n == 1 ? format(starts[i])
          : format(starts[i]) + "-" + format(ends[i]) + " (" + n + " addresses)");
    }
    for (Inet6Address a : v6) {
      lines.add(a.getHostAddress());
    }
    return List.copyOf(lines);
  }

  /**
   * Returns the addresses lazily, in ascending order, IPv4 first. Each call starts over.
   *
   * @return a fresh iterator, for use by one thread
   */
  public Iterator<InetAddress> addresses() {
    return new Iterator<>() {
      private int range;
      private long next = starts.length > 0 ? starts[0] : 0;
      private int v6Index;

      @Override
      public boolean hasNext() {
        return range < starts.length || v6Index < v6.size();
      }

      @Override
      public InetAddress next() {
        if (range < starts.length) {
          InetAddress a = toAddress(next);
          if (next == ends[range]) {
            range++;
            next = range < starts.length ? starts[range] : 0;
          } else {
            next++;
          }
          return a;
        }
        if (v6Index < v6.size()) {
          return v6.get(v6Index++);
        }
        throw new NoSuchElementException();
      }
    };
  }

  /** Two targets are equal when they hold the same addresses. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Targets t && Arrays.equals(starts, t.starts) && Arrays.equals(ends, t.ends)
        && v6.equals(t.v6);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(starts) + Arrays.hashCode(ends)) + v6.hashCode();
  }

  /** Returns the expression these targets were built from. */
  @Override
  public String toString() {
    return text;
  }

  // ---- IPv4 values ----

  static long toLong(Inet4Address a) {
    byte[] b = a.getAddress();
    return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
  }

  static InetAddress toAddress(long v) {
    byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are always an address", e);
    }
  }

  static String format(long v) {
    return ((v >>> 24) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
  }

  static Targets ofRanges(RangeSet set, String text) {
    return set.toTargets(List.of(), text);
  }

  /** The IPv6 addresses, in order. */
  List<Inet6Address> v6Addresses() {
    return v6;
  }

  /** These IPv4 ranges with {@code addresses} as the IPv6 part. */
  Targets withV6(List<Inet6Address> addresses) {
    return new Targets(starts, ends, addresses, text);
  }

  /** Collects IPv4 ranges, then sorts and merges them. Used while building only. */
  static final class RangeSet {
    private long[] s = new long[4];
    private long[] e = new long[4];
    private int n;

    void add(long start, long end) {
      if (n == s.length) {
        s = Arrays.copyOf(s, n * 2);
        e = Arrays.copyOf(e, n * 2);
      }
      s[n] = start;
      e[n] = end;
      n++;
    }

    Targets toTargets(List<Inet6Address> v6, String text) {
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (x, y) -> Long.compare(s[x], s[y]));
      long[] ms = new long[n];
      long[] me = new long[n];
      int m = 0;
      for (Integer i : order) {
        if (m > 0 && s[i] <= me[m - 1] + 1) {
          me[m - 1] = Math.max(me[m - 1], e[i]);
        } else {
          ms[m] = s[i];
          me[m] = e[i];
          m++;
        }
      }
      return new Targets(Arrays.copyOf(ms, m), Arrays.copyOf(me, m), v6, text);
    }
  }
}
