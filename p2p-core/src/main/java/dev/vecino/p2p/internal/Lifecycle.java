package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.NodeFailedException;
import dev.vecino.p2p.VecinoException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's life: NEW, RUNNING, then CLOSING and CLOSED after {@code close()}, or FAILED when a
 * thread of the node dies; and the future that completes once the node has stopped. This
 * class decides when each step runs, on which thread, and what happens when one fails; the
 * node's parts do the work ({@link Node#startParts}, {@link Node#abortStart},
 * {@link Node#stopParts}, {@link Node#sayByeOnOwnConnections}).
 *
 * <p><b>Failure:</b> when a thread of the node dies (an I/O loop, reported by the transport
 * through {@code TransportConfig.failureHandler()}, or a callback that throws an {@link Error},
 * reported by {@link Events}), {@link #fail} moves the node from RUNNING to FAILED: on the
 * reporting thread it logs the cause once at ERROR and says BYE on the connections that thread
 * owns (a dying loop closes them right after); a fresh {@code vecino-failure-<id>} thread then
 * does what {@code close()} does, also tells the listeners of every peer still registered,
 * and fails the close future with a {@link NodeFailedException}.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. The state is atomic;
 * the failure, its reason and the failure thread are volatile, set before the state changes
 * (or, for the failure thread, before it starts); {@code lastReported} is guarded by
 * {@code failLock}.
 */
final class Lifecycle {

  /** Logged as the node: the lines are the node's. */
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private enum State { NEW, RUNNING, CLOSING, CLOSED, FAILED }

  private final Node node;
  private final String logName;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  /** Why the node failed or could not start; null until then. Set before the state changes. */
  private volatile VecinoException failure;
  /** The reason a failed node's connections end with; null until it fails. */
  private volatile DisconnectReason failureReason;
  /** The thread that stops a failed node; null until it fails. */
  private volatile Thread failureThread;
  /** The last failure reported to {@link #fail}, so a second report of it is not logged again. */
  private Throwable lastReported;
  private final Object failLock = new Object();

  Lifecycle(Node node, String logName) {
    this.node = node;
    this.logName = logName;
  }

  /**
   * Starts the node's parts. If that fails half-way, stops whatever started (no thread of the
   * node is left), leaves the node closed and throws.
   *
   * @throws IllegalStateException if the node was already started or closed
   * @throws VecinoException what the start failed with, wrapped unless it is one
   */
  void start() {
    if (!state.compareAndSet(State.NEW, State.RUNNING)) {
      throw new IllegalStateException("node " + logName + " was already started");
    }
    try {
      node.startParts();
      if (state.get() != State.RUNNING) {
        // A thread died while the node was starting: the failure thread is stopping it.
        throw closedException();
      }
    } catch (RuntimeException | Error e) {
      throw startFailed(e);
    }
  }

  /** Returns what {@link #start()} throws, after stopping what it started or waiting for the failure to. */
  private VecinoException startFailed(Throwable e) {
    VecinoException thrown = e instanceof VecinoException v ? v
        : new VecinoException("node " + logName + " could not start: " + e, e);
    if (state.compareAndSet(State.RUNNING, State.CLOSED)) {
      failure = thrown;
      node.abortStart();
      terminated.completeExceptionally(thrown);
    } else {
      // It failed while starting: the failure thread stops it; wait for that, as close() would.
      awaitTermination();
    }
    return thrown;
  }

  /** Whether the node was never started nor closed. */
  boolean isNew() {
    return state.get() == State.NEW;
  }

  boolean isRunning() {
    return state.get() == State.RUNNING;
  }

  /** Whether the node is not started, or no longer running: closing, closed or failed. */
  boolean isClosing() {
    State s = state.get();
    return s == State.CLOSING || s == State.CLOSED || s == State.FAILED;
  }

  /** The state in lower case, for messages; a failed node says why. */
  String name() {
    State s = state.get();
    VecinoException f = failure;
    if (s == State.FAILED && f != null) {
      return "failed (" + f.getMessage() + ")";
    }
    return s.name().toLowerCase(Locale.ROOT);
  }

  /** The reason a failed node's connections end with, or null while it has not failed. */
  DisconnectReason failureReason() {
    return failureReason;
  }

  /** A new future per call, completed with the failure itself (not wrapped), that callers cannot complete for each other. */
  CompletableFuture<Void> closeFuture() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    terminated.whenComplete((v, e) -> {
      if (e == null) {
        f.complete(null);
      } else {
        f.completeExceptionally(e);
      }
    });
    return f;
  }

  /** The exception for an operation refused because the node is not running; a failed node's names the failure. */
  NodeClosedException closedException() {
    VecinoException f = failure;
    if (f instanceof NodeFailedException) {
      return new NodeFailedException(f.getMessage(), f.getCause());
    }
    if (f != null) {
      return new NodeClosedException("node " + logName + " is closed: its start failed: " + f.getMessage(), f);
    }
    return new NodeClosedException("node " + logName + " is " + (state.get() == State.NEW ? "not started" : "closed"));
  }

  /**
   * A thread of the node died: the node fails. Called on the reporting thread (often the dying
   * one): logs the cause once at ERROR, says BYE on the connections this thread owns while it
   * still can, and starts the failure thread, which stops the rest. Only the first report of a
   * running node counts; later ones are logged. Any thread; does not block (unless no thread
   * can be started: then it stops the node on the calling thread).
   *
   * @param what which thread died, for the log and the exceptions
   * @param cause what killed it
   */
  void fail(String what, Throwable cause) {
    NodeFailedException e;
    DisconnectReason reason;
    synchronized (failLock) {
      if (cause == lastReported) {
        return;
      }
      lastReported = cause;
      e = new NodeFailedException("node " + logName + " failed: " + what + ": " + cause, cause);
      // Peers learn that it failed and of what kind of error, not the error's text.
      reason = DisconnectReason.of(Kind.CLOSED_LOCALLY, "node failed (" + cause.getClass().getName() + ")");
      if (!state.compareAndSet(State.RUNNING, State.FAILED)) {
        State s = state.get();
        if (s == State.CLOSING) {
          log.error("{}: {} while the node was closing", logName, what, cause);
        } else {
          log.warn("{}: {} after the node {}", logName, what, s == State.FAILED ? "failed" : "closed", cause);
        }
        return;
      }
      failure = e;
      failureReason = reason;
    }
    log.error("{}: node failed: {}; closing every connection and stopping", logName, what, cause);
    // This thread may be a dying I/O loop about to close its channels: write the BYE now.
    node.sayByeOnOwnConnections(reason);
    Thread t = new Thread(() -> stopAfterFailure(e, reason), "vecino-failure-" + node.identity().id().shortId());
    t.setDaemon(true);
    failureThread = t;
    try {
      t.start();
    } catch (RuntimeException | Error x) {
      log.warn("{}: cannot start a thread to stop the failed node; stopping it on {}", logName,
          Thread.currentThread().getName(), x);
      failureThread = Thread.currentThread();
      stopAfterFailure(e, reason);
    }
  }

  /** The failure thread: stops everything as close() does, disconnects every peer left, fails closeFuture. */
  private void stopAfterFailure(NodeFailedException e, DisconnectReason reason) {
    try {
      node.stopParts(reason, true);
    } finally {
      log.info("{}: stopped after the failure", logName);
      terminated.completeExceptionally(e);
    }
  }

  /**
   * Closes the node: stops its parts with a BYE giving {@code reasonText}. Idempotent: a node
   * never started is just marked closed; a node another thread is stopping (a close, a
   * failure, a failed start) is waited for, unless this is one of the node's own threads.
   */
  void close(String reasonText) {
    if (state.compareAndSet(State.NEW, State.CLOSED)) {
      terminated.complete(null);
      return;
    }
    if (!state.compareAndSet(State.RUNNING, State.CLOSING)) {
      awaitTermination();
      return;
    }
    try {
      node.stopParts(DisconnectReason.of(Kind.CLOSED_LOCALLY, reasonText), false);
      log.info("{}: closed", logName);
    } finally {
      state.set(State.CLOSED);
      terminated.complete(null);
    }
  }

  /** The state, e.g. {@code RUNNING}. */
  @Override
  public String toString() {
    return state.get().name();
  }

  /**
   * Waits until another thread has stopped the node (a close, a failure, a failed start). Not
   * on the node's own threads, which that stopping may be waiting for.
   */
  private void awaitTermination() {
    if (node.onOwnThread() || Thread.currentThread() == failureThread) {
      return;
    }
    try {
      terminated.get(node.config().closeTimeout().toMillis() + 15_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // It failed, or its start did: stopped all the same, and closeFuture() tells why.
    } catch (TimeoutException e) {
      log.warn("{}: waiting for close failed: {}", logName, e.toString());
    }
  }
}
