package dev.vecino.p2p;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a node pairs with a node it meets for the first time (the pairing policy,
 * {@link PeerNodeBuilder#pairing}). Both nodes show the same short code
 * ({@link PairingRequest#code()}); a person compares them and accepts on both sides, and the
 * nodes pin each other's key: from then on they are admitted without asking, and no other key
 * passes for them.
 *
 * <pre>{@code
 * PeerNode node = PeerNode.builder().name("ana").peerStore(Path.of("peers"))
 *     .pairing(request -> CompletableFuture.supplyAsync(() ->
 *         ui.confirm("Pair with " + request.address() + "? Code " + request.code())), Duration.ofMinutes(2))
 *     .build().start();
 * }</pre>
 *
 * <p>Called on the node's callback thread (or the I/O thread with direct callbacks): answer
 * with a future and decide elsewhere, never block. A future that fails, or does not complete
 * within the pairing timeout, rejects; so does a handler that throws.
 *
 * <p>The request shows no name: nothing of either node's name or group crosses before both
 * accept. Once they have, the other node's name is pinned to its key with it, and another key
 * that later shows that name is refused ({@link PeerNode#pinnedPeers()}); a key whose name is
 * already pinned to another key is refused right after pairing, and not pinned.
 *
 * <p>When the connection ends before the person decided (the other person declined, the pairing
 * timeout passed, the node closes), the node cancels the returned future, if it is a
 * {@link java.util.concurrent.CompletableFuture} ({@code toCompletableFuture()}), on the
 * callback thread: an application can then take its question down.
 */
@FunctionalInterface
public interface PairingHandler {

  /**
   * Returns whether to pair with the node {@code request} describes.
   *
   * @param request the other node and the code both sides show
   * @return completes with true to accept, false to reject
   */
  CompletionStage<Boolean> pair(PairingRequest request);
}
