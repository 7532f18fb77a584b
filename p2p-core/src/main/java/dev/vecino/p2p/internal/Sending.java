package dev.vecino.p2p.internal;

import dev.vecino.p2p.BroadcastResult;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerDisconnectedException;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.QueueFullException;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.VecinoException;
import dev.vecino.p2p.codec.FrameType;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A node's send path as users see it: hands messages to a peer's connection, turns
 * the {@link SendStatus} its queue returns into a status or a failed future, and fails the
 * futures of messages that were never written.
 *
 * <p><b>Thread safety:</b> owned by its {@link Node}; stateless beyond its collaborators. Sends
 * come from any thread (the connection's outbound queue orders them); a send refused by the
 * connection its peer's handle just left goes once more on the handle's new one
 * ({@link #offer}). The failure reports come from the connection's I/O thread and complete
 * futures on the callback executor.
 */
final class Sending {

  private final Node node;
  private final NodeConfig config;
  private final Events events;
  private final PeerRegistry registry;

  Sending(Node node, NodeConfig config, Events events, PeerRegistry registry) {
    this.node = node;
    this.config = config;
    this.events = events;
    this.registry = registry;
  }

  private static FrameType frameType(MessageKind kind) {
    return switch (kind) {
      case TEXT -> FrameType.TEXT;
      case BINARY -> FrameType.BINARY;
      case CALL -> FrameType.CALL;
    };
  }

  private static String describe(Peer p) {
    return "peer '" + p.name() + "' (" + p.id().shortId() + ")";
  }

  /**
   * Queues a frame on {@code c}, the connection {@code peer}'s handle showed; when {@code c}
   * refused it as closed and the handle has moved meanwhile, queues it once more on the
   * handle's new connection. The handle moves to the winner of a simultaneous connect, or to a
   * newcomer that replaced a stale connection, while the one it leaves closes: a sender that
   * read the handle just before may find that one closing. A refusal as closed queued nothing
   * and left the payload as it was, so the frame may go on the handle's connection now and
   * still goes at most once; it is queued there behind what was queued before it, so order on
   * each connection holds. Once: another move within the same send would need another race
   * settled meanwhile. Any thread.
   *
   * @return the status of the last attempt
   */
  private SendStatus offer(Peer peer, Connection c, FrameType type, byte[] a, int off, int len, ByteBuffer b,
      boolean mayInline, boolean more) {
    SendStatus s = c.send(type, a, off, len, b, null, mayInline, more);
    if (s == SendStatus.CLOSED) {
      Connection now = registry.connectionOf(peer);
      if (now != c) {
        s = now.send(type, a, off, len, b, null, mayInline, more);
      }
    }
    return s;
  }

  /** See {@code PeerNode.trySend(Peer, MessageKind, byte[], int, int)}. Any thread. */
  SendStatus trySend(Peer peer, MessageKind kind, byte[] payload, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, payload.length);
    return offer(peer, registry.connectionOf(peer), frameType(kind), payload, offset, length, null,
        true, false);
  }

  /** See {@code PeerNode.trySend(Peer, ByteBuffer)}. Any thread. */
  SendStatus trySend(Peer peer, ByteBuffer payload) {
    Objects.requireNonNull(payload, "payload");
    return offer(peer, registry.connectionOf(peer), FrameType.BINARY, null, 0, 0, payload, true, false);
  }

  /** See {@code PeerNode.trySendMore(Peer, MessageKind, byte[], int, int)}. Any thread. */
  SendStatus trySendMore(Peer peer, MessageKind kind, byte[] payload, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, payload.length);
    return offer(peer, registry.connectionOf(peer), frameType(kind), payload, offset, length, null,
        true, true);
  }

  /** See {@code PeerNode.trySendMore(Peer, ByteBuffer)}. Any thread. */
  SendStatus trySendMore(Peer peer, ByteBuffer payload) {
    Objects.requireNonNull(payload, "payload");
    return offer(peer, registry.connectionOf(peer), FrameType.BINARY, null, 0, 0, payload, true, true);
  }

  /** See {@code PeerNode.flush(Peer)}. Any thread. */
  void flush(Peer peer) {
    registry.connectionOf(peer).flush();
  }

  /** See {@code PeerNode.send(Peer, MessageKind, byte[], Duration)}. Any thread. */
  CompletableFuture<Void> send(Peer peer, MessageKind kind, byte[] payload, Duration queueTimeout) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(queueTimeout, "queueTimeout");
    Connection c = registry.connectionOf(peer);
    CompletableFuture<Void> f = new CompletableFuture<>();
    SendStatus s = c.send(frameType(kind), payload, 0, payload.length, null, f);
    if (s == SendStatus.CLOSED) {
      // As in offer, with a future, and keeping the connection for the park below.
      Connection now = registry.connectionOf(peer);
      if (now != c) {
        c = now;
        s = c.send(frameType(kind), payload, 0, payload.length, null, f);
      }
    }
    // A parked send is encoded (copied) at once: the caller may reuse its array.
    if (s == SendStatus.QUEUE_FULL && queueTimeout.toNanos() > 0
        && c.park(frameType(kind), payload, f, queueTimeout.toNanos())) {
      return f;
    }
    if (s == SendStatus.QUEUE_FULL) {
      return CompletableFuture.failedFuture(new QueueFullException("outbound queue to " + describe(peer)
          + " is full (" + c.queuedBytes() + " bytes queued, limit " + config.maxQueuedBytes() + ")"));
    }
    if (s == SendStatus.CLOSED) {
      return CompletableFuture.failedFuture(node.isClosing() ? node.closedException()
          : new PeerDisconnectedException(describe(peer) + " is not connected"));
    }
    return f;
  }

  /** See {@code PeerNode.broadcast(MessageKind, byte[])}. Any thread. */
  BroadcastResult broadcast(MessageKind kind, byte[] payload) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Map<PeerId, SendStatus> result = new HashMap<>();
    FrameType type = frameType(kind);
    for (PeerHandle h : registry.sortedHandles()) {
      result.put(h.id, offer(h, h.connection, type, payload, 0, payload.length, null, false, false));
    }
    return new BroadcastResult(result);
  }

  /** A queued message's connection closed before it was written. I/O thread. */
  void failSend(CompletableFuture<Void> f, Connection c) {
    VecinoException e = node.isClosing() ? node.closedException()
        : new PeerDisconnectedException("peer at " + Node.format(c.remoteAddress())
            + " disconnected before the message was written");
    events.run(() -> f.completeExceptionally(e));
  }

  /** A parked message found no room in the outbound queue within its timeout. I/O thread. */
  void failQueueTimeout(CompletableFuture<Void> f, Connection c, long timeoutNanos) {
    QueueFullException e = new QueueFullException("outbound queue to " + Node.format(c.remoteAddress())
        + " stayed full for " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
    events.run(() -> f.completeExceptionally(e));
  }
}
