package dev.vecino.p2p.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs one peer's events one at a time and in order on a shared executor, even a
 * multi-threaded one. Events are queued as objects (a message or a task) so the hot path
 * allocates no lambda per message.
 *
 * <p>An event that throws a {@link RuntimeException} is logged (within the node's
 * {@link LogBudget}, as are events the executor refuses) and the next one runs. An
 * {@link Error} (a listener's) is reported to the node, which fails, and rethrown to the
 * executor's thread after the remaining events are rescheduled, so they are not lost with it.
 *
 * <p><b>Thread safety:</b> {@link #submit} may be called from any thread.
 */
final class SerialExecutor implements Runnable {

  /** Events per turn, so one busy peer leaves room for others on a shared executor. */
  private static final int MAX_BATCH = 4096;

  private final Executor delegate;
  private final Consumer<Object> dispatcher;
  private final Consumer<Throwable> fatal;
  private final LogBudget logBudget;
  private final String logName;
  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /**
   * An event that must run even when the executor refuses work (the node closed): it completes
   * a future and calls no listener, so it runs on the submitting thread instead of being dropped.
   */
  interface Completion extends Runnable {}

  /**
   * Creates the executor.
   *
   * @param delegate runs the events
   * @param dispatcher runs an event that is not a {@link Runnable}
   * @param fatal hears of an {@link Error} thrown by an event, on the thread that ran it
   * @param logBudget the node's budget for the lines a failing event or a refusing executor causes
   * @param logName the node's log name
   */
  SerialExecutor(Executor delegate, Consumer<Object> dispatcher, Consumer<Throwable> fatal, LogBudget logBudget,
      String logName) {
    this.delegate = delegate;
    this.dispatcher = dispatcher;
    this.fatal = fatal;
    this.logBudget = logBudget;
    this.logName = logName;
  }

  /** Queues an event: a {@link Runnable}, or any object the dispatcher understands. */
  void submit(Object event) {
    queue.offer(event);
    if (scheduled.compareAndSet(false, true)) {
      schedule();
    }
  }

  private void schedule() {
    try {
      delegate.execute(this);
    } catch (RejectedExecutionException e) {
      // Completions still run (no send future is left pending); other events are dropped.
      int dropped = 0;
      Object event;
      while ((event = queue.poll()) != null) {
        if (event instanceof Completion c) {
          c.run();
        } else {
          dropped++;
        }
      }
      scheduled.set(false);
      if (dropped > 0) {
        logBudget.log(LogBudget.Topic.EVENTS_DROPPED, "{}: callback executor rejected events ({} dropped): {}",
            logName, dropped, e.toString());
      }
      // An event offered while this drained, before the flag dropped, found it set: take it too.
      if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
        schedule();
      }
    }
  }

  @Override
  public void run() {
    try {
      for (int i = 0; i < MAX_BATCH; i++) {
        Object event = queue.poll();
        if (event == null) {
          break;
        }
        try {
          if (event instanceof Runnable r) {
            r.run();
          } else {
            dispatcher.accept(event);
          }
        } catch (RuntimeException e) {
          logBudget.log(LogBudget.Topic.LISTENER_FAILED, "{}: listener failed", logName, e);
        } catch (Error e) {
          fatal.accept(e);
          throw e;
        }
      }
    } finally {
      scheduled.set(false);
      if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
        schedule();
      }
    }
  }
}
