package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer with two connections, for {@link PeerRegistry}: which one stays (the
 * simultaneous-connect rule, docs/PROTOCOL.md 1.4), what happens to the other, and what a
 * handle's move from one connection to another tells the listeners. The registry decides under
 * its lock which case applies; these steps run after it, outside the lock.
 *
 * <p>Logs under the registry's logger: the handshake rules are one subject for whoever reads or
 * filters the log (the chat shows the registry's refused-claim warnings).
 *
 * <p><b>Thread safety:</b> holds only its node's immutable settings; called on the connections'
 * I/O threads.
 */
final class Duplicates {

  private static final Logger log = LoggerFactory.getLogger(PeerRegistry.class);

  private final Node node;
  private final NodeConfig config;
  private final PeerId localId;
  private final String logName;
  private final NodeCounters counters;
  private final Events events;
  private final PeerRegistry registry;

  Duplicates(Node node, NodeConfig config, NodeCounters counters, Events events, PeerRegistry registry) {
    this.node = node;
    this.config = config;
    this.localId = config.identity().id();
    this.logName = node.logName();
    this.counters = counters;
    this.events = events;
    this.registry = registry;
  }

  /**
   * Keeps {@code existing}'s connection and not the newcomer {@code c}: the simultaneous-connect
   * rule chose it, or a check of it for another newcomer is running. I/O thread.
   */
  void keepExisting(Connection c, Hello hello, PeerHandle existing, Connection kept, String who,
      boolean checkRunning) {
    // Keep the existing connection; its connect future gets the peer.
    c.replaced = true;
    if (c.connectFuture != null) {
      registry.completeConnect(existing, c.connectFuture);
    }
    counters.reject(Kind.DUPLICATE);
    if (!checkRunning && c.direction == Direction.INBOUND && kept.direction == Direction.OUTBOUND) {
      // We opened the winner; the peer registered this one and closes it once it sees ours.
      log.debug("{}: simultaneous connect with {}: waiting for the peer to drop its connection", logName, who);
      c.handshakeDone(existing, false);
      standby(c);
    } else {
      logRefused(c, kept, who, checkRunning
          ? "a check of that connection for another newcomer is running"
          : "a simultaneous connect keeps the connection opened by the lower id");
      c.close(DisconnectReason.of(Kind.DUPLICATE, Bye.ALREADY_CONNECTED), true);
    }
  }


  /** The newcomer {@code c} won a simultaneous connect: closes the loser, now or once the peer has seen {@code c}. */
  void dropLoser(Connection c, Connection loser, String who) {
    log.debug("{}: simultaneous connect with {}: keeping the connection opened by the lower id", logName, who);
    if (c.direction == Direction.INBOUND) {
      // We accepted the winner, so the peer has registered it: the loser can go now.
      loser.closeAsync(DisconnectReason.of(Kind.DUPLICATE, Bye.SIMULTANEOUS_CONNECT), true);
    } else {
      // We opened the winner; the peer may not have seen it yet, so it closes the loser.
      standby(loser);
    }
  }


  /**
   * Keeps a losing connection of a simultaneous connect open until the peer closes it (it
   * does once it registers the winner), so nothing it sent on it is lost; closes it after the
   * handshake timeout otherwise.
   */
  private void standby(Connection loser) {
    Runnable expire = () -> dropStandby(loser);
    loser.eventLoop().execute(() -> {
      loser.standby = true;
      loser.eventLoop().schedule(expire, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    });
  }

  /**
   * Closes a losing connection kept on standby: its time ran out, or the peer PINGed it. A PING
   * means the peer still takes it for its live connection: its clock put our winner outside the
   * overlap window, so it checks this one instead of applying the lower-id rule (each side
   * measures the window from its own end of the handshake, which can be a second apart under
   * load). Answering the check would make it refuse our winner ("already connected") after we
   * sent on it; the BYE tells it we kept the other connection, which it then takes. I/O thread.
   */
  static void dropStandby(Connection loser) {
    loser.close(DisconnectReason.of(Kind.DUPLICATE, Bye.SIMULTANEOUS_CONNECT), true);
  }


  /**
   * Whether a newcomer's handshake overlaps {@code old}'s: {@code old} is still handshaking or
   * was established less than a handshake timeout ago. Only then, and only for connections
   * opened by different sides, does the lower-id rule decide (both sides may have registered
   * different connections of a simultaneous connect); otherwise {@code old} is checked
   * (docs/PROTOCOL.md 1.4). Two connections opened by the same side are never a simultaneous
   * connect: that side sends a HELLO on the newer one only once it gave up the older one.
   */
  boolean overlaps(Connection old) {
    long since = old.establishedNanos;
    return since == 0 || System.nanoTime() - since < config.handshakeTimeout().toNanos();
  }


  /**
   * Logs a refused newcomer: at WARN when it may be someone else using the id (on a plaintext
   * connection ids are claimed, not proven), at DEBUG for this node's own second connect to the
   * same host, at INFO when the newcomer proved the id's key (the same node connected twice).
   */
  void logRefused(Connection c, Connection kept, String who, String why) {
    boolean ownRedial = c.direction == Direction.OUTBOUND
        && c.remoteAddress().getAddress().equals(kept.remoteAddress().getAddress());
    if (ownRedial) {
      log.debug("{}: dropping duplicate connection to {}: already connected at {} ({})", logName, who,
          Node.format(kept.remoteAddress()), why);
    } else if (c.tls() != null && c.tls().isSecured()) {
      node.logBudget.log(LogBudget.Topic.REJECTED, "{}: refused a second connection from {}: it is"
          + " connected at {} ({}); both proved its key", logName, who, Node.format(kept.remoteAddress()), why);
    } else {
      node.logBudget.log(LogBudget.Topic.REFUSED_CLAIM, "{}: refused {}: its id is connected at {} ({}); ids are"
          + " claimed, not proven, so one of the two may be an impostor", logName, who,
          Node.format(kept.remoteAddress()), why);
    }
  }


  /**
   * {@code h} moved from {@code from} to {@code to}: the new connection inherits paused reading
   * (inbound back pressure is the peer's, not the connection's) and listeners hear
   * {@code onConnectionReplaced}, in order with the peer's other events; with {@code logMove}
   * the move is logged (else the caller did). {@code to}'s I/O thread.
   */
  void switched(PeerHandle h, Connection from, Connection to, boolean logMove) {
    boolean paused = h.readPaused.get();
    to.pauseReading(paused);
    if (paused && !h.readPaused.get()) {
      // The listeners caught up meanwhile and resumed the connection they saw: this one.
      to.pauseReading(false);
    }
    InetSocketAddress oldRemote = from.remoteAddress();
    InetSocketAddress newRemote = to.remoteAddress();
    if (!logMove) {
      // The caller logged why.
    } else if (oldRemote.getAddress().equals(newRemote.getAddress())) {
      log.debug("{}: peer '{}' ({}) moved from {} to {}", logName, Names.printable(h.name()), h.id.shortId(),
          Node.format(oldRemote), Node.format(newRemote));
    } else {
      // Another host now speaks for this id: worth a line (ids are claimed, not proven).
      node.logBudget.log(LogBudget.Topic.MOVED, "{}: peer '{}' ({}) moved from {} to another address, {}", logName,
          Names.printable(h.name()), h.id.shortId(), Node.format(oldRemote), Node.format(newRemote));
    }
    events.fire(h, () -> {
      for (PeerListener l : config.listeners()) {
        l.onConnectionReplaced(h, oldRemote, newRemote);
      }
    });
  }


  /**
   * The simultaneous-connect rule (docs/PROTOCOL.md 1.4): of two overlapping connections
   * between the same pair opened by different sides, keep the one opened by the lower id.
   */
  boolean newConnectionWins(Connection fresh, Connection old, PeerId remoteId) {
    PeerId freshOpener = fresh.direction == Direction.OUTBOUND ? localId : remoteId;
    PeerId oldOpener = old.direction == Direction.OUTBOUND ? localId : remoteId;
    return !freshOpener.equals(oldOpener) && freshOpener.compareTo(oldOpener) < 0;
  }
}
