package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one scan round found: counts, and the peers and other-group nodes by id (each node
 * once, at the first address it answered on). Memory is O(found), not O(targets).
 *
 * <p><b>Thread safety:</b> confined to the scan's home loop.
 */
final class RoundTally {

  private long done;
  private long open;
  private long closed;
  private long silent;
  private long outOfScope;
  private int newPeers;
  private final Map<PeerId, ScanResult> peers = new LinkedHashMap<>();
  private final Map<PeerId, ScanResult> otherGroup = new LinkedHashMap<>();
  private final List<ScanResult> notPeers = new ArrayList<>();

  void reset() {
    done = 0;
    open = 0;
    closed = 0;
    silent = 0;
    outOfScope = 0;
    newPeers = 0;
    peers.clear();
    otherGroup.clear();
    notPeers.clear();
  }

  void closed() {
    done++;
    closed++;
  }

  void silent() {
    done++;
    silent++;
  }

  void outOfScope() {
    done++;
    outOfScope++;
  }

  /**
   * Counts an open target; returns whether it is worth telling the listener: a node seen for
   * the first time in this round, or a service that is not a peer.
   */
  boolean open(ScanResult r) {
    done++;
    open++;
    switch (r.status()) {
      case PEER -> {
        if (peers.putIfAbsent(r.id(), r) != null) {
          return false;
        }
        if (r.newPeer()) {
          newPeers++;
        }
        return true;
      }
      case OTHER_GROUP -> {
        return otherGroup.putIfAbsent(r.id(), r) == null;
      }
      case NOT_A_PEER, INCOMPATIBLE, NOT_ADMITTED -> {
        notPeers.add(r);
        return true;
      }
      default -> {
        // SELF: this node, on one of its addresses; counted as open, listed nowhere.
        return false;
      }
    }
  }

  long done() {
    return done;
  }

  int peers() {
    return peers.size();
  }

  int newPeers() {
    return newPeers;
  }

  ScanReport report(int round, Duration took, boolean cancelled) {
    return new ScanReport(round, done, open, new ArrayList<>(peers.values()), newPeers,
        new ArrayList<>(otherGroup.values()), notPeers, closed, silent, took, cancelled, outOfScope);
  }

  /** The arguments of the summary line, after the log name, round, discovery and state. */
  Object[] summary(long tookMillis) {
    return new Object[] {done, tookMillis, peers.size(), newPeers, otherGroup.size(), notPeers.size(), closed, silent};
  }
}
