package dev.vecino.p2p.internal;

import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.List;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's default callback executor: one thread, a lock-free queue, and a wake-up only
 * when the thread is parked. It spins briefly before parking, because a park/unpark
 * hand-off costs tens of microseconds here and events often come in quick succession.
 *
 * <p>A task that throws a {@link RuntimeException} is logged and the thread goes on. Any other
 * {@link Throwable} (an {@link Error} from a listener) kills the thread: it reports the death to
 * the node, which fails, and a fresh thread of the same name takes over the queue, so the
 * events still queued and those of the node's failure ({@code onDisconnected}) are delivered.
 *
 * <p><b>Thread safety:</b> {@link #execute} from any thread (after {@link #shutdown}, only from
 * the callback thread itself), {@link #inCallbackThread} from any thread; the worker
 * {@code thread} is volatile, replaced only by the dying worker.
 */
final class CallbackThread extends AbstractExecutorService implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(CallbackThread.class);
  /** Empty polls before parking: a few microseconds, short enough not to starve a 2-core machine. */
  private static final int SPINS = 256;

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final String name;
  /** Put first in every line this executor logs: the node's log name, then the thread's name. */
  private final String logPrefix;
  private final Consumer<Throwable> onDeath;
  /** The worker: replaced by a fresh one when it dies. */
  private volatile Thread thread;
  private volatile boolean parked;
  private volatile boolean shutdown;
  private volatile boolean terminated;

  /**
   * Starts the thread.
   *
   * @param name the thread's name
   * @param logName the node's name in log lines
   * @param onDeath told, on the dying thread, when a task killed the thread (a fresh one follows)
   */
  CallbackThread(String name, String logName, Consumer<Throwable> onDeath) {
    this.name = name;
    this.logPrefix = logName + " " + name;
    this.onDeath = onDeath;
    startWorker();
  }

  private void startWorker() {
    Thread t = new Worker(this);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /**
   * Returns whether the caller is a worker of this executor: the current one, or one that died
   * and is on its way out (it may still be reporting its death).
   *
   * @return true on this executor's thread
   */
  boolean inCallbackThread() {
    return Thread.currentThread() instanceof Worker w && w.owner == this;
  }

  /** A worker thread: knows the executor it works for, so identity needs no name matching. */
  private static final class Worker extends Thread {
    final CallbackThread owner;

    Worker(CallbackThread owner) {
      super(owner, owner.name);
      this.owner = owner;
    }
  }

  /**
   * Queues a task. After {@link #shutdown} only the thread itself may still queue (a
   * {@link SerialExecutor} rescheduling the rest of its events, also on its way out after an
   * Error): those run before the thread, or its successor, ends.
   *
   * @throws RejectedExecutionException if shut down and called from another thread
   */
  @Override
  public void execute(Runnable task) {
    if (shutdown && Thread.currentThread() != thread) {
      throw new RejectedExecutionException("callback executor is shut down");
    }
    queue.offer(task);
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  @Override
  public void run() {
    boolean replaced = false;
    try {
      int idle = 0;
      while (true) {
        Runnable task = queue.poll();
        if (task != null) {
          idle = 0;
          try {
            task.run();
          } catch (RuntimeException e) {
            log.warn("{}: callback failed", logPrefix, e);
          }
          continue;
        }
        if (shutdown) {
          return;
        }
        if (++idle < SPINS) {
          Thread.onSpinWait();
          continue;
        }
        parked = true;
        if (queue.isEmpty() && !shutdown) {
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
        }
        parked = false;
        idle = 0;
      }
    } catch (Throwable t) {
      replaced = died(t);
    } finally {
      if (!replaced) {
        terminated = true;
      }
    }
  }

  /** This thread dies: tell the node, and hand the queue to a fresh thread. Returns whether one started. */
  private boolean died(Throwable t) {
    parked = false;
    try {
      onDeath.accept(t);
    } catch (Throwable e) {
      log.error("{}: died", logPrefix, t);
      log.error("{}: reporting its death failed", logPrefix, e);
    }
    try {
      startWorker();
      return true;
    } catch (Throwable e) {
      log.error("{}: cannot start a thread to deliver the remaining {} events", logPrefix, queue.size(), e);
      return false;
    }
  }

  @Override
  public void shutdown() {
    shutdown = true;
    LockSupport.unpark(thread);
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown();
    thread.interrupt();
    List<Runnable> left = new ArrayList<>(queue);
    queue.clear();
    return left;
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return terminated;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    Thread t = thread;
    while (true) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      Thread now = thread;
      if (now == t) {
        return !t.isAlive();
      }
      // The thread died and a fresh one took over: wait for that one.
      t = now;
      if (System.nanoTime() - deadline > 0) {
        return !t.isAlive();
      }
    }
  }
}
