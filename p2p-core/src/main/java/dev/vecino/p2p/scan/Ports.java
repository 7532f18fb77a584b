package dev.vecino.p2p.scan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A set of TCP ports to scan: one ({@code 9999}), a list ({@code 9999,10000}), a range
 * ({@code 9000-9010}), or any mix.
 *
 * <pre>{@code
 * Ports one = Ports.of(9999);
 * Ports several = Ports.parse("9000-9010, 9999");   // 12 ports, from a command-line flag
 * ScanHandle scan = node.scan(Targets.parse("127.0.0.1"), several);
 * }</pre>
 *
 * <p>Every address of the targets is probed on every port: keep both small.
 *
 * @param ranges disjoint, ascending, non-adjacent ranges (normalised by the constructor)
 */
public record Ports(List<Ports.Range> ranges) {

  /**
   * An inclusive range of ports.
   *
   * @param first the first port, 1..65535
   * @param last the last port, {@code first}..65535
   */
  public record Range(int first, int last) {
    /**
     * Validates the bounds.
     *
     * @param first see the record component
     * @param last see the record component
     * @throws IllegalArgumentException if a port is outside 1..65535 or {@code last < first}
     */
    public Range {
      if (first < 1 || first > 65535 || last < 1 || last > 65535) {
        throw new IllegalArgumentException("ports must be 1..65535: " + first + "-" + last);
      }
      if (last < first) {
        throw new IllegalArgumentException("port range ends before it starts: " + first + "-" + last);
      }
    }
  }

  /**
   * Sorts and merges the ranges.
   *
   * @param ranges see the record component
   * @throws IllegalArgumentException if there is no range
   */
  public Ports {
    Objects.requireNonNull(ranges, "ranges");
    if (ranges.isEmpty()) {
      throw new IllegalArgumentException("at least one port is needed");
    }
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort(Comparator.comparingInt(Range::first));
    List<Range> merged = new ArrayList<>();
    for (Range r : sorted) {
      Range last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r.first() <= last.last() + 1) {
        merged.set(merged.size() - 1, new Range(last.first(), Math.max(last.last(), r.last())));
      } else {
        merged.add(r);
      }
    }
    ranges = List.copyOf(merged);
  }

  /**
   * Returns the given ports.
   *
   * @param ports one or more ports, 1..65535
   * @return the set
   * @throws IllegalArgumentException if a port is out of range or none is given
   */
  public static Ports of(int... ports) {
    List<Range> list = new ArrayList<>();
    for (int p : ports) {
      list.add(new Range(p, p));
    }
    return new Ports(list);
  }

  /**
   * Parses {@code 9999}, {@code 9999,10000}, {@code 9000-9010} or a comma-separated mix.
   *
   * @param spec the expression
   * @return the set
   * @throws IllegalArgumentException naming the bad token
   */
  public static Ports parse(String spec) {
    Objects.requireNonNull(spec, "spec");
    List<Range> list = new ArrayList<>();
    for (String token : spec.trim().split("\\s*,\\s*")) {
      if (token.isEmpty()) {
        continue;
      }
      int dash = token.indexOf('-');
      try {
        if (dash < 0) {
          int p = port(token, token);
          list.add(new Range(p, p));
        } else {
          list.add(new Range(port(token.substring(0, dash), token), port(token.substring(dash + 1), token)));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad port '" + token + "': " + e.getMessage(), e);
      }
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no port in '" + spec + "'");
    }
    return new Ports(list);
  }

  private static int port(String s, String token) {
    if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("'" + s + "' is not a port number");
    }
    return Integer.parseInt(s);
  }

  /**
   * Returns the number of ports.
   *
   * @return at least 1
   */
  public int count() {
    int n = 0;
    for (Range r : ranges) {
      n += r.last() - r.first() + 1;
    }
    return n;
  }

  /** Returns the set in the syntax {@link #parse} reads, e.g. {@code 9000-9010,9999}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Range r : ranges) {
      b.append(b.length() == 0 ? "" : ",").append(r.first());
      if (r.last() != r.first()) {
        b.append('-').append(r.last());
      }
    }
    return b.toString();
  }
}
