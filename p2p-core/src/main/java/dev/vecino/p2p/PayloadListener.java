package dev.vecino.p2p;

import java.nio.ByteBuffer;

/**
 * A {@link PeerListener} that reads received payloads in place, for hot paths. A listener
 * declares that it wants borrowed payloads by implementing this interface: the node then calls
 * {@link #onPayload} for every message it receives, <em>instead of</em>
 * {@link #onMessage(Message)} (which it never calls on a payload listener), and allocates
 * nothing per message for it. The other events ({@code onConnected}, {@code onDisconnected}, …)
 * arrive as for any listener.
 *
 * <pre>{@code
 * PeerNode node = PeerNode.builder()
 *     .listener((PayloadListener) (sender, kind, payload) -> {
 *       long sequence = payload.getLong(0);       // read in place, keep nothing
 *       prices.update(sender.id(), sequence, payload.getDouble(8));
 *     })
 *     .build();
 * }</pre>
 *
 * <p>Payload listeners and {@code onMessage} listeners may be mixed on one node: each message
 * goes to every listener in the order they were added, the payload listeners lent the payload,
 * the others given one {@link Message} made for all of them.
 *
 * <p><b>Threads:</b> as for {@link PeerListener}.
 */
@FunctionalInterface
public interface PayloadListener extends PeerListener {

  /**
   * A message arrived; the zero-copy counterpart of {@link #onMessage(Message)}.
   *
   * <p>{@code payload} is a read-only buffer, positioned at 0 with the payload's length as its
   * limit, that the node reuses for the next message: it is valid only until this method
   * returns, so copy what you keep. Moving its position or limit, or changing its byte order,
   * affects neither the next listener nor the next message. Same threads and order as
   * {@link #onMessage(Message)}.
   *
   * @param sender the peer that sent it
   * @param kind what the payload means
   * @param payload the payload, borrowed: read-only, valid only during this call
   */
  void onPayload(Peer sender, MessageKind kind, ByteBuffer payload);
}
