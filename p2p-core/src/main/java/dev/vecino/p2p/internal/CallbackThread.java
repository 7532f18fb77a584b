package dev.vecino.p2p.internal;

import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.List;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's default callback executor: one thread, a lock-free queue, and a wake-up only
 * when the thread is parked. It spins briefly before parking, because a park/unpark
 * hand-off costs tens of microseconds here and events often come in quick succession.
 *
 * <p><b>Thread safety:</b> {@link #execute} from any thread.
 */
final class CallbackThread extends AbstractExecutorService implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(CallbackThread.class);
  /** Empty polls before parking: a few microseconds, short enough not to starve a 2-core machine. */
  private static final int SPINS = 256;

  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean parked;
  private volatile boolean shutdown;
  private volatile boolean terminated;

  CallbackThread(String name) {
    thread = new Thread(this, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("callback executor is shut down");
    }
    queue.offer(task);
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  @Override
  public void run() {
    try {
      int idle = 0;
      while (true) {
        Runnable task = queue.poll();
        if (task != null) {
          idle = 0;
          try {
            task.run();
          } catch (RuntimeException | Error e) {
            log.warn("callback failed", e);
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
    } finally {
      terminated = true;
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
    thread.join(Math.max(1, unit.toMillis(timeout)));
    return !thread.isAlive();
  }
}
