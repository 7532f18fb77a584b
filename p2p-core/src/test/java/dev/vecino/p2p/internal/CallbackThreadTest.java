package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default callback thread: a listener's Error kills it, a fresh one delivers the rest, nothing is dropped. */
@Timeout(30)
class CallbackThreadTest {

  static final class InjectedError extends Error {
    private static final long serialVersionUID = 1L;

    InjectedError() {
      super("injected");
    }
  }

  private final List<Throwable> deaths = new CopyOnWriteArrayList<>();
  private final CallbackThread callbacks = new CallbackThread("vecino-callback-test", "test/00000000", deaths::add);

  @Test
  void anErrorKillsTheThreadAndAFreshOneRunsTheRest() throws Exception {
    InjectedError e = new InjectedError();
    CompletableFuture<Thread> died = new CompletableFuture<>();
    CompletableFuture<Thread> next = new CompletableFuture<>();
    callbacks.execute(() -> {
      died.complete(Thread.currentThread());
      throw e;
    });
    callbacks.execute(() -> next.complete(Thread.currentThread()));
    Thread successor = next.get(5, TimeUnit.SECONDS);
    assertNotSame(died.get(), successor);
    assertEquals("vecino-callback-test", successor.getName());
    assertEquals(List.of(e), deaths);
    callbacks.shutdown();
    assertTrue(callbacks.awaitTermination(5, TimeUnit.SECONDS));
    assertTrue(callbacks.isTerminated());
    assertThrows(RejectedExecutionException.class, () -> callbacks.execute(() -> { }));
  }

  /**
   * The executor knows its own threads, the successor of a dead one too, without looking at
   * names: a thread of another executor with the same name is not one of them.
   */
  @Test
  void knowsItsOwnThreadsByIdentityNotByName() throws Exception {
    CallbackThread namesake = new CallbackThread("vecino-callback-test", "test/00000000", deaths::add);
    try {
      CompletableFuture<Boolean> own = new CompletableFuture<>();
      CompletableFuture<Boolean> other = new CompletableFuture<>();
      callbacks.execute(() -> own.complete(callbacks.inCallbackThread()));
      namesake.execute(() -> other.complete(callbacks.inCallbackThread()));
      assertTrue(own.get(5, TimeUnit.SECONDS));
      assertFalse(other.get(5, TimeUnit.SECONDS), "same name, another executor");
      assertFalse(callbacks.inCallbackThread(), "the test thread");

      CompletableFuture<Boolean> dying = new CompletableFuture<>();
      CompletableFuture<Boolean> successor = new CompletableFuture<>();
      callbacks.execute(() -> {
        dying.complete(callbacks.inCallbackThread());
        throw new InjectedError();
      });
      callbacks.execute(() -> successor.complete(callbacks.inCallbackThread()));
      assertTrue(dying.get(5, TimeUnit.SECONDS));
      assertTrue(successor.get(5, TimeUnit.SECONDS), "the fresh thread after a death");
    } finally {
      namesake.shutdown();
      callbacks.shutdown();
    }
  }

  @Test
  void aRuntimeExceptionIsLoggedAndTheThreadGoesOn() throws Exception {
    CompletableFuture<Thread> first = new CompletableFuture<>();
    CompletableFuture<Thread> next = new CompletableFuture<>();
    callbacks.execute(() -> {
      first.complete(Thread.currentThread());
      throw new IllegalStateException("injected");
    });
    callbacks.execute(() -> next.complete(Thread.currentThread()));
    assertSame(first.get(5, TimeUnit.SECONDS), next.get(5, TimeUnit.SECONDS));
    assertTrue(deaths.isEmpty());
    callbacks.shutdown();
    assertTrue(callbacks.awaitTermination(5, TimeUnit.SECONDS));
  }

  /**
   * The race a failing node hit: a peer's serial executor runs the event that throws while the
   * next event (its onDisconnected) is queued behind it, and the node shuts the callback thread
   * down before the dying thread reschedules the rest. The rest must still run.
   */
  @Test
  void eventsRescheduledByADyingThreadAfterShutdownStillRun() throws Exception {
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    SerialExecutor peer = new SerialExecutor(callbacks, event -> { }, reported::add,
        new LogBudget("test", () -> null), "test");
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch shutDown = new CountDownLatch(1);
    InjectedError e = new InjectedError();
    peer.submit((Runnable) () -> {
      running.countDown();
      await(shutDown);
      throw e;
    });
    running.await(5, TimeUnit.SECONDS);
    CompletableFuture<Void> after = new CompletableFuture<>();
    peer.submit((Runnable) () -> after.complete(null));
    callbacks.shutdown();
    shutDown.countDown();
    after.get(5, TimeUnit.SECONDS);
    assertEquals(List.of(e), reported);
    assertTrue(callbacks.awaitTermination(5, TimeUnit.SECONDS));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
    }
  }
}
