package dev.vecino.examples.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chat's long operations ({@code /connect}, {@code /scan}). At a terminal they run in the
 * background: the prompt is free at once, their results appear as lines when they come, and
 * Ctrl-C cancels them ({@link #cancelAll}). Otherwise (piped input) each one ends before
 * {@link #run} returns, so a script's next line sees its effect.
 *
 * <p><b>Thread safety:</b> {@link #run} is called by the input thread; {@link #cancelAll} by
 * the input thread or a signal thread; operations end on any thread. The set of running
 * operations is concurrent.
 */
final class Operations {

  /**
   * A running operation.
   *
   * @param what what it does, for the line that says it was cancelled ({@code scan of ...})
   * @param done completes (normally or not) when it ended and printed its result
   * @param cancel stops it; it then completes {@code done}
   */
  record Operation(String what, CompletableFuture<?> done, Runnable cancel) {}

  private final boolean background;
  private final Set<Operation> running = ConcurrentHashMap.newKeySet();

  /**
   * Creates the runner.
   *
   * @param background true at a terminal: operations run while the prompt reads
   */
  Operations(boolean background) {
    this.background = background;
  }

  /**
   * Runs an operation: returns at once in the background, else when it ended.
   *
   * @param op the operation, already started
   */
  void run(Operation op) {
    running.add(op);
    op.done().whenComplete((v, e) -> running.remove(op));
    if (!background) {
      try {
        op.done().join();
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        // The operation reported its own failure as a line; the script goes on.
      }
    }
  }

  /**
   * Cancels every running operation.
   *
   * @return what was cancelled, in no particular order; empty when nothing ran
   */
  List<String> cancelAll() {
    List<String> cancelled = new ArrayList<>();
    for (Operation op : List.copyOf(running)) {
      if (running.remove(op)) {
        op.cancel().run();
        cancelled.add(op.what());
      }
    }
    return cancelled;
  }
}
