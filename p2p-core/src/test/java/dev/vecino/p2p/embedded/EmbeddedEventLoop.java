package dev.vecino.p2p.embedded;

import dev.vecino.p2p.transport.EventLoop;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EventLoop} driven by the test thread: the test thread <em>is</em> the loop thread.
 * Tasks queue until {@link #runTasks()}; timers fire only when the test says so, either all at
 * once ({@link #fireTimers()}: "all the time in the world passes") or in deadline order as
 * virtual time advances ({@link #advance}). No threads, deterministic.
 *
 * <p><b>Thread safety:</b> {@link #execute} and {@link #schedule} from any thread (a timer set
 * from another thread is added by a task); everything else on the thread that last called
 * {@link #claim()} (the thread that created the loop until then).
 */
public class EmbeddedEventLoop implements EventLoop {

  private static final int MAX_TASKS = 10_000;

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<EmbeddedTimer> timers = new ArrayList<>();
  private volatile Thread owner = Thread.currentThread();
  /** Virtual time, advanced only by {@link #advance}. */
  private long nowNanos;
  private long timerSequence;

  /** Makes the calling thread the loop thread (a test framework may switch threads between tries). */
  public void claim() {
    owner = Thread.currentThread();
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  @Override
  public boolean inEventLoop() {
    return Thread.currentThread() == owner;
  }

  @Override
  public Timer schedule(Runnable task, long delay, TimeUnit unit) {
    EmbeddedTimer t = new EmbeddedTimer(task, delay, unit);
    if (inEventLoop()) {
      add(t);
    } else {
      execute(() -> add(t));
    }
    return t;
  }

  private void add(EmbeddedTimer t) {
    t.deadlineNanos = nowNanos + t.delayNanos;
    t.sequence = timerSequence++;
    timers.add(t);
  }

  /** Runs queued tasks (and those they queue), at most {@value #MAX_TASKS}. */
  public void runTasks() {
    for (int i = 0; i < MAX_TASKS; i++) {
      Runnable r = tasks.poll();
      if (r == null) {
        return;
      }
      r.run();
    }
    throw new AssertionError("tasks keep queueing tasks");
  }

  /** Runs the tasks queued now, as a loop's turn does; those they queue wait for the next turn. */
  public void runTurn() {
    for (int n = tasks.size(); n > 0; n--) {
      tasks.poll().run();
    }
  }

  /** Lets "all the time in the world" pass: fires every timer pending now, once, in deadline order. */
  public void fireTimers() {
    runTasks();
    List<EmbeddedTimer> due = new ArrayList<>(timers);
    timers.clear();
    due.sort(Comparator.comparingLong((EmbeddedTimer t) -> t.deadlineNanos).thenComparingLong(t -> t.sequence));
    for (EmbeddedTimer t : due) {
      fire(t);
    }
  }

  /**
   * Advances virtual time by {@code delay}, firing the timers due meanwhile in deadline order
   * (timers they set fire too, if due), each followed by the tasks it queued.
   */
  public void advance(long delay, TimeUnit unit) {
    runTasks();
    long until = nowNanos + unit.toNanos(delay);
    for (int i = 0; i < MAX_TASKS; i++) {
      EmbeddedTimer next = null;
      for (EmbeddedTimer t : timers) {
        if (!t.cancelled && t.deadlineNanos <= until && (next == null || t.deadlineNanos < next.deadlineNanos
            || (t.deadlineNanos == next.deadlineNanos && t.sequence < next.sequence))) {
          next = t;
        }
      }
      if (next == null) {
        timers.removeIf(t -> t.cancelled);
        nowNanos = until;
        return;
      }
      timers.remove(next);
      nowNanos = Math.max(nowNanos, next.deadlineNanos);
      fire(next);
    }
    throw new AssertionError("timers keep setting timers");
  }

  private void fire(EmbeddedTimer t) {
    if (!t.cancelled) {
      t.cancelled = true;
      t.task.run();
      runTasks();
    }
  }

  /** The timers set and neither fired nor cancelled. Loop thread. */
  public int pendingTimers() {
    return (int) timers.stream().filter(t -> !t.cancelled).count();
  }

  /** The tasks queued and not yet run. Any thread. */
  public int pendingTasks() {
    return tasks.size();
  }

  private static final class EmbeddedTimer implements Timer {
    final Runnable task;
    final long delayNanos;
    long deadlineNanos;
    long sequence;
    volatile boolean cancelled;

    EmbeddedTimer(Runnable task, long delay, TimeUnit unit) {
      this.task = task;
      this.delayNanos = unit.toNanos(delay);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }
}
