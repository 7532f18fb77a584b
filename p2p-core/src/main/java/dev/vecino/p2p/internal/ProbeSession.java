package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.transport.Channel;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scan probe watching its connection's session stage ({@link SessionObserver}): the session
 * runs as for any connection (HELLO handshake, or for codecs without one the greeting), and
 * this observer turns what it recognised into the {@link Probe}'s outcome. A probe that is not
 * kept, or that met a node it must not keep, ends its connection quietly: with a BYE where the
 * session says BYEs, then waits for the other side to close first (the TIME_WAIT of a scan
 * lands there, one per peer, not thousands on the scanner). A kept probe that verified a new
 * peer goes on to become the peer's connection, and the probe lets go of it once the session
 * is done ({@link Probe#handedOver}).
 *
 * <p>Refused handshakes are the scan report's to count, not the node's: they are logged at
 * DEBUG only.
 *
 * <p><b>Thread safety:</b> called on the probe connection's I/O thread (see
 * {@link SessionObserver}); {@link PeerRegistry#contains} is safe from any thread.
 */
final class ProbeSession implements SessionObserver {

  private static final Logger log = LoggerFactory.getLogger(Scanning.class);

  private final Probe probe;
  private final PeerRegistry registry;
  private final String logName;
  /**
   * Whether the registry applies the duplicate rules to a kept probe of a known peer (codecs
   * with a handshake); without a handshake a peer is its address, and a known one is not
   * taken again.
   */
  private final boolean duplicateRules;

  ProbeSession(Probe probe, PeerRegistry registry, String logName, boolean duplicateRules) {
    this.probe = probe;
    this.registry = registry;
    this.logName = logName;
    this.duplicateRules = duplicateRules;
  }

  @Override
  public void connecting(Channel channel) {
    probe.connecting(channel);
  }

  @Override
  public void opened(Channel channel) {
    probe.opened(channel);
  }

  @Override
  public long recognitionWaitNanos(long usualNanos) {
    return probe.helloWaitNanos;
  }

  @Override
  public boolean recognised(Connection c, ScanStatus verdict, Hello hello) {
    if (verdict != ScanStatus.PEER) {
      probe.outcome(verdict, verdict == ScanStatus.NOT_A_PEER || verdict == ScanStatus.NOT_ADMITTED ? null : hello,
          false);
      c.closeQuietly(verdict == ScanStatus.NOT_A_PEER ? DisconnectReason.of(Kind.NOT_A_PEER, "no greeting")
          : DisconnectReason.of(Kind.CLOSED_LOCALLY, "probe"), probe.lingerNanos);
      return false;
    }
    boolean newPeer = !registry.contains(hello.id());
    probe.outcome(ScanStatus.PEER, hello, newPeer);
    if (probe.keep && (newPeer || duplicateRules)) {
      return true;
    }
    c.closeQuietly(DisconnectReason.of(Kind.CLOSED_LOCALLY, "probe"), probe.lingerNanos);
    return false;
  }

  @Override
  public void rejected(Connection c, DisconnectReason reason) {
    // Scan probes meet strangers by design: the scan report counts them, not the node.
    log.debug("{}: probe of {}: {}", logName, Node.format(c.remoteAddress()), Names.printable(reason.toString()));
  }

  @Override
  public void sessionDone() {
    probe.handedOver();
  }

  @Override
  public void sessionClosed(boolean opened, IOException cause, boolean droppedWithoutAWord) {
    // Accepted, then closed by the other side before it said a word: maybe a Vecino node at
    // its pending-handshake limit; the scanner retries those.
    probe.closed(opened, cause, droppedWithoutAWord);
  }

  @Override
  public String toString() {
    return "ProbeSession{" + probe + "}";
  }
}
