package dev.vecino.p2p.scan;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * Why a host is or is not found (issue 17), from {@link dev.vecino.p2p.PeerNode#diagnose}: every
 * discovery stage walked for one address and port, in order, and the verdict.
 *
 * @param target the address and port diagnosed
 * @param verdict what decides whether it is found
 * @param explanation one sentence saying what happened and what to do
 * @param checks what each step found, in order
 */
public record Diagnosis(InetSocketAddress target, Verdict verdict, String explanation, List<Check> checks) {

  /**
   * Validates and copies.
   *
   * @param target see the record component
   * @param verdict see the record component
   * @param explanation see the record component
   * @param checks see the record component
   */
  public Diagnosis {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(explanation, "explanation");
    checks = List.copyOf(checks);
  }

  /** The cause that decides the outcome. */
  public enum Verdict {
    /** A peer of this node's group answered the handshake: it is found. */
    FOUND,
    /** The address is this very node. */
    SELF,
    /** The host name does not resolve. */
    UNKNOWN_HOST,
    /** Outside the node's {@link NetworkScope}: nothing is sent there. */
    OUTSIDE_SCOPE,
    /** The node is bound to one address that cannot reach the target (e.g. loopback). */
    BOUND_ELSEWHERE,
    /** No route: no interface in that subnet and no router to it. */
    NO_ROUTE,
    /** The host answered, but the port is closed (connection refused). */
    PORT_CLOSED,
    /** No answer in time: the host is down, or a firewall drops the connection. */
    HOST_SILENT,
    /** Something listens on the port, but it is not a Vecino node. */
    NOT_A_VECINO_NODE,
    /**
     * The port turns this node away: it accepts and hangs up at once, before a word (a Vecino
     * node at its connection limits, or a service that turns us away), or a secure Vecino node
     * answers the handshake and does not admit this node (its group secret, key allowlist or pairing).
     */
    REFUSED,
    /** A Vecino node of another group. */
    OTHER_GROUP,
    /** A Vecino node that speaks no protocol version this node speaks. */
    OTHER_VERSION,
    /**
     * The target is an address of this machine and its port is held by something a node cannot
     * share it with: a program that is not a Vecino node, a socket that accepts no connection,
     * or, when nothing listens on the address asked, a socket on another address of this machine
     * (a node bound to all addresses, the default, needs the port free on every one). The reason
     * a node started here on that port fails to listen.
     */
    PORT_IN_USE,
    /**
     * A peer of this group answers when probed, but {@code discover()} does not look for it: the
     * only interface in its subnet is virtual (docker, veth, bridges, tunnels), which the default
     * range scan skips, and it is not a known peer. Its answer to a beacon is then the only way
     * {@code discover()} finds it.
     */
    SKIPPED_INTERFACE
  }

  /**
   * One step of a diagnosis.
   *
   * @param step what was checked: {@code "scope"}, {@code "bind"}, {@code "route"},
   *     {@code "beacon"}, {@code "known"}, {@code "tcp"}, {@code "handshake"}, and, for an
   *     address of this machine whose port turned the probe away, {@code "port"}
   * @param outcome what it found, in words
   * @param ok whether this step would let the host be found
   */
  public record Check(String step, String outcome, boolean ok) {

    /**
     * Validates.
     *
     * @param step see the record component
     * @param outcome see the record component
     * @param ok see the record component
     */
    public Check {
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(outcome, "outcome");
    }
  }
}
