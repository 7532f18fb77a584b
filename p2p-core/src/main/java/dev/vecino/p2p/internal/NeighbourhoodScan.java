package dev.vecino.p2p.internal;

import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.scan.Targets;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The range-scan stage of {@code discover()} (issue 17): the default targets (this machine's
 * subnets, each capped at a /22) in order of distance from the nearest own address, nearest
 * first, so the neighbours most likely to matter answer first and a cancelled or time-boxed
 * discovery has covered the neighbourhood. Addresses of IPv6 targets follow at the end.
 *
 * <p>The order is computed once per round into a {@code long[]} (8 bytes an address; the
 * default targets hold at most a few thousand), so it is used only for default targets;
 * explicit scans keep ascending order.
 *
 * <p><b>Thread safety:</b> immutable.
 */
final class NeighbourhoodScan implements Discovery {

  /** The most addresses ordered; larger targets keep ascending order. */
  static final int MAX_ORDERED = 1 << 16;

  private final Targets targets;
  private final List<Inet4Address> own;

  NeighbourhoodScan(Targets targets, List<Inet4Address> own) {
    this.targets = targets;
    this.own = List.copyOf(own);
  }

  @Override
  public String name() {
    return "range-scan";
  }

  @Override
  public long size(int defaultPort) {
    return targets.size();
  }

  @Override
  public Iterator<InetSocketAddress> candidates(int defaultPort) {
    Iterator<InetAddress> addresses = ordered(targets, own).iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return addresses.hasNext();
      }

      @Override
      public InetSocketAddress next() {
        return new InetSocketAddress(addresses.next(), defaultPort);
      }
    };
  }

  /** The addresses of {@code targets}, nearest to one of {@code own} first; ties in ascending order. */
  static Iterable<InetAddress> ordered(Targets targets, List<Inet4Address> own) {
    if (own.isEmpty() || targets.size() > MAX_ORDERED) {
      return targets::addresses;
    }
    long[] centres = own.stream().mapToLong(NeighbourhoodScan::bits).toArray();
    int n = 0;
    long[] keyed = new long[(int) targets.size()];
    List<InetAddress> v6 = new java.util.ArrayList<>();
    for (Iterator<InetAddress> it = targets.addresses(); it.hasNext(); ) {
      InetAddress a = it.next();
      if (a instanceof Inet4Address a4) {
        long v = bits(a4);
        long d = Long.MAX_VALUE;
        for (long c : centres) {
          d = Math.min(d, Math.abs(v - c));
        }
        // Distance in the high 32 bits, the address in the low 32: one sort orders both.
        keyed[n++] = (Math.min(d, 0xFFFFFFFFL) << 32) | v;
      } else {
        v6.add(a);
      }
    }
    long[] sorted = Arrays.copyOf(keyed, n);
    Arrays.sort(sorted);
    return () -> new Iterator<>() {
      private int i;
      private final Iterator<InetAddress> tail = v6.iterator();

      @Override
      public boolean hasNext() {
        return i < sorted.length || tail.hasNext();
      }

      @Override
      public InetAddress next() {
        if (i < sorted.length) {
          return address(sorted[i++] & 0xFFFFFFFFL);
        }
        if (tail.hasNext()) {
          return tail.next();
        }
        throw new NoSuchElementException();
      }
    };
  }

  private static long bits(Inet4Address a) {
    byte[] b = a.getAddress();
    return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
  }

  private static InetAddress address(long v) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are always an address", e);
    }
  }

  @Override
  public String toString() {
    return "NeighbourhoodScan{" + targets + " around " + own + "}";
  }
}
