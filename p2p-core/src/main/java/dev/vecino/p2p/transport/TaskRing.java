package dev.vecino.p2p.transport;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tasks other threads hand to one {@link NioEventLoop}: a bounded array ring, many
 * producers and one consumer (the loop), that makes no garbage per task — a linked queue
 * allocates a node per task, and a sender that schedules a flush on every idle-path message
 * would pay that per message.
 *
 * <p>A producer claims a slot by advancing {@code tail} (CAS), then publishes the task into it
 * (release store); the consumer takes the task at {@code head} (acquire load), clears the slot
 * and then advances {@code head}, so a producer never reuses a slot before it is cleared. A
 * claimed slot not yet published reads as null: the consumer stops there and finds the task
 * on a later pass (the producer wakes the loop after publishing).
 *
 * <p><b>Thread safety:</b> {@link #offer} and {@link #mayHaveTasks} from any thread;
 * {@link #poll} on the loop's thread only.
 */
final class TaskRing {

  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Runnable[].class);

  private final Runnable[] slots;
  private final int mask;
  private final AtomicLong tail = new AtomicLong();
  private final AtomicLong head = new AtomicLong();

  /** @param capacity a power of two */
  TaskRing(int capacity) {
    if (Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
    }
    this.slots = new Runnable[capacity];
    this.mask = capacity - 1;
  }

  /** Queues a task; false when the ring is full. Any thread. */
  boolean offer(Runnable task) {
    long t;
    do {
      t = tail.get();
      if (t - head.get() >= slots.length) {
        return false;
      }
    } while (!tail.compareAndSet(t, t + 1));
    SLOT.setRelease(slots, (int) (t & mask), task);
    return true;
  }

  /** The oldest published task, or null. Loop thread. */
  Runnable poll() {
    long h = head.getPlain();
    int i = (int) (h & mask);
    Runnable task = (Runnable) SLOT.getAcquire(slots, i);
    if (task == null) {
      return null;
    }
    SLOT.setOpaque(slots, i, null);
    head.set(h + 1);
    return task;
  }

  /** Whether a task is queued or a producer is publishing one. Any thread. */
  boolean mayHaveTasks() {
    return tail.get() != head.get();
  }

  /** Tasks queued or being published, for bounding a pass. Loop thread. */
  int size() {
    return (int) (tail.get() - head.getPlain());
  }
}
