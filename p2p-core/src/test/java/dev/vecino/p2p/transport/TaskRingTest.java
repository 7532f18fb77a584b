package dev.vecino.p2p.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class TaskRingTest {

  /** A task that says who queued it and in which order. */
  private record Tagged(int producer, int seq) implements Runnable {
    @Override
    public void run() {
    }
  }

  @Test
  void refusesATaskWhenFullAndTakesItOnceTheLoopMadeRoom() {
    TaskRing ring = new TaskRing(4);
    Runnable[] tasks = new Runnable[5];
    for (int i = 0; i < 5; i++) {
      tasks[i] = new Tagged(0, i);
    }
    for (int i = 0; i < 4; i++) {
      assertTrue(ring.offer(tasks[i]));
    }
    assertFalse(ring.offer(tasks[4]), "full");
    assertSame(tasks[0], ring.poll());
    assertTrue(ring.offer(tasks[4]), "room again");
    for (int i = 1; i < 5; i++) {
      assertSame(tasks[i], ring.poll());
    }
    assertNull(ring.poll());
    assertFalse(ring.mayHaveTasks());
  }

  @Test
  void manyProducersLoseNothingAndKeepEachProducersOrder() throws Exception {
    int producers = 4;
    int perProducer = 200_000;
    TaskRing ring = new TaskRing(64);
    CountDownLatch start = new CountDownLatch(1);
    Thread[] threads = new Thread[producers];
    for (int p = 0; p < producers; p++) {
      int id = p;
      threads[p] = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perProducer; i++) {
          Tagged t = new Tagged(id, i);
          for (int spins = 0; !ring.offer(t); spins++) {
            if (spins > 50_000_000) {
              throw new AssertionError("the consumer stopped taking tasks");
            }
            Thread.onSpinWait();
          }
        }
      });
      threads[p].start();
    }
    start.countDown();
    int[] next = new int[producers];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int taken = 0;
    while (taken < producers * perProducer) {
      Runnable r = ring.poll();
      if (r == null) {
        assertTrue(System.nanoTime() < deadline, "took " + taken + " tasks in 30 s");
        Thread.onSpinWait();
        continue;
      }
      Tagged t = (Tagged) r;
      assertEquals(next[t.producer()], t.seq(), "producer " + t.producer() + "'s order");
      next[t.producer()]++;
      taken++;
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
    assertNull(ring.poll());
    assertFalse(ring.mayHaveTasks());
  }
}
