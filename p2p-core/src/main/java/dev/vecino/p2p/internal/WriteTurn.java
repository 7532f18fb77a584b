package dev.vecino.p2p.internal;

/**
 * The write turn of one connection: who may write its queued bytes to the channel now, as one
 * {@link State} changed only by {@link #on} — the one transition function — which also says
 * what the caller must do next ({@link Step}). The writer is the I/O thread, or, to save a
 * thread wake-up (tens of µs on our machines, see PERF-NOTES), a sender on its own thread.
 *
 * <h2>Design and hazards</h2>
 *
 * <table>
 * <caption>States</caption>
 * <tr><th>state</th><th>who writes</th><th>a flush task is queued on the I/O thread</th></tr>
 * <tr><td>{@code IDLE}</td><td>nobody</td><td>no (a stale one may run: harmless)</td></tr>
 * <tr><td>{@code SCHEDULED}</td><td>nobody yet</td><td>yes: it takes the turn when it runs</td></tr>
 * <tr><td>{@code IO_WRITING}</td><td>the I/O thread</td><td>no</td></tr>
 * <tr><td>{@code SENDER_WRITING}</td><td>one sender</td><td>no</td></tr>
 * <tr><td>{@code SENDER_WRITING_SCHEDULED}</td><td>one sender</td><td>yes: it finds the sender
 * writing and leaves the rest to it</td></tr>
 * <tr><td>{@code BLOCKED}</td><td>nobody until the socket drains; then the I/O thread</td>
 * <td>a flush task or write interest is pending</td></tr>
 * </table>
 *
 * <table>
 * <caption>Transitions (event: from → to, step)</caption>
 * <tr><th>event</th><th>transitions</th></tr>
 * <tr><td>{@code PROMPT}</td><td>IDLE → SENDER_WRITING, WRITE_INLINE if a sender finds the
 * connection idle or a whole batch queued; else IDLE → SCHEDULED, SCHEDULE_FLUSH. SCHEDULED →
 * SENDER_WRITING_SCHEDULED, WRITE_INLINE when a sender finds a whole batch. Otherwise no
 * change: the holder or the queued flush takes the frame.</td></tr>
 * <tr><td>{@code CORKED}</td><td>as PROMPT for a whole batch; else in IDLE: SET_CORK_TIMER once.</td></tr>
 * <tr><td>{@code FLUSH_RUNS}</td><td>IDLE, SCHEDULED, BLOCKED → IO_WRITING, RUN_FLUSH;
 * SENDER_WRITING_SCHEDULED → SENDER_WRITING (the task is spent).</td></tr>
 * <tr><td>{@code IO_WROTE}, {@code SENDER_WROTE}</td><td>→ SCHEDULED, SCHEDULE_FLUSH when bytes
 * that must leave now are left (or the queue closed and a sender wrote); → IDLE,
 * SET_CORK_TIMER when only corked bytes are left; the I/O thread keeps the turn one more pass
 * (→ SCHEDULED) after a write, so a flood does not wake it per message; else → IDLE.</td></tr>
 * <tr><td>{@code BLOCKED}</td><td>→ BLOCKED: REQUEST_WRITABLE for the I/O thread; a sender
 * hands the I/O thread a flush (SCHEDULE_FLUSH unless one is queued).</td></tr>
 * <tr><td>{@code FLUSH_REQUEST}, {@code CORK_EXPIRED}</td><td>IDLE → SCHEDULED, RUN_FLUSH
 * (the I/O thread flushes at once).</td></tr>
 * </table>
 *
 * <p><b>Invariants:</b> (1) at most one thread holds the turn ({@code IO_WRITING} or
 * {@code SENDER_WRITING*}), and only it calls {@code Channel.write} — so a stateful stage
 * between codec and socket (TLS) sees serialized writes; (2) a frame that must leave now (not
 * corked) is written without waiting for another send: whoever ends a turn with such bytes
 * unwritten makes sure a flush is queued; (3) corked bytes wait at most
 * {@link Outbound#CORK_NANOS}: a turn that leaves them sets the backstop timer; (4) in
 * {@code BLOCKED} no sender writes: only the I/O thread knows when the socket drains. The
 * queue's own invariants (order, futures, bound) are {@link Outbound}'s.
 *
 * <p><b>Batching:</b> a sender takes the turn when the connection was idle for
 * {@link #INLINE_IDLE_NANOS} — no write ended and no sender found it idle within that time —
 * (one system call instead of a wake-up), or when it finds a whole batch queued: it outpaces
 * the writer, so it writes the batch itself, cut to whole segments, the way
 * {@code trySendMore} streams.
 *
 * <p><b>Staging:</b> a corked sender may encode into a {@link SendStage} without the lock
 * only while a backstop timer is on its way ({@link #corkTimerPending}); the timer revokes
 * the stage, so corked frames keep invariant (3). See {@link Staging}.
 *
 * <p><b>Floods:</b> a plain send is queued as {@code PROMPT} unless its sender is flooding:
 * its plain sends before it, a whole batch without a pause, found the turn held, waited for,
 * or active within {@link #INLINE_IDLE_NANOS} ({@link #idleNanos}). Such a frame is queued
 * as {@code CORKED} instead (invariant 2 does not cover it; 3 does), so the sender writes whole
 * batches itself instead of the I/O thread writing pieces beside it. The flood's stage lasts
 * until the backstop revokes it; then a send that finds the turn idle longer than that counts
 * afresh. See {@link FloodCount}.
 *
 * <p><b>Thread safety:</b> none of its own: every method runs under the owning
 * {@link Outbound}'s lock, on any thread. {@code OutboundModelTest} checks the invariants
 * in seeded interleavings of every role.
 */
final class WriteTurn {

  /**
   * A sender that finds the connection idle this long writes its frame itself instead of
   * waking the I/O thread. A message sent after the peer read the last one comes at least a
   * loopback one-way trip (~5 µs) after the last write; a flood's frames come within a
   * microsecond of each other and of the last write (the clock starts when a write ends), and
   * batching wins.
   */
  static final long INLINE_IDLE_NANOS = 2_000;

  /** What the turn asks of the queue it guards (lock held). */
  interface Queue {
    /** Whether at least {@code batch} bytes wait to be taken by a writer. */
    boolean batchQueued(int batch);

    /** Whether any byte is left to write. */
    boolean hasLeftover();

    /** Bytes queued so far, counted from the connection's start. */
    long enqueuedTotal();

    /** Bytes written so far, counted like {@link #enqueuedTotal}. */
    long writtenTotal();

    /** Whether any byte is queued and unwritten. */
    boolean hasQueued();

    /** Whether the queue takes no more frames. */
    boolean isClosed();

    /** Whether the last writer's loop wrote something. */
    boolean wroteInLoop();
  }

  /** Who may write now; see the class javadoc's table. */
  enum State { IDLE, SCHEDULED, IO_WRITING, SENDER_WRITING, SENDER_WRITING_SCHEDULED, BLOCKED }

  /** What happened, for {@link #step}. */
  enum Event {
    /** A frame that must leave now was queued, or a flush was asked for. */
    PROMPT,
    /** A frame was queued with {@code more}: it may wait for a batch. */
    CORKED,
    /** The I/O thread admitted parked sends and wants them written now. */
    FLUSH_REQUEST,
    /** A flush starts on the I/O thread (a task, the socket drained, the backstop, a check). */
    FLUSH_RUNS,
    /** The I/O thread's writing ended without filling the socket. */
    IO_WROTE,
    /** A sender's writing ended without filling the socket. */
    SENDER_WROTE,
    /** A writer filled the socket. */
    BLOCKED,
    /** The backstop timer for corked frames fired. */
    CORK_EXPIRED
  }

  /** What the caller of {@link #step} must do next. */
  enum Step {
    NONE,
    /** Queue a flush task on the I/O thread. */
    SCHEDULE_FLUSH,
    /** Run the flush now (the caller is the I/O thread). */
    RUN_FLUSH,
    /** The caller holds the turn: write everything now ({@link #writeInline}). */
    WRITE_INLINE,
    /** Set the backstop timer for corked frames ({@link #corkExpired}). */
    SET_CORK_TIMER,
    /** Ask the channel to say when the socket drains. */
    REQUEST_WRITABLE
  }

  private final int batch;
  private final Queue queue;
  private State state = State.IDLE;
  /** Bytes queued up to here (counted like {@link Queue#enqueuedTotal}) must leave now; corked ones after it may wait. */
  private long promptEnd;
  private boolean corkTimerSet;
  /** When a turn that wrote last ended, or a sender last found the turn idle ({@link System#nanoTime}). */
  private long lastActiveNanos;

  /**
   * @param batch queued bytes at which a sender writes them itself
   */
  WriteTurn(int batch, Queue queue) {
    this.batch = batch;
    this.queue = queue;
  }

  /** The one transition function (lock held). */
  Step on(Event event, boolean mayInline) {
    switch (event) {
      case PROMPT -> {
        promptEnd = queue.enqueuedTotal();
        if (state == State.IDLE) {
          long now = System.nanoTime();
          boolean idle = now - lastActiveNanos > INLINE_IDLE_NANOS;
          lastActiveNanos = now;
          return mayInline && (idle || queue.batchQueued(batch)) ? to(State.SENDER_WRITING, Step.WRITE_INLINE)
              : to(State.SCHEDULED, Step.SCHEDULE_FLUSH);
        }
        // A plain send outpacing a flush the I/O thread has not run yet writes the batch itself.
        return takeBatch(mayInline);
      }
      case CORKED -> {
        if (state == State.IDLE) {
          if (queue.batchQueued(batch)) {
            return mayInline ? to(State.SENDER_WRITING, Step.WRITE_INLINE) : to(State.SCHEDULED, Step.SCHEDULE_FLUSH);
          }
          return setCorkTimer();
        }
        return takeBatch(mayInline);
      }
      case FLUSH_REQUEST -> {
        promptEnd = queue.enqueuedTotal();
        return state == State.IDLE ? to(State.SCHEDULED, Step.RUN_FLUSH) : Step.NONE;
      }
      case FLUSH_RUNS -> {
        return switch (state) {
          case IDLE, SCHEDULED, BLOCKED -> to(State.IO_WRITING, Step.RUN_FLUSH);
          // The sender hands on what it leaves; a task that finds a writer at work is done.
          case SENDER_WRITING_SCHEDULED -> to(State.SENDER_WRITING, Step.NONE);
          case SENDER_WRITING, IO_WRITING -> Step.NONE;
        };
      }
      case IO_WROTE, SENDER_WROTE -> {
        return afterWrite(event == Event.IO_WROTE);
      }
      case BLOCKED -> {
        // Only the I/O thread can wait for the socket to drain: a sender hands it a flush.
        boolean io = state == State.IO_WRITING;
        boolean taskQueued = state == State.SENDER_WRITING_SCHEDULED;
        return to(State.BLOCKED, io ? Step.REQUEST_WRITABLE : taskQueued ? Step.NONE : Step.SCHEDULE_FLUSH);
      }
      case CORK_EXPIRED -> {
        corkTimerSet = false;
        if (queue.isClosed() || state != State.IDLE || !queue.hasQueued()) {
          // A writer sets the timer again when it leaves corked frames behind.
          return Step.NONE;
        }
        promptEnd = queue.enqueuedTotal();
        return to(State.SCHEDULED, Step.RUN_FLUSH);
      }
      default -> throw new AssertionError(event);
    }
  }

  /** A sender that finds a whole batch queued while nobody writes yet takes the turn (lock held). */
  private Step takeBatch(boolean mayInline) {
    if (state == State.SCHEDULED && mayInline && queue.batchQueued(batch)) {
      return to(State.SENDER_WRITING_SCHEDULED, Step.WRITE_INLINE);
    }
    return Step.NONE;
  }

  /** The turn holder's writing ended without filling the socket (lock held). */
  private Step afterWrite(boolean io) {
    if (queue.wroteInLoop()) {
      lastActiveNanos = System.nanoTime();
    }
    boolean taskQueued = state == State.SENDER_WRITING_SCHEDULED;
    boolean left = queue.hasLeftover();
    boolean closed = queue.isClosed();
    if ((left && mustLeaveNow()) || (!io && closed)) {
      // Bytes that must leave now (or anything, once closed: the BYE). A closed queue's
      // half-close is the I/O thread's: its flush may have run (and left) while a sender wrote.
      return to(State.SCHEDULED, taskQueued ? Step.NONE : Step.SCHEDULE_FLUSH);
    }
    if (taskQueued) {
      return to(State.SCHEDULED, Step.NONE);
    }
    if (left && !corkTimerSet) {
      state = State.IDLE;
      return setCorkTimer();
    }
    if (io && queue.wroteInLoop() && !closed) {
      // Keep the turn one more pass: under a flood, senders fill the queue meanwhile and need
      // not wake this thread again for every few messages.
      return to(State.SCHEDULED, Step.SCHEDULE_FLUSH);
    }
    return to(State.IDLE, Step.NONE);
  }

  private Step setCorkTimer() {
    if (corkTimerSet) {
      return Step.NONE;
    }
    corkTimerSet = true;
    return Step.SET_CORK_TIMER;
  }

  private Step to(State next, Step step) {
    state = next;
    return step;
  }

  /** Bytes queued up to {@code end} must leave now (an owed PONG, admitted parked sends). */
  void promptThrough(long end) {
    promptEnd = end;
  }

  /** Whether bytes that must leave now (or anything, once closed) are unwritten. */
  boolean mustLeaveNow() {
    return promptEnd > queue.writtenTotal() || queue.isClosed();
  }

  /**
   * How long the turn has been idle: 0 while someone holds it or waits for it, else the time
   * since a write ended, a sender found it idle or a staging sender claimed a batch (lock held).
   */
  long idleNanos() {
    return state != State.IDLE ? 0 : Math.max(0, System.nanoTime() - lastActiveNanos);
  }

  /** A staging sender claims its batch: it counts as activity, as a write's end does (lock held). */
  void touch() {
    lastActiveNanos = System.nanoTime();
  }

  /** Bytes queued up to here must leave now (lock held). */
  long promptEnd() {
    return promptEnd;
  }

  /** Sets the backstop timer unless one is on its way (lock held). */
  Step armCorkTimer() {
    return setCorkTimer();
  }

  /** Whether a backstop timer is set or on its way (it fires, then {@link Event#CORK_EXPIRED}). */
  boolean corkTimerPending() {
    return corkTimerSet;
  }

  /** Whether a sender holds the turn. */
  boolean senderWrites() {
    return state == State.SENDER_WRITING || state == State.SENDER_WRITING_SCHEDULED;
  }

  /** The holder's write failed: the channel is lost and closes; nobody writes again. */
  Step writerLost() {
    return to(State.IDLE, Step.NONE);
  }

  State state() {
    return state;
  }
}
