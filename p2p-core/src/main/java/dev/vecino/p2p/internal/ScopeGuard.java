package dev.vecino.p2p.internal;

import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.OutOfScopeException;
import dev.vecino.p2p.scan.NetworkScope;
import dev.vecino.p2p.scan.Targets;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A node's network scope (issue 17), as it is enforced: the scopes set by the builder, the
 * system property and the environment variable, each of which must allow a destination, or
 * the on-link default when none is set. Every scan, probe, beacon and beacon reply asks it
 * before sending.
 *
 * <p><b>Thread safety:</b> immutable after construction, except for the cached default scope
 * (volatile; recomputed every 5 s, since interfaces change), whose computation may block
 * briefly listing interfaces.
 */
public final class ScopeGuard {

  /** One scope that is set, and where it was set, for error messages. */
  private record Layer(String source, NetworkScope scope) {}

  /** How long a computed default scope is used before the interfaces are listed again. */
  private static final long DEFAULT_TTL_NANOS = 5_000_000_000L;

  private final List<Layer> layers;
  private final Supplier<NetworkScope> onLink;
  /** The default scope last computed, and when; racing threads may both compute it (harmless). */
  private volatile Layer cachedDefault;
  private volatile long cachedAtNanos;

  /**
   * Creates the guard.
   *
   * @param builder the builder's scope, or null
   * @param property the system property's value, or null
   * @param environment the environment variable's value, or null
   * @param onLink computes the default scope, used when none of the three is set
   * @throws ConfigurationException if the property or the variable cannot be parsed
   */
  public ScopeGuard(NetworkScope builder, String property, String environment, Supplier<NetworkScope> onLink) {
    List<Layer> list = new ArrayList<>();
    if (builder != null) {
      list.add(new Layer("the builder's networkScope", builder));
    }
    add(list, "system property " + NetworkScope.PROPERTY, property);
    add(list, "environment variable " + NetworkScope.ENVIRONMENT_VARIABLE, environment);
    this.layers = List.copyOf(list);
    this.onLink = onLink;
  }

  /**
   * The guard of a node: the builder's scope, then {@code System.getProperty} and
   * {@code System.getenv}, read now.
   *
   * @param builder the builder's scope, or null
   * @return the guard
   * @throws ConfigurationException if the property or the variable cannot be parsed
   */
  public static ScopeGuard of(NetworkScope builder) {
    return new ScopeGuard(builder, System.getProperty(NetworkScope.PROPERTY),
        System.getenv(NetworkScope.ENVIRONMENT_VARIABLE), NetworkScope::onLink);
  }

  private static void add(List<Layer> list, String source, String value) {
    if (value == null || value.isBlank()) {
      return;
    }
    try {
      list.add(new Layer(source, NetworkScope.parse(value)));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(source + " is not a network scope: " + e.getMessage(), e);
    }
  }

  /** Returns whether no scope is set, so the on-link default applies. */
  boolean isDefault() {
    return layers.isEmpty();
  }

  /**
   * Returns why {@code address} may not be sent to, or null when it may.
   *
   * @param address the destination
   * @return the reason, naming the scope and where it was set; null if allowed
   */
  public String refusal(InetAddress address) {
    for (Layer l : effective()) {
      if (!l.scope().allows(address)) {
        return address.getHostAddress() + " is outside the network scope " + l.scope() + " (set by " + l.source()
            + ")";
      }
    }
    return null;
  }

  /**
   * Throws unless every address of {@code targets} is in scope.
   *
   * @param targets the destinations
   * @param what what would have been sent, e.g. {@code "scan"}
   * @throws OutOfScopeException naming the count, the first address outside, and the scope
   */
  public void requireAllowed(Targets targets, String what) {
    for (Layer l : effective()) {
      Targets out = l.scope().outside(targets);
      if (!out.isEmpty()) {
        throw new OutOfScopeException(what + " refused: " + out.size() + " of the " + targets.size()
            + " addresses (first: " + out.addresses().next().getHostAddress() + ") are outside the network scope "
            + l.scope() + " (set by " + l.source() + "); nothing was sent. Widen the scope with "
            + "PeerNodeBuilder.networkScope, -D" + NetworkScope.PROPERTY + " or " + NetworkScope.ENVIRONMENT_VARIABLE
            + " (each one set must allow the address)");
      }
    }
  }

  /**
   * Returns the addresses of {@code targets} in scope: how default targets are clipped.
   *
   * @param targets the candidates
   * @return those every scope allows
   */
  public Targets clip(Targets targets) {
    Targets t = targets;
    for (Layer l : effective()) {
      t = t.minus(l.scope().outside(t));
    }
    return t;
  }

  /** Returns the scopes in force, and where each was set, for diagnostics. */
  List<String> describe() {
    return effective().stream().map(l -> l.scope() + " (" + l.source() + ")").toList();
  }

  private List<Layer> effective() {
    if (!layers.isEmpty()) {
      return layers;
    }
    Layer d = cachedDefault;
    long now = System.nanoTime();
    if (d == null || now - cachedAtNanos > DEFAULT_TTL_NANOS) {
      // Listing interfaces costs a system call per interface: once per probe would slow scans.
      d = new Layer("default: loopback and on-link subnets", onLink.get());
      cachedAtNanos = now;
      cachedDefault = d;
    }
    return List.of(d);
  }
}
