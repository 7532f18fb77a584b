package dev.vecino.p2p.scan;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of one scan round.
 *
 * <p>Counts are per candidate (address and port). The peer lists hold each node once, by id,
 * at the first address it answered on: a node bound to {@code 0.0.0.0} answers on every
 * loopback address but is listed once. This node itself is counted in {@code probed} and
 * {@code open} but listed nowhere.
 *
 * @param round the round, from 1
 * @param probed the candidates probed to the end
 * @param open the candidates that accepted a connection
 * @param peers the distinct peers of this node's group found
 * @param newPeers how many of {@code peers} were not connected when found
 * @param otherGroup the distinct Vecino nodes of other groups found
 * @param notPeers open ports where no (compatible) Vecino node answered
 * @param closed the candidates that refused the connection
 * @param silent the candidates that did not answer within the probe timeout
 * @param duration how long the round took
 * @param cancelled true if {@link ScanHandle#cancel()} stopped the round early
 * @param outOfScope the candidates not probed because they are outside the node's
 *     {@link NetworkScope} (counted in {@code probed} too; nothing was sent to them)
 */
public record ScanReport(
    int round, long probed, long open, List<ScanResult> peers, int newPeers, List<ScanResult> otherGroup,
    List<ScanResult> notPeers, long closed, long silent, Duration duration, boolean cancelled, long outOfScope) {

  /**
   * Copies the lists.
   *
   * @param round see the record component
   * @param probed see the record component
   * @param open see the record component
   * @param peers see the record component
   * @param newPeers see the record component
   * @param otherGroup see the record component
   * @param notPeers see the record component
   * @param closed see the record component
   * @param silent see the record component
   * @param duration see the record component
   * @param cancelled see the record component
   * @param outOfScope see the record component
   * @throws NullPointerException if a list or the duration is null
   */
  public ScanReport {
    peers = List.copyOf(peers);
    otherGroup = List.copyOf(otherGroup);
    notPeers = List.copyOf(notPeers);
    Objects.requireNonNull(duration, "duration");
  }

  /**
   * A report without out-of-scope candidates (as before network scopes existed).
   *
   * @param round see the record component
   * @param probed see the record component
   * @param open see the record component
   * @param peers see the record component
   * @param newPeers see the record component
   * @param otherGroup see the record component
   * @param notPeers see the record component
   * @param closed see the record component
   * @param silent see the record component
   * @param duration see the record component
   * @param cancelled see the record component
   */
  public ScanReport(int round, long probed, long open, List<ScanResult> peers, int newPeers,
      List<ScanResult> otherGroup, List<ScanResult> notPeers, long closed, long silent, Duration duration,
      boolean cancelled) {
    this(round, probed, open, peers, newPeers, otherGroup, notPeers, closed, silent, duration, cancelled, 0);
  }

  @Override
  public String toString() {
    return "ScanReport{round " + round + ": " + probed + " probed, " + open + " open, " + peers.size()
        + " peers (" + newPeers + " new), " + otherGroup.size() + " of other groups, " + notPeers.size()
        + " not peers, " + closed + " closed, " + silent + " silent, "
        + (outOfScope > 0 ? outOfScope + " out of scope, " : "") + duration.toMillis() + " ms"
        + (cancelled ? ", cancelled" : "") + "}";
  }
}
