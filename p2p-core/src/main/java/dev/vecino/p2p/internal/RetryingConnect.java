package dev.vecino.p2p.internal;

import dev.vecino.p2p.ConnectTimeoutException;
import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.discovery.Backoff;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A first connect retried with a {@link Backoff} ({@code PeerNode.connect(address, backoff)}):
 * an attempt that fails because nothing answered (refused, unreachable, timed out; see
 * {@link #worthRetrying}) is tried
 * again after the policy's delay, reported like a reconnect ({@code onReconnecting} with no
 * last id), until one reaches a peer, the policy gives up ({@code onReconnectFailed}, and the
 * future fails with the last attempt's error), the node closes, or the caller cancels the
 * future. A refusal that retrying cannot change (another group, not a peer, this node itself,
 * no common version) fails the future at once.
 *
 * <p><b>Thread safety:</b> attempts start on the caller's thread (the first) and on a timer of
 * the node's I/O threads (the rest); each attempt starts after the previous one ended, so one
 * attempt at most is under way. The only shared state is {@link #result}, a
 * {@link CompletableFuture}: whoever completes it first (an attempt, the give-up, a close, the
 * caller's cancel) wins, and a later attempt never starts once it is done. An attempt already
 * under way when the caller cancels is not aborted: it may still connect.
 */
final class RetryingConnect {

  private static final Logger log = LoggerFactory.getLogger(RetryingConnect.class);

  private final Node node;
  private final InetSocketAddress address;
  private final Backoff backoff;
  private final CompletableFuture<Peer> result = new CompletableFuture<>();

  private RetryingConnect(Node node, InetSocketAddress address, Backoff backoff) {
    this.node = node;
    this.address = address;
    this.backoff = backoff;
  }

  /**
   * Starts the first attempt at once; returns the future of the whole sequence. The sequence
   * is in {@code pending} until it ends, so that a close can fail it ({@link #nodeClosed}).
   */
  static CompletableFuture<Peer> start(Node node, InetSocketAddress address, Backoff backoff,
      Set<RetryingConnect> pending, Reconnector reconnector) {
    RetryingConnect r = new RetryingConnect(node, address, backoff);
    pending.add(r);
    r.result.whenComplete((p, e) -> pending.remove(r));
    r.attempt(0);
    if (reconnector == null) {
      return r.result;
    }
    // As in connect(address): the reconnect intent is recorded before the caller sees the peer.
    CompletableFuture<Peer> remembered = r.result.thenApply(p -> {
      reconnector.remember(address, p);
      return p;
    });
    // Cancelling what the caller holds must stop the retries.
    remembered.whenComplete((p, e) -> r.result.cancel(false));
    return remembered;
  }

  /**
   * Whether a failed attempt may succeed later: the network said no (refused, unreachable: a
   * {@link PeerUnreachableException} caused by an I/O error), or nothing answered in time.
   * Failures decided before any packet (an unknown host, an address the bind address cannot
   * reach, this node's connection limit) stay as they are.
   */
  static boolean worthRetrying(Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof ConnectTimeoutException) {
      return true;
    }
    return e instanceof PeerUnreachableException && e.getCause() instanceof IOException
        && !(e.getCause() instanceof UnknownHostException);
  }

  /** Runs attempt {@code retry} (0 for the first, then the retry's number). */
  private void attempt(int retry) {
    if (result.isDone()) {
      return;
    }
    if (!node.isRunning()) {
      result.completeExceptionally(node.closedException());
      return;
    }
    node.connectInternal(address).whenComplete((peer, error) -> {
      if (error == null) {
        if (!result.complete(peer)) {
          log.debug("{}: connect to {} was cancelled; the attempt under way connected to {}", node.logName(),
              Node.format(address), peer.id().shortId());
        } else if (retry > 0) {
          log.info("{}: connected to {} after {} retries", node.logName(), Node.format(address), retry);
        }
      } else {
        failed(retry, error);
      }
    });
  }

  private void failed(int retry, Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (result.isDone()) {
      return;
    }
    if (!worthRetrying(cause) || !node.isRunning() || cause instanceof NodeClosedException) {
      result.completeExceptionally(cause);
      return;
    }
    int next = retry + 1;
    if (!backoff.allows(next)) {
      log.info("{}: gave up connecting to {} after {} retries", node.logName(), Node.format(address), retry);
      node.events.fireGlobal(l -> l.onReconnectFailed(address, null, retry + 1));
      result.completeExceptionally(cause);
      return;
    }
    Duration delay = backoff.delay(next);
    log.debug("{}: connecting to {} again in {} ms (retry {})", node.logName(), Node.format(address),
        delay.toMillis(), next);
    node.events.fireGlobal(l -> l.onReconnecting(address, null, next, delay));
    try {
      node.timerLoop().schedule(() -> attempt(next), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      // The node closed between the check and the schedule: its loops take no more tasks.
      result.completeExceptionally(node.isRunning() ? e : node.closedException());
    }
  }

  /** The node stopped: a retry waiting on a timer would never run. Any thread. */
  void nodeClosed() {
    result.completeExceptionally(node.closedException());
  }
}
