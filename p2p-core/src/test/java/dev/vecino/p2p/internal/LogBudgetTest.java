package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.internal.LogBudget.Topic;
import dev.vecino.p2p.transport.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The log budget's windows, summaries and counts, on a hand-driven clock and timer loop. */
@Timeout(30)
class LogBudgetTest {

  private static final long WINDOW = TimeUnit.SECONDS.toNanos(10);

  private record Summary(Topic topic, long lines, long seconds) {}

  private final AtomicLong clock = new AtomicLong(1_000);
  private final List<Summary> summaries = new CopyOnWriteArrayList<>();
  private final ManualLoop loop = new ManualLoop();

  private LogBudget budget(ManualLoop timers) {
    return new LogBudget("test", 10, WINDOW, clock::get, timers == null ? null : () -> timers,
        (topic, lines, seconds) -> summaries.add(new Summary(topic, lines, seconds)));
  }

  @Test
  void theFirstLinesOfAWindowPassAndTheRestAreCounted() {
    LogBudget b = budget(null);
    for (int i = 0; i < 10; i++) {
      assertTrue(b.take(Topic.REJECTED), "line " + i);
    }
    for (int i = 0; i < 15; i++) {
      clock.addAndGet(100_000_000);
      assertFalse(b.take(Topic.REJECTED), "held " + i);
    }
    assertEquals(15, b.suppressed());
    assertEquals(List.of(), summaries, "no summary before the window ends");
  }

  @Test
  void theNextWindowReportsWhatTheLastHeldWhenNoTimerCould() {
    LogBudget b = budget(null);
    for (int i = 0; i < 25; i++) {
      b.take(Topic.PROTOCOL_VIOLATION);
    }
    clock.addAndGet(WINDOW);
    assertTrue(b.take(Topic.PROTOCOL_VIOLATION), "a new window, a new budget");
    assertEquals(List.of(new Summary(Topic.PROTOCOL_VIOLATION, 15, 10)), summaries);
    for (int i = 1; i < 10; i++) {
      assertTrue(b.take(Topic.PROTOCOL_VIOLATION));
    }
    assertFalse(b.take(Topic.PROTOCOL_VIOLATION));
    assertEquals(16, b.suppressed());
  }

  @Test
  void topicsHaveTheirOwnBudgets() {
    LogBudget b = budget(null);
    for (int i = 0; i < 30; i++) {
      b.take(Topic.REJECTED);
    }
    for (Topic t : Topic.values()) {
      if (t != Topic.REJECTED) {
        assertTrue(b.take(t), t.name());
      }
    }
    assertEquals(20, b.suppressed());
  }

  @Test
  void aTimerReportsEachWindowOnceWhenItEnds() {
    LogBudget b = budget(loop);
    for (int i = 0; i < 12; i++) {
      b.take(Topic.LISTENER_FAILED);
    }
    assertEquals(1, loop.timers.size(), "one timer for the window's summary");
    assertEquals(WINDOW, loop.delays.get(0), "due when the window ends");
    b.take(Topic.LISTENER_FAILED);
    assertEquals(1, loop.timers.size(), "still one timer");
    clock.addAndGet(WINDOW);
    loop.runTimers();
    assertEquals(List.of(new Summary(Topic.LISTENER_FAILED, 3, 10)), summaries);
    assertTrue(b.take(Topic.LISTENER_FAILED), "the next window");
    b.close();
    assertEquals(1, summaries.size(), "nothing reported twice");
  }

  @Test
  void aLateTimerFindsItsWindowReportedByTheNextOne() {
    LogBudget b = budget(loop);
    for (int i = 0; i < 14; i++) {
      b.take(Topic.REFUSED_CLAIM);
    }
    clock.addAndGet(WINDOW + 1);
    for (int i = 0; i < 11; i++) {
      b.take(Topic.REFUSED_CLAIM);
    }
    assertEquals(List.of(new Summary(Topic.REFUSED_CLAIM, 4, 10)), summaries);
    assertEquals(2, loop.timers.size(), "the new window holds a line back too");
    clock.addAndGet(WINDOW);
    loop.runTimers();
    assertEquals(List.of(new Summary(Topic.REFUSED_CLAIM, 4, 10), new Summary(Topic.REFUSED_CLAIM, 1, 10)),
        summaries, "the late timer reported nothing; the new window's reported its line");
  }

  @Test
  void closeReportsWhatTheCurrentWindowsHeld() {
    LogBudget b = budget(loop);
    for (int i = 0; i < 13; i++) {
      b.take(Topic.TIMED_OUT);
    }
    b.take(Topic.SLOW_CONSUMER);
    clock.addAndGet(3_200_000_000L);
    b.close();
    assertEquals(List.of(new Summary(Topic.TIMED_OUT, 3, 4)), summaries, "3.2 s rounds up to 4");
    b.close();
    loop.runTimers();
    assertEquals(1, summaries.size(), "reported once");
    assertEquals(3, b.suppressed());
  }

  @Test
  void aTimerThatCannotBeScheduledLeavesTheReportToTheNextWindow() {
    LogBudget b = new LogBudget("test", 10, WINDOW, clock::get, () -> {
      throw new NullPointerException("no transport");
    }, (topic, lines, seconds) -> summaries.add(new Summary(topic, lines, seconds)));
    for (int i = 0; i < 11; i++) {
      b.take(Topic.MOVED);
    }
    clock.addAndGet(WINDOW);
    b.take(Topic.MOVED);
    assertEquals(List.of(new Summary(Topic.MOVED, 1, 10)), summaries);
  }

  @Test
  void linesFromManyThreadsAreCountedExactly() throws Exception {
    LogBudget b = budget(loop);
    AtomicInteger allowed = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < 10_000; i++) {
          if (b.take(Topic.REJECTED)) {
            allowed.incrementAndGet();
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join(10_000);
    }
    assertEquals(10, allowed.get());
    assertEquals(39_990, b.suppressed());
    clock.addAndGet(WINDOW);
    loop.runTimers();
    assertEquals(List.of(new Summary(Topic.REJECTED, 39_990, 10)), summaries);
  }

  /** Timers are kept until the test runs them. */
  private static final class ManualLoop implements EventLoop {
    final List<Runnable> timers = new CopyOnWriteArrayList<>();
    final List<Long> delays = new CopyOnWriteArrayList<>();

    @Override
    public void execute(Runnable task) {
      task.run();
    }

    @Override
    public boolean inEventLoop() {
      return true;
    }

    @Override
    public Timer schedule(Runnable task, long delay, TimeUnit unit) {
      timers.add(task);
      delays.add(unit.toNanos(delay));
      return () -> timers.remove(task);
    }

    void runTimers() {
      List<Runnable> due = new ArrayList<>(timers);
      timers.clear();
      due.forEach(Runnable::run);
    }
  }
}
