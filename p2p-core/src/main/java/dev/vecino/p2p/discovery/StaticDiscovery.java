package dev.vecino.p2p.discovery;

import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A fixed list of peer addresses, retried with a {@link Backoff} until every one of them was
 * found as a peer in a round (or the backoff gives up). Host names are resolved at the start
 * of each round, so a peer that changes address is found again.
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class StaticDiscovery implements Discovery {

  private final List<InetSocketAddress> addresses;
  private final Backoff backoff;

  private StaticDiscovery(List<InetSocketAddress> addresses, Backoff backoff) {
    this.addresses = List.copyOf(addresses);
    this.backoff = Objects.requireNonNull(backoff, "backoff");
  }

  /**
   * Returns a discovery of the given addresses with {@link Backoff#DEFAULT}.
   *
   * @param addresses the peers' addresses; may be unresolved
   * @return the discovery
   */
  public static StaticDiscovery of(List<InetSocketAddress> addresses) {
    return new StaticDiscovery(addresses, Backoff.DEFAULT);
  }

  /**
   * Parses {@code host:port} tokens (IPv6 as {@code [::1]:9999}), separated by commas or white
   * space, with {@link Backoff#DEFAULT}.
   *
   * @param spec the list
   * @return the discovery
   * @throws IllegalArgumentException naming the bad token
   */
  public static StaticDiscovery parse(String spec) {
    List<InetSocketAddress> list = new ArrayList<>();
    for (String token : spec.trim().split("[,\\s]+")) {
      if (token.isEmpty()) {
        continue;
      }
      int colon = token.lastIndexOf(':');
      if (colon <= 0 || colon == token.length() - 1) {
        throw new IllegalArgumentException("bad address '" + token + "': expected host:port");
      }
      String host = token.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      } else if (host.indexOf(':') >= 0) {
        throw new IllegalArgumentException("bad address '" + token + "': write IPv6 as [address]:port");
      }
      int port;
      try {
        port = Ports.parse(token.substring(colon + 1)).ranges().get(0).first();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("bad address '" + token + "': " + e.getMessage(), e);
      }
      list.add(InetSocketAddress.createUnresolved(host, port));
    }
    return new StaticDiscovery(list, Backoff.DEFAULT);
  }

  /**
   * Returns this discovery with another retry policy.
   *
   * @param backoff the policy
   * @return a new discovery
   */
  public StaticDiscovery withBackoff(Backoff backoff) {
    return new StaticDiscovery(addresses, backoff);
  }

  /**
   * Returns the addresses, as given.
   *
   * @return an immutable list
   */
  public List<InetSocketAddress> addresses() {
    return addresses;
  }

  @Override
  public String name() {
    return "static";
  }

  @Override
  public long size(int defaultPort) {
    return addresses.size();
  }

  /** Resolves unresolved addresses (blocking DNS); unknown hosts stay unresolved and count as closed. */
  @Override
  public Iterator<InetSocketAddress> candidates(int defaultPort) {
    List<InetSocketAddress> resolved = new ArrayList<>(addresses.size());
    for (InetSocketAddress a : addresses) {
      resolved.add(a.isUnresolved() ? new InetSocketAddress(a.getHostString(), a.getPort()) : a);
    }
    return resolved.iterator();
  }

  /** Retries with the backoff while some address did not answer as a peer. */
  @Override
  public Optional<Duration> nextRound(ScanReport previous) {
    if (previous.cancelled() || previous.peers().size() >= addresses.size()) {
      return Optional.empty();
    }
    int attempt = previous.round();
    return backoff.allows(attempt) ? Optional.of(backoff.delay(attempt)) : Optional.empty();
  }

  @Override
  public String toString() {
    return "StaticDiscovery{" + addresses + ", " + backoff + "}";
  }
}
