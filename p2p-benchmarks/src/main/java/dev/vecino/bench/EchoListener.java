package dev.vecino.bench;

import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PayloadListener;
import dev.vecino.p2p.PeerNode;
import java.nio.ByteBuffer;

/**
 * Sends every message back to its sender with {@code trySend}, retrying on a full queue. Set
 * {@link #node} once the node is built (the listener is given to its builder first).
 *
 * <p><b>Thread safety:</b> runs on the node's callback or I/O thread; {@link #node} is
 * volatile.
 */
public final class EchoListener implements PayloadListener {

  /** The node that echoes; set after {@code build()}. */
  public volatile PeerNode node;

  @Override
  public void onPayload(Peer sender, MessageKind kind, ByteBuffer payload) {
    // Zero-copy both ways: the borrowed payload is copied into the queue by trySend.
    Loopback.sendRetrying(node, sender, payload);
  }
}
