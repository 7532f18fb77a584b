package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.discovery.Backoff;
import java.net.InetSocketAddress;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconnects to peers the user connected to explicitly, with the node's {@link Backoff}, when
 * their connection is lost for a reason worth retrying. A user's {@code disconnect} ends it.
 * Refusals that may pass (the peer still holds a stale connection and says "duplicate", a
 * limit, a handshake timeout) are retried: a reconnect refused right after its handshake
 * ("duplicate" or "limit exceeded" within a handshake timeout) counts as a failed attempt, so
 * the backoff goes on growing instead of starting over. When another id answers at the
 * address, the old peer is reported lost ({@code onReconnectFailed}) and the intent follows
 * the address to the new one.
 *
 * <p><b>Thread safety:</b> any thread; the maps are concurrent and attempts run on an I/O
 * thread's timers. A peer's loss is acted on once ({@link PeerHandle#lossReported}), whether
 * the registry or {@link #remember} reports it first.
 */
final class Reconnector {

  private static final Logger log = LoggerFactory.getLogger(Reconnector.class);

  private final Node node;
  private final Backoff backoff;
  /** The address each explicitly connected peer was reached at, by id. */
  private final Map<PeerId, InetSocketAddress> intents = new ConcurrentHashMap<>();
  /** Last snapshots of peers being reconnected, state RECONNECTING, by id. */
  private final Map<PeerId, PeerInfo> lostPeers = new ConcurrentHashMap<>();
  /** The number of the last attempt started per id, until the next loss reads it. */
  private final Map<PeerId, Integer> lastAttempt = new ConcurrentHashMap<>();

  Reconnector(Node node, Backoff backoff) {
    this.node = node;
    this.backoff = backoff;
  }

  /**
   * Records the intent to stay connected to {@code peer} at {@code address}, once a user's
   * connect completed. A peer refused or lost before this ran is reconnected now.
   */
  void remember(InetSocketAddress address, Peer peer) {
    intents.put(peer.id(), address);
    if (peer instanceof PeerHandle h && h.state() == PeerState.CLOSED && node.peer(h.id()).isEmpty()) {
      // Its own reason when the registry had reported it: a refusal by admission stays one.
      DisconnectReason why = h.goneWith;
      lost(h, why != null ? why
          : DisconnectReason.of(DisconnectReason.Kind.CONNECTION_LOST, "lost before the connect completed"));
    }
  }

  void forget(PeerId id) {
    intents.remove(id);
    lostPeers.remove(id);
    lastAttempt.remove(id);
  }

  List<PeerInfo> reconnecting() {
    return List.copyOf(lostPeers.values());
  }

  static boolean worthRetrying(DisconnectReason reason) {
    return switch (reason.kind()) {
      // DUPLICATE is retried: the peer may hold a stale connection (or a stranger our id) for now.
      // NOT_ADMITTED is not: the peer's policy refused this node, and each retry would only ask
      // its person again (pairing) until someone there changes the policy.
      case CLOSED_LOCALLY, SELF_CONNECTION, OTHER_GROUP, VERSION_UNSUPPORTED, NOT_ADMITTED -> false;
      default -> true;
    };
  }

  /** A registered peer's connection ended (after its onDisconnected event), or {@link #remember} found it gone. */
  void lost(PeerHandle handle, DisconnectReason reason) {
    PeerId id = handle.id();
    InetSocketAddress address = intents.get(id);
    if (address == null || !worthRetrying(reason) || !node.isRunning() || node.peer(id).isPresent()) {
      return;
    }
    // Refused right after a reconnect (the peer said "already connected", or a limit): that
    // attempt failed, and the backoff goes on. Any other loss starts over.
    Integer tried = lastAttempt.remove(id);
    boolean refused = (reason.kind() == DisconnectReason.Kind.DUPLICATE
        || reason.kind() == DisconnectReason.Kind.LIMIT_EXCEEDED)
        && Duration.between(handle.connectedSince(), java.time.Instant.now())
            .compareTo(node.config().handshakeTimeout()) < 0;
    int attempt = refused && tried != null ? tried + 1 : 1;
    if (!handle.lossReported.compareAndSet(false, true)) {
      return; // Reported twice (by the registry and by remember): one reconnect.
    }
    PeerInfo lastSeen = handle.snapshot();
    PeerInfo reconnecting = new PeerInfo(id, lastSeen.name(), address, lastSeen.listenPort(),
        lastSeen.direction(), PeerState.RECONNECTING, lastSeen.connectedSince(), lastSeen.messagesIn(),
        lastSeen.messagesOut(), lastSeen.bytesIn(), lastSeen.bytesOut(), 0, lastSeen.lastHeard());
    lostPeers.put(id, reconnecting);
    schedule(address, id, attempt);
  }

  private void schedule(InetSocketAddress address, PeerId id, int attempt) {
    if (!node.isRunning() || !address.equals(intents.get(id))) {
      return;
    }
    if (!backoff.allows(attempt)) {
      intents.remove(id, address);
      lostPeers.remove(id);
      log.info("{}: gave up reconnecting to {} after {} attempts", node.logName(), address, attempt - 1);
      node.events.fireGlobal(l -> l.onReconnectFailed(address, id, attempt - 1));
      return;
    }
    Duration delay = backoff.delay(attempt);
    log.debug("{}: reconnecting to {} in {} ms (attempt {})", node.logName(), address, delay.toMillis(), attempt);
    node.events.fireGlobal(l -> l.onReconnecting(address, id, attempt, delay));
    node.timerLoop().schedule(() -> attempt(address, id, attempt), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void attempt(InetSocketAddress address, PeerId id, int attempt) {
    if (!node.isRunning() || !address.equals(intents.get(id))) {
      return;
    }
    if (node.peer(id).isPresent()) {
      lostPeers.remove(id);
      return; // It came back by itself (it connected to us).
    }
    lastAttempt.put(id, attempt);
    CompletableFuture<Peer> f = node.connectInternal(address);
    f.whenComplete((peer, error) -> {
      if (error == null) {
        if (node.peer(id).isPresent()) {
          lostPeers.remove(id);
        }
        if (!peer.id().equals(id)) {
          // Another node answers at that address now: the old peer is gone. Report it, and
          // follow the address (the new peer's onConnected was sent).
          intents.remove(id, address);
          intents.put(peer.id(), address);
          lostPeers.remove(id);
          lastAttempt.remove(id);
          log.warn("{}: reconnecting to {}: '{}' ({}) answered there, not {}: reporting {} as lost",
              node.logName(), Node.format(address), Names.printable(peer.name()), peer.id().shortId(), id.shortId(),
              id.shortId());
          node.events.fireGlobal(l -> l.onReconnectFailed(address, id, attempt));
          return;
        }
        log.info("{}: reconnected to {} after {} attempts", node.logName(), address, attempt);
      } else {
        schedule(address, id, attempt + 1);
      }
    });
  }
}
