package dev.vecino.p2p.internal;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.PeerListener;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a node's events to its listeners: on the callback executor, serialized per peer,
 * or on the I/O thread in direct mode. Owns the default callback thread and the inbound
 * back-pressure bookkeeping (undelivered bytes per peer).
 *
 * <p><b>Thread safety:</b> every method may be called from any thread once {@link #start} ran.
 */
final class Events {

  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private final NodeConfig config;
  private final String logName;
  private Executor callbacks;
  private ExecutorService ownedCallbacks;
  private String callbackThreadName;

  Events(NodeConfig config, String logName) {
    this.config = config;
    this.logName = logName;
  }

  /** Creates the default callback thread unless the user gave an executor. */
  void start(String suffix) {
    if (config.callbackExecutor() != null) {
      callbacks = config.callbackExecutor();
    } else {
      callbackThreadName = "vecino-callback-" + suffix;
      ownedCallbacks = new CallbackThread(callbackThreadName);
      callbacks = ownedCallbacks;
    }
  }

  boolean onCallbackThread() {
    return callbackThreadName != null && Thread.currentThread().getName().equals(callbackThreadName);
  }

  /** Lets queued events run, then stops the default callback thread (not a user's executor). */
  void shutdown() {
    if (ownedCallbacks == null) {
      return;
    }
    ownedCallbacks.shutdown();
    if (!onCallbackThread()) {
      try {
        if (!ownedCallbacks.awaitTermination(config.closeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
          log.warn("{}: listener callbacks still running after close; interrupting", logName);
          ownedCallbacks.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  SerialExecutor newSerialExecutor() {
    return new SerialExecutor(callbacks, this::dispatch);
  }

  /** Per-message bookkeeping cost counted against the undelivered bound, so empty messages count too. */
  private static final int MESSAGE_OVERHEAD = 64;

  private void dispatch(Object event) {
    Message m = (Message) event;
    try {
      for (PeerListener l : config.listeners()) {
        l.onMessage(m);
      }
    } finally {
      if (!config.directCallbacks()) {
        delivered((PeerHandle) m.sender(), m.size() + MESSAGE_OVERHEAD);
      }
    }
  }

  void deliver(PeerHandle handle, Connection from, MessageKind kind, byte[] payload) {
    Message m = new Message(handle, kind, payload);
    if (config.directCallbacks()) {
      try {
        dispatch(m);
      } catch (RuntimeException e) {
        log.warn("{}: listener failed on a message from {}", logName, handle.id.shortId(), e);
      }
      return;
    }
    long pending = handle.undelivered.addAndGet(payload.length + MESSAGE_OVERHEAD);
    if (pending > config.maxUndeliveredBytes() && handle.readPaused.compareAndSet(false, true)) {
      // The listeners fall behind: stop reading, so the peer's sends back up instead of our heap.
      from.pauseReading(true);
    }
    handle.events.submit(m);
  }

  /** The listeners finished a message: resume reading once half the backlog is gone. Callback thread. */
  private void delivered(PeerHandle handle, int bytes) {
    long pending = handle.undelivered.addAndGet(-bytes);
    if (pending <= config.maxUndeliveredBytes() / 2 && handle.readPaused.compareAndSet(true, false)) {
      handle.connection.pauseReadingAsync(false);
    }
  }

  void fire(PeerHandle handle, Runnable event) {
    if (config.directCallbacks()) {
      try {
        event.run();
      } catch (RuntimeException e) {
        log.warn("{}: listener failed", logName, e);
      }
    } else {
      handle.events.submit(event);
    }
  }

  void run(Runnable r) {
    if (config.directCallbacks()) {
      r.run();
      return;
    }
    try {
      callbacks.execute(r);
    } catch (RejectedExecutionException e) {
      r.run();
    }
  }

  void completeSends(PeerHandle handle, List<CompletableFuture<Void>> done) {
    for (CompletableFuture<Void> f : done) {
      if (handle == null || config.directCallbacks()) {
        f.complete(null);
      } else {
        handle.events.submit((Runnable) () -> f.complete(null));
      }
    }
  }

  void writabilityChanged(PeerHandle h, boolean writable) {
    if (h == null) {
      return;
    }
    fire(h, () -> {
      for (PeerListener l : config.listeners()) {
        l.onWritabilityChanged(h, writable);
      }
    });
  }

  /** Runs a node-wide event (not tied to a live peer) on the callback executor. */
  void fireGlobal(java.util.function.Consumer<PeerListener> event) {
    run(() -> {
      for (PeerListener l : config.listeners()) {
        try {
          event.accept(l);
        } catch (RuntimeException e) {
          log.warn("{}: listener failed", logName, e);
        }
      }
    });
  }
}
