package dev.vecino.p2p.internal;

import dev.vecino.p2p.transport.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many INFO and WARN lines a remote party can make a node write. Each line a peer or a
 * stranger causes (a rejected connection, a protocol violation, a listener that threw on its
 * message...) belongs to a {@link Topic}; each topic gets {@value #LINES} lines per
 * {@value #WINDOW_SECONDS} s window, counted from its first line. The first lines of a flood are
 * logged as they are, since they are the useful ones; the rest go to DEBUG only (not budgeted:
 * operators opt in), are counted in {@code stats().logLinesSuppressed()}, and one summary line at
 * the topic's level says how many there were when the window ends (or when the node closes).
 * So a topic writes at most {@value #LINES} + 1 lines per window, whatever the attacker's rate.
 *
 * <p>Lines the node causes itself (lifecycle, its own connects, reconnects, scans) and lines
 * that say the node is dead are not budgeted.
 *
 * <p><b>Thread safety:</b> {@link #log} and {@link #take} from any thread (several I/O threads,
 * the callback thread): each topic's window is guarded by its own lock, held for a few field
 * updates, never while logging; nothing is allocated unless a window starts holding lines back
 * (then one timer for its summary). The summary timer runs on one of the node's I/O threads;
 * {@link #close} on the thread closing the node. Each window reports what it held back once: by
 * its timer, or by the first line of the next window when the timer could not run.
 */
final class LogBudget {

  /** Lines per topic and window. */
  static final int LINES = 10;
  /** The window, from a topic's first line. */
  static final long WINDOW_SECONDS = 10;

  /** What a budgeted line is about: its logger, its level and, for the summary, its plural. */
  enum Topic {
    /** An inbound connection refused at the handshake: not a peer, a timeout, another group... */
    REJECTED(PeerRegistry.class, false, "rejected inbound connections"),
    /** A connection claiming the id of a connected peer, refused. */
    REFUSED_CLAIM(PeerRegistry.class, true, "refused id claims"),
    /** A peer's id now answering at another address. */
    MOVED(PeerRegistry.class, false, "peers moved to another connection"),
    /** An established peer dropped for breaking the protocol. */
    PROTOCOL_VIOLATION(Connection.class, true, "protocol violations"),
    /** An established peer that stopped answering. */
    TIMED_OUT(Connection.class, true, "peers timed out"),
    /** An established peer dropped for taking no bytes. */
    SLOW_CONSUMER(Connection.class, true, "slow consumers dropped"),
    /** A listener that threw a RuntimeException (on a message, or on a peer's event). */
    LISTENER_FAILED(Events.class, true, "listener failures"),
    /** Events a user's callback executor refused (dropped). */
    EVENTS_DROPPED(SerialExecutor.class, true, "refusals by the callback executor");

    private final Class<?> source;
    private final boolean warn;
    private final String plural;

    Topic(Class<?> source, boolean warn, String plural) {
      this.source = source;
      this.warn = warn;
      this.plural = plural;
    }
  }

  /** Hears how many lines a window of a topic held back. */
  @FunctionalInterface
  interface Summaries {
    /**
     * Reports lines held back.
     *
     * @param topic the topic
     * @param lines how many lines went to DEBUG only
     * @param seconds over how many seconds (the window, or less at close)
     */
    void held(Topic topic, long lines, long seconds);
  }

  /** One topic's current window. Guarded by itself. */
  private static final class Window {
    /** When the window started (clock nanos); meaningful only when {@code used > 0}. */
    long start;
    /** Lines logged in the window; 0 before the first. */
    int used;
    /** Lines held back in the window and not reported yet. */
    long held;
    /** Whether a timer will report the window (it ends at {@code start + window}). */
    boolean timerSet;
  }

  private final String logName;
  private final int lines;
  private final long windowNanos;
  private final LongSupplier clock;
  /** The loop for summary timers, or null (no timers: the next window or close reports). */
  private final Supplier<EventLoop> timers;
  private final Summaries summaries;
  private final Window[] windows = new Window[Topic.values().length];
  private final Logger[] loggers = new Logger[Topic.values().length];
  private final LongAdder suppressed = new LongAdder();

  /**
   * Creates a node's budget: {@value #LINES} lines per topic and {@value #WINDOW_SECONDS} s,
   * summaries logged from a timer on one of the node's loops.
   *
   * @param logName the node's log name, first in every line
   * @param timers the loop for summary timers; may throw or return null when there is none
   */
  LogBudget(String logName, Supplier<EventLoop> timers) {
    this(logName, LINES, TimeUnit.SECONDS.toNanos(WINDOW_SECONDS), System::nanoTime, timers, null);
  }

  /**
   * Creates a budget (tests: any clock, and summaries to a sink instead of the log).
   *
   * @param summaries null to log the summaries
   */
  LogBudget(String logName, int lines, long windowNanos, LongSupplier clock, Supplier<EventLoop> timers,
      Summaries summaries) {
    if (lines < 1 || windowNanos <= 0) {
      throw new IllegalArgumentException("budget of " + lines + " lines per " + windowNanos + " ns");
    }
    this.logName = logName;
    this.lines = lines;
    this.windowNanos = windowNanos;
    this.clock = clock;
    this.timers = timers;
    this.summaries = summaries != null ? summaries : this::logSummary;
    for (Topic t : Topic.values()) {
      windows[t.ordinal()] = new Window();
      loggers[t.ordinal()] = LoggerFactory.getLogger(t.source);
    }
  }

  /**
   * Logs a line of {@code topic} at its level if the budget allows, else at DEBUG. Same
   * arguments as SLF4J's (a {@link Throwable} last is the exception). Any thread.
   *
   * @param topic what the line is about
   * @param format the SLF4J format, node log name first
   * @param args the arguments
   */
  void log(Topic topic, String format, Object... args) {
    Logger log = loggers[topic.ordinal()];
    boolean enabled = topic.warn ? log.isWarnEnabled() : log.isInfoEnabled();
    if (!enabled) {
      // Nobody reads this level (nor DEBUG, below it): nothing to log, nothing taken from the budget.
      return;
    }
    if (!take(topic)) {
      log.debug(format, args);
    } else if (topic.warn) {
      log.warn(format, args);
    } else {
      log.info(format, args);
    }
  }

  /**
   * Takes one line of {@code topic} from the budget. Any thread.
   *
   * @return true if the line may be logged at its level; false if it is held back (and counted)
   */
  boolean take(Topic topic) {
    Window w = windows[topic.ordinal()];
    long now = clock.getAsLong();
    boolean allowed;
    long carried = 0;
    long timerDelay = -1;
    long windowStart;
    synchronized (w) {
      if (w.used > 0 && now - w.start >= windowNanos) {
        // The window is over; its timer did not report it (yet, or it could not run): do it here.
        carried = w.held;
        w.held = 0;
        w.used = 0;
        w.timerSet = false;
      }
      if (w.used == 0) {
        w.start = now;
      }
      windowStart = w.start;
      allowed = w.used < lines;
      if (allowed) {
        w.used++;
      } else {
        w.held++;
        if (!w.timerSet) {
          w.timerSet = true;
          timerDelay = w.start + windowNanos - now;
        }
      }
    }
    if (!allowed) {
      suppressed.increment();
    }
    if (carried > 0) {
      summaries.held(topic, carried, TimeUnit.NANOSECONDS.toSeconds(windowNanos));
    }
    if (timerDelay >= 0) {
      schedule(topic, windowStart, timerDelay);
    }
    return allowed;
  }

  /** Reports the window that started at {@code start} when it ends; the next window does if this cannot. */
  private void schedule(Topic topic, long start, long delayNanos) {
    try {
      EventLoop loop = timers == null ? null : timers.get();
      if (loop != null) {
        loop.schedule(() -> windowEnded(topic, start), delayNanos, TimeUnit.NANOSECONDS);
      }
    } catch (RuntimeException e) {
      // No loop to run the timer (the node is stopping): the next window or close() reports.
    }
  }

  /** The window of {@code topic} that started at {@code start} ended: reports what it held back. Timer. */
  private void windowEnded(Topic topic, long start) {
    Window w = windows[topic.ordinal()];
    long n;
    synchronized (w) {
      if (w.used == 0 || w.start != start) {
        return; // A later window already reported this one.
      }
      w.timerSet = false;
      n = w.held;
      w.held = 0;
    }
    if (n > 0) {
      summaries.held(topic, n, TimeUnit.NANOSECONDS.toSeconds(windowNanos));
    }
  }

  /** Lines held back since the node started, every topic. Any thread. */
  long suppressed() {
    return suppressed.sum();
  }

  /** The node closes: reports what the current windows held back. Idempotent. The closing thread. */
  void close() {
    long now = clock.getAsLong();
    for (Topic topic : Topic.values()) {
      Window w = windows[topic.ordinal()];
      long n;
      long elapsed;
      synchronized (w) {
        n = w.held;
        w.held = 0;
        elapsed = Math.min(now - w.start, windowNanos);
      }
      if (n > 0) {
        // Rounded up: "in the last 0 s" would read as nothing.
        summaries.held(topic, n, Math.max(1, TimeUnit.NANOSECONDS.toSeconds(elapsed + 999_999_999L)));
      }
    }
  }

  private void logSummary(Topic topic, long n, long seconds) {
    Logger log = loggers[topic.ordinal()];
    String format = "{}: {} more {} suppressed in the last {} s (logged at DEBUG only; log budget: {} lines per {} s)";
    Object[] args = {logName, n, topic.plural, seconds, lines, TimeUnit.NANOSECONDS.toSeconds(windowNanos)};
    if (topic.warn) {
      log.warn(format, args);
    } else {
      log.info(format, args);
    }
  }
}
