package dev.vecino.examples.scan;

import dev.vecino.p2p.PeerNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What the scan commands ({@code vecino scan}, the chat's {@code /scan}) need from a range
 * scan. It is a seam: the commands and their output are written against it, and one adapter
 * ({@code CoreScanner}) maps it onto p2p-core's range-scan API ({@code node.scan(targets,
 * ports, options)}, issue 4). The build compiles that adapter only when the core has the API
 * (profile {@code scan-core}); otherwise (profile {@code scan-missing}) {@link #available()}
 * returns a scanner that refuses with a clear message. Nothing ever reports made-up results.
 */
public interface Scanner {

  /** The most addresses one scan may cover: a /16. */
  long MAX_ADDRESSES = 65_536;

  /**
   * Returns the scanner this build has.
   *
   * @return the scanner
   */
  static Scanner available() {
    return ScannerChoice.scanner();
  }

  /**
   * Returns the node's own subnets as targets that {@link #start} and {@link #size} take, e.g.
   * {@code ["192.168.1.0/24"]}: what a scan without targets scans, so the chat can say how many
   * addresses that is and ask first.
   *
   * @param node the node that would scan
   * @return one target expression per range; empty when no interface has a suitable subnet
   * @throws UnsupportedOperationException if this build cannot scan
   */
  List<String> ownSubnets(PeerNode node);

  /**
   * Counts the addresses of targets as typed.
   *
   * @param targets e.g. {@code 127.0.0.0/24,127.0.1.5}
   * @return the number of addresses
   * @throws IllegalArgumentException naming a bad target
   * @throws UnsupportedOperationException if this build cannot scan
   */
  long size(String targets);

  /**
   * Starts a scan.
   *
   * @param node the node that scans (and connects, when asked)
   * @param request what to scan
   * @param progress called as probes finish, on a scan thread
   * @return the running scan
   * @throws IllegalArgumentException naming a bad target or port token, or targets of more
   *     than {@link #MAX_ADDRESSES} addresses
   * @throws UnsupportedOperationException if this build cannot scan
   */
  Job start(PeerNode node, Request request, Progress progress);

  /**
   * What to scan.
   *
   * @param targets targets as the user typed them, or null for the node's own subnets
   * @param ports ports as typed ({@code 9999}, {@code 9000-9010}), or null for the node's port
   * @param timeout per-probe timeout
   * @param connect whether peers found stay connected
   * @param discover run the node's discovery chain (known peers, beacons, then a range scan of
   *     the node's own subnets on its own port: {@code node.discover()}) instead of a plain range
   *     scan; {@code targets} then only name what the range stage covers, and {@code ports} must
   *     be null
   */
  record Request(String targets, String ports, Duration timeout, boolean connect, boolean discover) {
    /**
     * Validates the components.
     *
     * @throws IllegalArgumentException for a discovery with ports: its range stage probes the
     *     node's own port
     */
    public Request {
      Objects.requireNonNull(timeout, "timeout");
      if (discover && ports != null) {
        throw new IllegalArgumentException("a discovery probes the node's own port: ports " + ports);
      }
    }

    /**
     * A plain range scan.
     *
     * @param targets targets as typed, or null for the node's own subnets
     * @param ports ports as typed, or null for the node's port
     * @param timeout per-probe timeout
     * @param connect whether peers found stay connected
     */
    public Request(String targets, String ports, Duration timeout, boolean connect) {
      this(targets, ports, timeout, connect, false);
    }
  }

  /** Receives progress; called on a scan thread. */
  @FunctionalInterface
  interface Progress {
    /**
     * Some probes finished.
     *
     * @param done targets probed so far
     * @param total targets in all
     * @param peers peers found so far
     */
    void onProgress(long done, long total, int peers);
  }

  /** A running scan. */
  interface Job {
    /**
     * Returns the outcome, completed when the scan ends.
     *
     * @return the future outcome
     */
    CompletableFuture<Outcome> result();

    /** Stops the scan; the result then completes with what was found so far. */
    void cancel();
  }

  /** How an answering address was classified. */
  enum Kind {
    /** A Vecino peer of this group, verified by handshake. */
    PEER,
    /** A Vecino node of another group. */
    OTHER_GROUP,
    /** An open port that does not speak Vecino. */
    NOT_PEER,
    /**
     * A secure Vecino node that did not admit the scanner, or that the scanner did not admit:
     * a group secret, a key allowlist or pairing (docs/security.md). Nothing of its name or group is known.
     */
    NOT_ADMITTED,
    /**
     * A Vecino node that shares no protocol version with the scanner: one of the two is plaintext
     * ({@code --plaintext}, or an older version) and the other secure.
     */
    INCOMPATIBLE
  }

  /**
   * One address that answered.
   *
   * @param kind what it is
   * @param address where it answered
   * @param name the peer's name, or null unless {@link Kind#PEER}
   * @param id the peer's 32-hex-digit id, or null unless {@link Kind#PEER}
   * @param group the peer's group, or null when unknown
   * @param rttMicros the handshake round trip in microseconds, or -1 when unknown
   */
  record Found(Kind kind, InetSocketAddress address, String name, String id, String group,
      long rttMicros) {
    /** Validates the components. */
    public Found {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(address, "address");
    }
  }

  /**
   * The end of a scan.
   *
   * @param found every address that answered, peers first
   * @param probed address-port pairs probed
   * @param open pairs that accepted a connection
   * @param self pairs of {@code open} where the scanning node itself answered (listed nowhere)
   * @param duration how long the scan took
   * @param cancelled whether it was cancelled before the end
   */
  record Outcome(List<Found> found, long probed, long open, long self, Duration duration,
      boolean cancelled) {
    /** Copies the list. */
    public Outcome {
      found = List.copyOf(found);
    }

    /**
     * An outcome where the scanning node was not among the answers.
     *
     * @param found every address that answered, peers first
     * @param probed address-port pairs probed
     * @param open pairs that accepted a connection
     * @param duration how long the scan took
     * @param cancelled whether it was cancelled before the end
     */
    public Outcome(List<Found> found, long probed, long open, Duration duration,
        boolean cancelled) {
      this(found, probed, open, 0, duration, cancelled);
    }

    /**
     * Returns how many open pairs are listed nowhere though not the scanning node: nodes
     * already listed, answering again on another address (a node bound to {@code 0.0.0.0}
     * answers on every loopback address; each node is listed once).
     *
     * @return the count, 0 or more
     */
    public long repeats() {
      return Math.max(0, open - self - found.size());
    }

    /**
     * Returns how many peers of this group were found.
     *
     * @return the count
     */
    public long peers() {
      return found.stream().filter(f -> f.kind() == Kind.PEER).count();
    }
  }

  /** The scanner of a build whose core has no range-scan API. */
  enum Unavailable implements Scanner {
    /** The only instance. */
    INSTANCE;

    static final String WHY = "scanning is not available in this build: p2p-core has no "
        + "range-scan API yet (issue #4)";

    @Override
    public List<String> ownSubnets(PeerNode node) {
      throw new UnsupportedOperationException(WHY);
    }

    @Override
    public long size(String targets) {
      throw new UnsupportedOperationException(WHY);
    }

    @Override
    public Job start(PeerNode node, Request request, Progress progress) {
      throw new UnsupportedOperationException(WHY);
    }
  }
}
