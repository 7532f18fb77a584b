package dev.vecino.p2p.internal;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.PayloadListener;
import dev.vecino.p2p.PeerListener;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a node's events to its listeners: on the callback executor, serialized per peer
 * (a read's messages as one {@link InboundBatch}), or on the I/O thread in direct mode. Owns
 * the default callback thread and the inbound back-pressure bookkeeping (undelivered bytes per
 * peer). Each listener is called as what it declares it is: a {@code PayloadListener} gets
 * borrowed payloads, any other listener {@link Message}s.
 *
 * <p>A listener that throws a {@link RuntimeException} is logged at WARN (within the node's
 * {@link LogBudget}: a peer may send what a listener throws on at any rate) and the other
 * listeners and events still run. An {@link Error} is fatal to the node: on the callback
 * executor (the default thread or the user's) it is reported to the node, which fails (see
 * {@link SerialExecutor}, {@link CallbackThread}); in direct mode it kills the I/O thread that
 * ran the listener, which the transport reports.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread once {@link #start} ran.
 */
final class Events {

  private static final Logger log = LoggerFactory.getLogger(Events.class);

  private final NodeConfig config;
  /** The listeners as an array: the per-message loop allocates no iterator. */
  private final PeerListener[] listeners;
  /** Per listener: itself if it is a {@link PayloadListener} (borrowed payloads, never a Message), else null. */
  private final PayloadListener[] payloadListeners;
  private final boolean anyPayloadListener;
  private final boolean direct;
  private final String logName;
  private final LogBudget logBudget;
  /** Hears of an Error thrown by a callback on the callback executor; makes the node fail. */
  private final Consumer<Throwable> fatal;
  private Executor callbacks;
  /** The default callback thread; null when the user gave an executor. */
  private CallbackThread ownedCallbacks;

  Events(NodeConfig config, String logName, LogBudget logBudget, Consumer<Throwable> fatal) {
    this.fatal = fatal;
    this.logBudget = logBudget;
    this.config = config;
    this.listeners = config.listeners().toArray(new PeerListener[0]);
    this.payloadListeners = new PayloadListener[listeners.length];
    boolean any = false;
    for (int i = 0; i < listeners.length; i++) {
      if (listeners[i] instanceof PayloadListener p) {
        payloadListeners[i] = p;
        any = true;
      }
    }
    this.anyPayloadListener = any;
    this.direct = config.directCallbacks();
    this.logName = logName;
  }

  /** Creates the default callback thread unless the user gave an executor. */
  void start(String suffix) {
    if (config.callbackExecutor() != null) {
      callbacks = config.callbackExecutor();
    } else {
      ownedCallbacks = new CallbackThread("vecino-callback-" + suffix, logName, fatal);
      callbacks = ownedCallbacks;
    }
  }

  /** Whether the caller is the default callback thread (never true for a user's executor). */
  boolean onCallbackThread() {
    CallbackThread owned = ownedCallbacks;
    return owned != null && owned.inCallbackThread();
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
    return new SerialExecutor(callbacks, this::dispatchBatch, fatal, logBudget, logName);
  }

  private static final MessageKind[] KINDS = MessageKind.values();

  /**
   * A data frame arrived from {@code handle}'s connection: in direct mode the listeners run
   * now; otherwise the message joins the read's batch, which {@link #deliver} hands over when
   * the read is done. I/O thread.
   *
   * @param batch the read's batch so far, or null
   * @param view the connection's payload view (direct mode)
   * @param readBytes the size of the current read, to size a new batch's payload array
   * @return the batch to pass with the next frame of this read (null in direct mode)
   */
  InboundBatch received(InboundBatch batch, PeerHandle handle, MessageKind kind, ByteBuffer buf, int offset,
      int length, PayloadView view, int readBytes) {
    if (direct) {
      dispatch(handle, kind, buf, offset, length, view);
      return null;
    }
    if (batch == null) {
      // Sized for the whole read (the first frame may come from the partial-frame buffer),
      // so a flood of small messages copies into one array without growing it.
      batch = InboundBatch.take(handle, anyPayloadListener, Math.max(length, readBytes));
    }
    batch.add(kind, buf, offset, length);
    return batch;
  }

  private void dispatchBatch(Object event) {
    InboundBatch b = (InboundBatch) event;
    try {
      if (b.raw) {
        ByteBuffer data = ByteBuffer.wrap(b.data);
        PayloadView view = b.handle.payloadView();
        int start = 0;
        for (int i = 0; i < b.size; i++) {
          dispatch(b.handle, KINDS[b.kinds[i]], data, start, b.ends[i] - start, view);
          start = b.ends[i];
        }
      } else {
        for (int i = 0; i < b.size; i++) {
          Message m = b.messages[i];
          b.messages[i] = null;
          for (PeerListener l : listeners) {
            try {
              l.onMessage(m);
            } catch (RuntimeException e) {
              listenerFailed(m.sender(), e);
            }
          }
        }
      }
    } finally {
      delivered(b.handle, b.bytes);
      b.recycle();
    }
  }

  /**
   * Runs every listener for one message, in registration order: {@link PayloadListener}s get
   * the borrowed view, the others one shared {@link Message}, made only if needed. A failing
   * listener is logged and the others still run.
   */
  private void dispatch(PeerHandle sender, MessageKind kind, ByteBuffer src, int offset, int length,
      PayloadView view) {
    Message m = null;
    ByteBuffer payload = null;
    for (int i = 0; i < listeners.length; i++) {
      try {
        PayloadListener p = payloadListeners[i];
        if (p != null) {
          payload = payload == null ? view.of(src, offset, length) : view.again();
          p.onPayload(sender, kind, payload);
        } else {
          if (m == null) {
            byte[] copy = new byte[length];
            src.get(offset, copy);
            m = new Message(sender, kind, copy);
          }
          listeners[i].onMessage(m);
        }
      } catch (RuntimeException e) {
        listenerFailed(sender, e);
      }
    }
  }

  private void listenerFailed(dev.vecino.p2p.Peer sender, RuntimeException e) {
    logBudget.log(LogBudget.Topic.LISTENER_FAILED, "{}: listener failed on a message from {}", logName,
        sender.id().shortId(), e);
  }

  /** A listener threw on an event that is not a message (connected, disconnected...). */
  private void eventFailed(RuntimeException e) {
    logBudget.log(LogBudget.Topic.LISTENER_FAILED, "{}: listener failed", logName, e);
  }

  /** Whether listeners run on the I/O thread as messages are decoded. */
  boolean direct() {
    return direct;
  }

  /**
   * Hands a read's messages to the peer's callback executor, and pauses reading from
   * {@code from} when the listeners fall too far behind. I/O thread.
   */
  void deliver(Connection from, InboundBatch batch) {
    PeerHandle handle = batch.handle;
    long pending = handle.undelivered.addAndGet(batch.bytes);
    if (pending > config.maxUndeliveredBytes() && handle.readPaused.compareAndSet(false, true)) {
      // The listeners fall behind: stop reading, so the peer's sends back up instead of our heap.
      from.pauseReading(true);
    }
    handle.events.submit(batch);
  }

  /** The listeners finished messages: resume reading once half the backlog is gone. Callback thread. */
  private void delivered(PeerHandle handle, long bytes) {
    long pending = handle.undelivered.addAndGet(-bytes);
    if (pending <= config.maxUndeliveredBytes() / 2 && handle.readPaused.compareAndSet(true, false)) {
      handle.connection.pauseReadingAsync(false);
    }
  }

  void fire(PeerHandle handle, Runnable event) {
    if (direct) {
      try {
        event.run();
      } catch (RuntimeException e) {
        eventFailed(e);
      }
    } else {
      handle.events.submit(event);
    }
  }

  void run(Runnable r) {
    if (direct) {
      r.run();
      return;
    }
    try {
      // The default thread reports an Error itself; a user's executor would not tell the node.
      callbacks.execute(ownedCallbacks != null ? r : reportingErrors(r));
    } catch (RejectedExecutionException e) {
      r.run();
    }
  }

  /** Wraps a task for a user's executor: an Error it throws makes the node fail, then goes on up. */
  private Runnable reportingErrors(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (Error e) {
        fatal.accept(e);
        throw e;
      }
    };
  }

  void completeSends(PeerHandle handle, List<CompletableFuture<Void>> done) {
    for (CompletableFuture<Void> f : done) {
      if (handle == null || direct) {
        f.complete(null);
      } else {
        handle.events.submit((SerialExecutor.Completion) () -> f.complete(null));
      }
    }
  }

  void writabilityChanged(PeerHandle h, boolean writable) {
    if (h == null) {
      return;
    }
    fire(h, () -> {
      for (PeerListener l : listeners) {
        l.onWritabilityChanged(h, writable);
      }
    });
  }

  /** Runs a node-wide event (not tied to a live peer) on the callback executor. */
  void fireGlobal(java.util.function.Consumer<PeerListener> event) {
    run(() -> {
      for (PeerListener l : listeners) {
        try {
          event.accept(l);
        } catch (RuntimeException e) {
          eventFailed(e);
        }
      }
    });
  }
}
