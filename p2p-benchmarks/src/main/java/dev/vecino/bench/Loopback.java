package dev.vecino.bench;

import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.scan.NetworkScope;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Helpers shared by the benchmarks: loopback nodes, bounded waits and a retrying send.
 *
 * <p>Every node binds 127.0.0.1 on port 0 and connects only to 127.0.0.1. Every wait has a
 * deadline and fails loudly instead of hanging a benchmark run.
 */
public final class Loopback {

  /** How long any single wait in a benchmark may take before the run fails. */
  public static final Duration WAIT_LIMIT = Duration.ofSeconds(20);

  /**
   * The network scope of every benchmark node (issue 17): loopback, and the benchmarking range
   * that only test namespaces use. Nothing a benchmark runs may reach a real network.
   */
  public static final NetworkScope SCOPE = NetworkScope.parse("127.0.0.0/8,198.18.0.0/15");

  private Loopback() {}

  /**
   * Returns a builder for a node that listens on 127.0.0.1, port 0.
   *
   * @param name the node's display name
   * @param direct whether listener callbacks run on the I/O thread
   * @param listener the listener
   * @return the builder, ready for more options
   */
  public static PeerNodeBuilder builder(String name, boolean direct, PeerListener listener) {
    return PeerNode.builder()
        .name(name)
        .networkScope(SCOPE)
        .bindAddress("127.0.0.1")
        .port(0)
        .directCallbacks(direct)
        .listener(listener);
  }

  /**
   * Connects {@code from} to {@code to} over loopback and waits for the handshake.
   *
   * @param from the connecting node
   * @param to the listening node
   * @return {@code from}'s handle of {@code to}
   */
  public static Peer connect(PeerNode from, PeerNode to) {
    try {
      return from.connect("127.0.0.1", to.localAddress().getPort())
          .get(WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("connect over loopback failed", e);
    }
  }

  /**
   * Waits until {@code done} is true: spins briefly, then yields the CPU (this machine has two
   * cores; a pure spin would starve the I/O threads being measured).
   *
   * @param done the condition
   * @param what named in the failure
   */
  public static void await(BooleanSupplier done, String what) {
    if (done.getAsBoolean()) {
      return;
    }
    long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
    int spins = 0;
    while (!done.getAsBoolean()) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
        if ((spins & 1023) == 0 && System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("timed out after " + WAIT_LIMIT + " waiting for " + what);
        }
      }
    }
  }

  /**
   * Queues one message with {@link PeerNode#trySend(Peer, byte[])}; on
   * {@link SendStatus#QUEUE_FULL} waits until the peer is writable again (the queue drained to
   * its low watermark), the way a well-behaved producer backs off, and retries.
   *
   * @param node the sending node
   * @param peer the destination
   * @param payload the payload
   * @return how many times the queue was full before the message went in
   * @throws IllegalStateException if the peer is closed or the queue stays full too long
   */
  public static long sendRetrying(PeerNode node, Peer peer, byte[] payload) {
    SendStatus s = node.trySend(peer, payload);
    if (s == SendStatus.OK) {
      return 0;
    }
    return retry(node, peer, payload, null, s, false);
  }

  /**
   * As {@link #sendRetrying(PeerNode, Peer, byte[])}, from a buffer.
   *
   * @param node the sending node
   * @param peer the destination
   * @param payload the payload, position to limit
   * @return how many times the queue was full
   */
  public static long sendRetrying(PeerNode node, Peer peer, ByteBuffer payload) {
    SendStatus s = node.trySend(peer, payload);
    if (s == SendStatus.OK) {
      return 0;
    }
    return retry(node, peer, null, payload, s, false);
  }

  /**
   * As {@link #sendRetrying(PeerNode, Peer, byte[])}, with
   * {@link PeerNode#trySendMore(Peer, byte[])}: the caller ends the stream with
   * {@link PeerNode#flush(Peer)}.
   *
   * @param node the sending node
   * @param peer the destination
   * @param payload the payload
   * @return how many times the queue was full
   */
  public static long sendMoreRetrying(PeerNode node, Peer peer, byte[] payload) {
    SendStatus s = node.trySendMore(peer, payload);
    if (s == SendStatus.OK) {
      return 0;
    }
    return retry(node, peer, payload, null, s, true);
  }

  private static long retry(PeerNode node, Peer peer, byte[] array, ByteBuffer buffer,
      SendStatus first, boolean more) {
    long full = 0;
    long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
    SendStatus s = first;
    while (s != SendStatus.OK) {
      if (s == SendStatus.CLOSED) {
        throw new IllegalStateException("peer closed during the benchmark: " + peer.id());
      }
      full++;
      // Parking, not spinning: on two cores a spinning sender takes the CPU the I/O threads
      // need to drain its queue.
      while (!peer.isWritable() && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(BACK_OFF_NANOS);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("queue stayed full for " + WAIT_LIMIT);
      }
      if (peer.isWritable()) {
        Thread.onSpinWait();
      }
      s = array != null ? more ? node.trySendMore(peer, array) : node.trySend(peer, array)
          : node.trySend(peer, buffer);
    }
    return full;
  }

  /** How long a sender parks between looks at a full peer's writability. */
  private static final long BACK_OFF_NANOS = 20_000;
}
