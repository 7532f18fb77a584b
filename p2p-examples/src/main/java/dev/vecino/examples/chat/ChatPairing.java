package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Durations;
import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.Direction;
import dev.vecino.p2p.PairingHandler;
import dev.vecino.p2p.PairingRequest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The chat's pairing questions ({@code chat --pairing}, docs/security.md): when a node this chat
 * has not met connects, or is connected to, the node asks here ({@link #pair}), and the chat
 * prints where the other node is, its key's fingerprint and the six-digit code both screens
 * show, then {@code accept? [y/N]}. The next line typed at the chat's prompt answers it
 * ({@link #answer}): {@code y} or {@code yes} (or the console language's own) accepts, anything
 * else rejects, an empty line and Ctrl-C too, and so does no answer within the timeout. The
 * node is never blocked: the answer completes the future the node was given, from the input
 * thread.
 *
 * <p>One question is asked at a time; later requests wait in line (at most {@link #MAX_WAITING},
 * more are rejected at once, so a stranger cannot bury the prompt in requests), each with its
 * own timeout from its arrival. Off a terminal nobody can answer, so every request is rejected
 * at once, saying so: keys are trusted there with {@code /trust}. When the node withdraws a
 * request (the other person declined first, the connection ended), the chat says so and goes
 * on to the next.
 *
 * <p><b>Thread safety:</b> {@link #pair} runs on the node's callback thread, {@link #answer} on
 * the input thread (or a signal thread, for Ctrl-C), timeouts on the JDK's delay thread; the
 * waiting line is guarded by this object's lock, and lines are printed outside it.
 *
 * <h2>Design and hazards</h2>
 *
 * <table>
 * <caption>A request's life (each completes its future once; the first to complete wins)</caption>
 * <tr><th>event</th><th>thread</th><th>what happens</th></tr>
 * <tr><td>the node asks</td><td>callback</td><td>queued; asked at once if first, else said to wait</td></tr>
 * <tr><td>a line is typed</td><td>input</td><td>answers the first in line: yes words accept, anything else rejects</td></tr>
 * <tr><td>Ctrl-C</td><td>input or signal</td><td>as an empty line: rejects</td></tr>
 * <tr><td>timeout</td><td>JDK delay thread</td><td>completes with false: rejects</td></tr>
 * <tr><td>the connection ends</td><td>callback (the node cancels)</td><td>withdrawn</td></tr>
 * <tr><td>the future completes</td><td>whichever completed it</td><td>removed; the outcome is said;
 * the next in line is asked</td></tr>
 * </table>
 *
 * <p>Hazards: a line typed just as its question is withdrawn could answer the next question, a
 * {@code y} meant for one node accepting another. So a yes counts only for a question shown at
 * least {@link #MIN_THINK} before (nobody compares two codes faster); a quicker yes is not taken,
 * the chat says so, and the question stays. A no always counts. The future is completed outside
 * the lock, since completing runs {@code finished}, which takes it.
 */
final class ChatPairing implements PairingHandler {

  /** How long a person has to answer. */
  static final Duration TIMEOUT = Duration.ofMinutes(2);
  /** What the node waits beyond {@link #TIMEOUT}, so the chat's own timeout says so first. */
  static final Duration GRACE = Duration.ofSeconds(10);
  /** The most requests waiting for an answer, the one asked included. */
  static final int MAX_WAITING = 4;
  /** How long a question is shown before a yes counts for it. */
  static final Duration MIN_THINK = Duration.ofSeconds(1);

  /** One request and its answer. */
  private static final class Ask {
    final PairingRequest request;
    final CompletableFuture<Boolean> answer = new CompletableFuture<>();
    /** Whether a person answered (rather than the timeout). */
    volatile boolean answered;
    /** When the question was shown ({@link #nanos}); 0 while it waits in line. */
    volatile long shownNanos;

    Ask(PairingRequest request) {
      this.request = request;
    }
  }

  private final Console console;
  private final ChatFormat format;
  private final Duration timeout;
  private final long minThinkNanos;
  /** The time, in nanoseconds: {@code System::nanoTime} but in tests. */
  private final LongSupplier nanos;
  /** The requests waiting, the one asked first. Guarded by {@code this}. */
  private final Deque<Ask> waiting = new ArrayDeque<>();

  /**
   * Creates the questions.
   *
   * @param timeout how long a person has to answer each
   */
  ChatPairing(Console console, ChatFormat format, Duration timeout) {
    this(console, format, timeout, MIN_THINK, System::nanoTime);
  }

  /**
   * Creates the questions with a clock of its own (tests).
   *
   * @param minThink how long a question is shown before a yes counts for it
   * @param nanos the time in nanoseconds
   */
  ChatPairing(Console console, ChatFormat format, Duration timeout, Duration minThink, LongSupplier nanos) {
    this.console = console;
    this.format = format;
    this.timeout = timeout;
    this.minThinkNanos = minThink.toNanos();
    this.nanos = nanos;
  }

  @Override
  public CompletionStage<Boolean> pair(PairingRequest request) {
    if (!console.isTerminal()) {
      console.println(format.event(Text.get("chat.pair.noTerminal", who(request))));
      return CompletableFuture.completedFuture(false);
    }
    Ask ask = new Ask(request);
    boolean first;
    synchronized (this) {
      if (waiting.size() >= MAX_WAITING) {
        first = false;
        ask = null;
      } else {
        waiting.add(ask);
        first = waiting.size() == 1;
      }
    }
    if (ask == null) {
      console.println(format.event(Text.get("chat.pair.busy", who(request), MAX_WAITING)));
      return CompletableFuture.completedFuture(false);
    }
    Ask asked = ask;
    ask.answer.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS);
    ask.answer.whenComplete((ok, e) -> finished(asked, ok, e));
    if (first) {
      show(ask);
    } else {
      console.println(format.event(Text.get("chat.pair.queued", who(request))));
    }
    return ask.answer;
  }

  /**
   * A line typed at the chat's prompt: if a question is asked, the line answers it and is not a
   * chat line. Input thread, or a signal thread (Ctrl-C answers with an empty line).
   *
   * @param line the line as typed
   * @return whether the line answered a question
   */
  boolean answer(String line) {
    Ask ask;
    synchronized (this) {
      ask = waiting.peek();
    }
    if (ask == null) {
      return false;
    }
    boolean yes = ChatSession.yesWords().contains(line.strip().toLowerCase(Locale.ROOT));
    long shown = ask.shownNanos;
    if (yes && (shown == 0 || nanos.getAsLong() - shown < minThinkNanos)) {
      // Typed before this question could be read: maybe meant for one just withdrawn.
      console.println(format.event(Text.get("chat.pair.tooQuick", who(ask.request))));
      return true;
    }
    ask.answered = true;
    ask.answer.complete(yes);
    return true;
  }

  /** The chat ends: every request still waiting is rejected. Any thread. */
  void rejectAll() {
    Ask[] all;
    synchronized (this) {
      all = waiting.toArray(Ask[]::new);
    }
    for (Ask a : all) {
      a.answered = true;
      a.answer.complete(false);
    }
  }

  /** A request was answered, timed out or withdrawn: says which, and asks the next one. */
  private void finished(Ask ask, Boolean ok, Throwable e) {
    Ask next;
    synchronized (this) {
      boolean asked = waiting.peek() == ask;
      waiting.remove(ask);
      next = asked ? waiting.peek() : null;
    }
    String who = who(ask.request);
    String line;
    if (e != null) {
      line = Text.get("chat.pair.withdrawn", who);
    } else if (!ask.answered) {
      line = Text.get("chat.pair.timedOut", who, span(timeout));
    } else {
      line = Text.get(Boolean.TRUE.equals(ok) ? "chat.pair.accepted" : "chat.pair.rejected", who);
    }
    console.println(format.event(line));
    if (next != null) {
      show(next);
    }
  }

  /** Prints a request and its question. */
  private void show(Ask ask) {
    PairingRequest r = ask.request;
    String alias = format.alias(r.id());
    console.println(format.event(Text.get("chat.pair.request", ChatFormat.address(r.address()),
        Text.get(r.direction() == Direction.INBOUND ? "format.inbound" : "format.outbound"), r.id().shortId(),
        alias == null ? "" : Text.get("chat.pair.alias", ChatFormat.clean(alias)))));
    console.println("  " + Text.get("chat.pair.key", r.fingerprint()));
    console.println("  " + Text.get("chat.pair.code", code(r.code())));
    console.println("  " + Text.get("chat.pair.ask", span(timeout)));
    ask.shownNanos = Math.max(1, nanos.getAsLong());
    console.bell();
  }

  /** A request's node as the lines name it: {@code 127.0.0.1:5000 (id 3f2a9c01)}. */
  private static String who(PairingRequest r) {
    return Text.get("chat.pair.who", ChatFormat.address(r.address()), r.id().shortId());
  }

  /** A timeout as the lines show it: {@code 2m}, {@code 20s}, {@code 300ms}. */
  private static String span(Duration d) {
    return d.toMillis() < 1000 ? Durations.format(d) : ChatFormat.ago(d);
  }

  /** The code in two groups of three, easier to read out: {@code 123 456}. */
  static String code(String code) {
    return code.length() == 6 ? code.substring(0, 3) + " " + code.substring(3) : code;
  }
}
