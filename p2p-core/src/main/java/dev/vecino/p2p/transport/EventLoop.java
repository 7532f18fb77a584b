package dev.vecino.p2p.transport;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A single I/O thread that owns a set of channels and runs tasks and timers between I/O.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread. Tasks and timers run on
 * the loop's thread, in submission order for tasks.
 *
 * <p><b>Failures:</b> a task or timer that throws a {@link RuntimeException} is logged and the
 * loop goes on; one that throws an {@link Error} kills the loop, which the transport reports to
 * {@link TransportConfig#failureHandler()}. A loop that has stopped (closed, or died) runs no
 * more tasks or timers: they are dropped.
 */
public interface EventLoop extends Executor {

  /**
   * Runs {@code task} on the loop thread. From another thread this wakes the loop only if it
   * is asleep and not already woken; from the loop thread itself the task runs after the
   * current I/O pass.
   *
   * @param task the task; must not block
   */
  @Override
  void execute(Runnable task);

  /**
   * Returns whether the caller is this loop's thread.
   *
   * @return true on the loop thread
   */
  boolean inEventLoop();

  /**
   * Runs {@code task} on the loop thread after a delay.
   *
   * @param task the task; must not block
   * @param delay the delay
   * @param unit the delay's unit
   * @return a handle that cancels the timer
   */
  Timer schedule(Runnable task, long delay, TimeUnit unit);

  /** A scheduled task that can be cancelled. */
  interface Timer {
    /** Cancels the timer; no effect if it already ran. Any thread. */
    void cancel();
  }
}
