package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.internal.tls.NodeTls;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TLS executor's order and bound ({@link Tls.Step}): when handshakes arrive faster than
 * they can be finished, the ones under way go first, so they complete instead of all of them
 * missing their timeout together (the TLS soak formed about twice as many sessions with it).
 */
@Timeout(30)
class TlsStepsTest {

  private Tls tls;
  private Executor tasks;
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch blocking = new CountDownLatch(1);
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @BeforeEach
  void blockTheExecutor() throws Exception {
    tls = new Tls(NodeTls.create(TlsStageTest.keyPair()), "test", TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1));
    tasks = tls.tasks();
    tasks.execute(new Tls.Step(true, () -> {
      blocking.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    assertTrue(blocking.await(10, TimeUnit.SECONDS), "the executor's thread runs the blocking step");
  }

  @AfterEach
  void close() {
    release.countDown();
    tls.close();
  }

  private Tls.Step step(boolean continues, String name, CountDownLatch done) {
    return new Tls.Step(continues, () -> {
      ran.add(name);
      done.countDown();
    });
  }

  @Test
  void stepsOfHandshakesUnderWayRunBeforeNewHandshakesThenInOrder() throws Exception {
    CountDownLatch done = new CountDownLatch(5);
    tasks.execute(step(false, "new-1", done));
    tasks.execute(step(true, "continues-1", done));
    tasks.execute(step(false, "new-2", done));
    tasks.execute(step(true, "continues-2", done));
    tasks.execute(step(false, "new-3", done));
    release.countDown();
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(List.of("continues-1", "continues-2", "new-1", "new-2", "new-3"), ran);
  }

  @Test
  void newHandshakesAreRefusedWhileTheQueueOfThemIsFullButThoseUnderWayAreNot() throws Exception {
    CountDownLatch done = new CountDownLatch(Tls.MAX_QUEUED_TASKS + 1);
    for (int i = 0; i < Tls.MAX_QUEUED_TASKS; i++) {
      tasks.execute(step(false, "new", done));
    }
    assertThrows(RejectedExecutionException.class, () -> tasks.execute(step(false, "refused", done)));
    tasks.execute(step(true, "continues", done));
    release.countDown();
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals("continues", ran.get(0));
    assertEquals(Tls.MAX_QUEUED_TASKS + 1, ran.size());
    // The first steps that ran made room again.
    CountDownLatch more = new CountDownLatch(1);
    tasks.execute(step(false, "later", more));
    assertTrue(more.await(10, TimeUnit.SECONDS));
  }

  /** A step of a connection that closed while it waited runs nothing: no crypto, no follow-up. */
  @Test
  void aStepOfAClosedConnectionIsSkipped() throws Exception {
    SSLEngine server = NodeTls.create(TlsStageTest.keyPair()).serverEngine();
    CountDownLatch done = new CountDownLatch(1);
    tasks.execute(Tls.Step.delegated(true, server, () -> true, () -> ran.add("skipped's follow-up")));
    tasks.execute(Tls.Step.delegated(true, server, () -> false, () -> {
      ran.add("live follow-up");
      done.countDown();
    }));
    release.countDown();
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(List.of("live follow-up"), ran);
  }
}
