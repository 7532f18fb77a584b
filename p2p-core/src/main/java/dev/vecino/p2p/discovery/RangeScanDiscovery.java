package dev.vecino.p2p.discovery;

import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.Targets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Scans address ranges: every address of some {@link Targets} on every port of some
 * {@link Ports} (address by address, each address's ports in turn). Candidates are produced
 * lazily, so a /16 costs no memory.
 *
 * <p>Create with {@link #of(Targets, Ports)}, or {@link #of(Targets)} to scan the node's own
 * listening port. {@link #localSubnets()} is the default discovery of
 * {@link dev.vecino.p2p.PeerNode#discover()}.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class RangeScanDiscovery implements Discovery {

  private final Targets targets;
  private final Ports ports;

  private RangeScanDiscovery(Targets targets, Ports ports) {
    this.targets = Objects.requireNonNull(targets, "targets");
    this.ports = ports;
  }

  /**
   * Scans {@code targets} on {@code ports}.
   *
   * @param targets the addresses
   * @param ports the ports
   * @return the discovery
   */
  public static RangeScanDiscovery of(Targets targets, Ports ports) {
    return new RangeScanDiscovery(targets, Objects.requireNonNull(ports, "ports"));
  }

  /**
   * Scans {@code targets} on the scanning node's own listening port.
   *
   * @param targets the addresses
   * @return the discovery
   */
  public static RangeScanDiscovery of(Targets targets) {
    return new RangeScanDiscovery(targets, null);
  }

  /**
   * Scans this machine's subnets ({@link Targets#localSubnets()}, resolved now) on the node's
   * own port. Never use it in tests: it contacts the real network.
   *
   * @return the discovery
   */
  public static RangeScanDiscovery localSubnets() {
    return of(Targets.localSubnets());
  }

  /**
   * Returns the addresses scanned.
   *
   * @return the targets
   */
  public Targets targets() {
    return targets;
  }

  /**
   * Returns this discovery without the addresses of {@code excluded}.
   *
   * @param excluded the addresses never to probe
   * @return a new discovery
   */
  public RangeScanDiscovery minus(Targets excluded) {
    return new RangeScanDiscovery(targets.minus(excluded), ports);
  }

  @Override
  public String name() {
    return "range-scan";
  }

  @Override
  public long size(int defaultPort) {
    return targets.size() * (ports == null ? 1 : ports.count());
  }

  @Override
  public Iterator<InetSocketAddress> candidates(int defaultPort) {
    Ports p = ports != null ? ports : Ports.of(defaultPort);
    Iterator<InetAddress> addresses = targets.addresses();
    return new Iterator<>() {
      private InetAddress address;
      private int range;
      private int port;

      @Override
      public boolean hasNext() {
        return address != null || addresses.hasNext();
      }

      @Override
      public InetSocketAddress next() {
        if (address == null) {
          if (!addresses.hasNext()) {
            throw new NoSuchElementException();
          }
          address = addresses.next();
          range = 0;
          port = p.ranges().get(0).first();
        }
        InetSocketAddress a = new InetSocketAddress(address, port);
        if (port < p.ranges().get(range).last()) {
          port++;
        } else if (++range < p.ranges().size()) {
          port = p.ranges().get(range).first();
        } else {
          address = null;
        }
        return a;
      }
    };
  }

  @Override
  public String toString() {
    return "RangeScanDiscovery{" + targets + " ports " + (ports == null ? "(own)" : ports) + "}";
  }
}
