package dev.vecino.p2p.internal;

import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.scan.ScanReport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code PeerNode.discover()} runs (issue 17): several discoveries as stages of one scan,
 * started together; push stages (beacons) stream while pull stages (known peers, range scan)
 * are read lazily; every candidate is verified by the handshake like any scan probe, and the
 * round's report merges the peers by id, each with the stage that found it first
 * ({@link dev.vecino.p2p.scan.ScanResult#stage()}). Further rounds follow the last stage's
 * {@link #nextRound} (a {@code StaticDiscovery}'s retries, say).
 *
 * <p><b>Thread safety:</b> immutable; each round's state lives in its {@link ChainCandidates}.
 */
final class DiscoveryChain implements Discovery {

  private final List<Discovery> stages;
  private final long lastStageDelayNanos;

  /**
   * Creates the chain.
   *
   * @param stages the stages, in order; the last one is the range scan when there is one
   * @param lastStageDelayNanos the head start push stages get before the last stage starts
   */
  DiscoveryChain(List<Discovery> stages, long lastStageDelayNanos) {
    this.lastStageDelayNanos = lastStageDelayNanos;
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("a discovery chain needs at least one stage");
    }
    this.stages = List.copyOf(stages);
  }

  /** The stages, in order. */
  List<Discovery> stages() {
    return stages;
  }

  @Override
  public String name() {
    return stages.stream().map(Discovery::name).collect(Collectors.joining("+"));
  }

  @Override
  public Iterator<InetSocketAddress> candidates(int defaultPort) {
    return new ChainCandidates(stages, defaultPort, lastStageDelayNanos);
  }

  /** Known when no stage pushes and every pull stage knows its size (an upper bound: duplicates are skipped). */
  @Override
  public long size(int defaultPort) {
    long n = 0;
    for (Discovery d : stages) {
      long s = d.pushes() ? -1 : d.size(defaultPort);
      if (s < 0) {
        return -1;
      }
      n += s;
    }
    return n;
  }

  @Override
  public Optional<Duration> nextRound(ScanReport previous) {
    return stages.get(stages.size() - 1).nextRound(previous);
  }

  @Override
  public String toString() {
    return "DiscoveryChain" + stages;
  }
}
