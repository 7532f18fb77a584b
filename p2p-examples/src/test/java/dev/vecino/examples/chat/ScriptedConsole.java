package dev.vecino.examples.chat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A console for tests: answers prompts from a script (null, end of input, when it runs out)
 * and records every line printed, prompts included, with a deadline wait for a line. Errors
 * are recorded as {@code error: text}. It can pose as a terminal (then the session runs long
 * operations in the background) and answer with Ctrl-C ({@link #INTERRUPT}).
 *
 * <p><b>Thread safety:</b> synchronized; lines may be printed from any thread.
 */
final class ScriptedConsole implements Console {

  /** An answer that is Ctrl-C: {@link #readLine} throws {@link Console.Interrupted}. */
  static final String INTERRUPT = "\u0003";

  private final Deque<String> answers = new ArrayDeque<>();
  private final List<String> lines = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final boolean terminal;

  /** A console that is not a terminal, like piped input. */
  ScriptedConsole() {
    this(false);
  }

  /** A console that poses as a terminal or not. */
  ScriptedConsole(boolean terminal) {
    this.terminal = terminal;
  }

  /** Queues answers for the next prompts. */
  synchronized ScriptedConsole answer(String... next) {
    answers.addAll(List.of(next));
    return this;
  }

  @Override
  public synchronized String readLine(String prompt) {
    if (!prompt.isEmpty()) {
      lines.add(prompt.strip());
    }
    String a = answers.poll();
    if (INTERRUPT.equals(a)) {
      throw new Console.Interrupted();
    }
    return a;
  }

  @Override
  public synchronized void println(String line) {
    lines.add(line);
    notifyAll();
  }

  @Override
  public synchronized void error(String text) {
    lines.add("error: " + text);
    errors.add(text);
    notifyAll();
  }

  @Override
  public void progress(String line) {}

  @Override
  public void bell() {}

  @Override
  public boolean isTerminal() {
    return terminal;
  }

  @Override
  public void close() {}

  /** Returns the lines printed so far, errors included. */
  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** Returns the errors reported so far, without the prefix. */
  synchronized List<String> errors() {
    return List.copyOf(errors);
  }

  /** Forgets the lines printed so far. */
  synchronized void clear() {
    lines.clear();
    errors.clear();
  }

  /** Waits up to 10 s for a printed line that matches; returns it. */
  synchronized String await(Predicate<String> match) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int seen = 0;
    while (true) {
      for (; seen < lines.size(); seen++) {
        if (match.test(lines.get(seen))) {
          return lines.get(seen);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching line within 10 s: " + lines);
      }
      wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }
  }
}
