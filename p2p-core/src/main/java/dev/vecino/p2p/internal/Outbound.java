package dev.vecino.p2p.internal;

import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.transport.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One connection's outbound queue and its write turn: senders on any thread encode frames
 * into the queue under {@code lock}; one writer at a time writes them to the channel. The
 * writer is the I/O thread, or — to save a thread wake-up (tens of µs on our machines, see
 * PERF-NOTES) — a sender on its own thread, as an explicit state of the machine below.
 *
 * <h2>Design and hazards</h2>
 *
 * <p>The write turn is one {@link State}, changed only by {@link #step} (the one transition
 * function, lock held), which also says what the caller must do next ({@link Step}):
 *
 * <table>
 * <caption>Write-turn states</caption>
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
 * <caption>Fields: who writes them</caption>
 * <tr><th>field</th><th>written by</th><th>guard</th></tr>
 * <tr><td>{@code state}, {@code promptEnd}, {@code corkTimerSet}, {@code closed},
 * {@code failWhenReleased}, {@code lastActiveNanos}</td><td>any thread, in {@link #step} or
 * {@link #close}</td><td>{@code lock}</td></tr>
 * <tr><td>{@code buffers.pending}, {@link SendLedger} (waiters, parked sends, owed PONG,
 * watermarks)</td><td>senders (encode, park) and the turn holder (swap, written)</td>
 * <td>{@code lock}</td></tr>
 * <tr><td>{@code queued}, {@code enqueued}, {@code written}, {@code messages}</td><td>under
 * {@code lock}</td><td>{@code lock}; volatile, so accessors read them without it</td></tr>
 * <tr><td>{@code buffers.writing}, {@code wroteInLoop}</td><td>the turn holder only</td><td>handed
 * over with the turn, under {@code lock}</td></tr>
 * </table>
 *
 * <p><b>Invariants:</b> (1) at most one thread holds the turn ({@code IO_WRITING} or
 * {@code SENDER_WRITING*}), and only it calls {@link Channel#write} — so a stateful stage
 * between codec and socket (TLS) sees serialized writes; (2) bytes reach the channel in the
 * order they were queued, each once; (3) a send's future completes once: with success when its
 * last byte was written, else failed by {@link #close} — unless a sender holds the turn then,
 * which fails what is left when it releases it ({@code failWhenReleased}), since its write may
 * have taken those bytes already; (4) a frame that must leave now (not corked) is written
 * without waiting for another send: whoever releases the turn with such bytes unwritten
 * schedules a flush ({@link Step#SCHEDULE_FLUSH}); corked bytes wait at most
 * {@link #CORK_NANOS} for the backstop timer; (5) in {@code BLOCKED} no sender writes: only the
 * I/O thread knows when the socket drains.
 *
 * <p><b>Batching:</b> a sender takes the turn when the connection was idle for
 * {@link #INLINE_IDLE_NANOS} — no turn ended and no sender found it idle within that time —
 * (one system call instead of a wake-up), or when it finds a whole
 * batch queued — it outpaces the writer, so it writes the batch itself, cut to whole segments,
 * the way {@code trySendMore} streams — and the library batches by itself. Frames queued with
 * {@code more} (corked) wait for a batch, a flush or the backstop timer.
 *
 * <p><b>Bound:</b> data frames enter while the queue holds less than {@code maxQueuedBytes} (one
 * larger frame only into an empty queue); control frames ignore the bound and are bounded by
 * construction ({@link SendLedger}).
 *
 * <p><b>Thread safety:</b> {@link #offer}, {@link #offerFlush}, {@link #park}, {@link #close},
 * {@link #writeInline} and the accessors from any thread; {@link #flush}, {@link #offerControl},
 * {@link #offerPong}, {@link #offerPing}, {@link #corkExpired}, {@link #takeFlushRequest} and
 * {@link #release} on the channel's I/O thread.
 */
final class Outbound {

  /** TCP's segment size on Linux loopback: MTU 65,536 less 40 bytes of headers and 12 of timestamps. */
  static final int LOOPBACK_SEGMENT = 65_483;
  /** Bytes of queued frames at which a sender writes them itself (no segment size known). */
  static final int DEFAULT_BATCH = 64 * 1024;
  /** How long corked frames wait at most for a flush before the I/O thread writes them. */
  static final long CORK_NANOS = 1_000_000;
  /**
   * A sender that finds the connection idle this long writes its frame itself instead of
   * waking the I/O thread. A request that answers a reply comes at least a loopback round trip
   * (~15 µs) after the last write; a flood's frames come within a microsecond of each other
   * and of the last write, and batching on the I/O thread (or by the sender) wins.
   */
  static final long INLINE_IDLE_NANOS = 5_000;
  /**
   * Room for the control frames a queue holds beyond its bound, each at most once: a HELLO
   * (at most 4,101 bytes), a BYE (1,030), a PONG (69) and a PING (5), with the framed codec.
   */
  static final int CONTROL_RESERVE = 8 * 1024;
  /** Writes per flush on the I/O thread before yielding to other channels of the loop. */
  private static final int MAX_WRITES_PER_FLUSH = 16;
  /** Writes per turn on a sender's thread: it returns to its caller soon. */
  private static final int MAX_WRITES_INLINE = 2;

  /** The segment size to cut writes to for a peer at this address (0: do not cut). */
  static int segmentFor(InetSocketAddress remote) {
    return remote != null && remote.getAddress() != null && remote.getAddress().isLoopbackAddress()
        ? LOOPBACK_SEGMENT : 0;
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

  /** What {@link #offer} did: a {@link SendStatus}, the next {@link Step}, and whether the queue just passed the high watermark. */
  enum Offered {
    FULL(SendStatus.QUEUE_FULL, Step.NONE, false),
    CLOSED(SendStatus.CLOSED, Step.NONE, false),
    QUEUED(SendStatus.OK, Step.NONE, false),
    QUEUED_SCHEDULE(SendStatus.OK, Step.SCHEDULE_FLUSH, false),
    QUEUED_WRITE(SendStatus.OK, Step.WRITE_INLINE, false),
    QUEUED_CORK(SendStatus.OK, Step.SET_CORK_TIMER, false),
    QUEUED_UNWRITABLE(SendStatus.OK, Step.NONE, true),
    QUEUED_SCHEDULE_UNWRITABLE(SendStatus.OK, Step.SCHEDULE_FLUSH, true),
    QUEUED_WRITE_UNWRITABLE(SendStatus.OK, Step.WRITE_INLINE, true),
    QUEUED_CORK_UNWRITABLE(SendStatus.OK, Step.SET_CORK_TIMER, true);

    final SendStatus status;
    final Step step;
    final boolean becameUnwritable;

    Offered(SendStatus status, Step step, boolean becameUnwritable) {
      this.status = status;
      this.step = step;
      this.becameUnwritable = becameUnwritable;
    }

    static Offered queued(Step step, boolean becameUnwritable) {
      return switch (step) {
        case SCHEDULE_FLUSH -> becameUnwritable ? QUEUED_SCHEDULE_UNWRITABLE : QUEUED_SCHEDULE;
        case WRITE_INLINE -> becameUnwritable ? QUEUED_WRITE_UNWRITABLE : QUEUED_WRITE;
        case SET_CORK_TIMER -> becameUnwritable ? QUEUED_CORK_UNWRITABLE : QUEUED_CORK;
        default -> becameUnwritable ? QUEUED_UNWRITABLE : QUEUED;
      };
    }
  }

  private final Object lock = new Object();
  private final CodecSession encoder;
  private final int maxQueuedBytes;
  /** Queued bytes at which a sender writes them itself. */
  private final int batch;
  private final OutboundBuffers buffers;
  private final SendLedger ledger;
  private final Completions completions;
  /** Futures of the frames the current turn wrote; the turn holder's, emptied before it releases the turn. */
  private final List<CompletableFuture<Void>> turnDone = new ArrayList<>();

  /** Where the futures of written and failed frames go; called on the thread that released the turn, without the lock. */
  interface Completions {
    /** These frames were written. */
    void written(List<CompletableFuture<Void>> futures);

    /** These frames will never be written: the queue was closed. */
    void failed(List<CompletableFuture<Void>> futures);
  }

  // Guarded by lock.
  private State state = State.IDLE;
  /** Bytes queued up to here (counted like {@code enqueued}) must leave now; corked ones after it may wait. */
  private long promptEnd;
  private boolean corkTimerSet;
  private boolean closed;
  /** {@link #close} ran while a sender held the turn: it fails what is unwritten when it releases it. */
  private boolean failWhenReleased;
  /** When a turn last ended or a sender last found the turn idle ({@link System#nanoTime}). */
  private long lastActiveNanos;

  // Written under lock, read without it.
  private volatile long queued;
  private volatile long enqueued;
  private volatile long written;
  private volatile long messages;

  /** The last write loop wrote something. Turn holder only. */
  private boolean wroteInLoop;

  /**
   * @param segment the TCP segment size to cut batch writes to, 0 for none (see {@link #segmentFor})
   */
  Outbound(CodecSession encoder, int maxQueuedBytes, int lowWatermark, int highWatermark, int segment,
      Completions completions) {
    this.encoder = encoder;
    this.completions = completions;
    this.maxQueuedBytes = maxQueuedBytes;
    this.batch = segment > 0 ? 2 * segment : DEFAULT_BATCH;
    this.buffers = new OutboundBuffers(segment, (long) maxQueuedBytes + CONTROL_RESERVE + segment);
    this.ledger = new SendLedger(lowWatermark, highWatermark, maxQueuedBytes);
  }

  // ---- the transition function ----

  /** The one transition function of the write turn. Lock held. */
  private Step step(Event event, boolean mayInline) {
    switch (event) {
      case PROMPT -> {
        promptEnd = enqueued;
        if (state == State.IDLE) {
          long now = System.nanoTime();
          boolean idle = now - lastActiveNanos > INLINE_IDLE_NANOS;
          lastActiveNanos = now;
          return mayInline && (idle || batchQueued()) ? to(State.SENDER_WRITING, Step.WRITE_INLINE)
              : to(State.SCHEDULED, Step.SCHEDULE_FLUSH);
        }
        return takeBatch(mayInline);
      }
      case CORKED -> {
        if (state == State.IDLE) {
          if (batchQueued()) {
            return mayInline ? to(State.SENDER_WRITING, Step.WRITE_INLINE) : to(State.SCHEDULED, Step.SCHEDULE_FLUSH);
          }
          return setCorkTimer();
        }
        return takeBatch(mayInline);
      }
      case FLUSH_REQUEST -> {
        promptEnd = enqueued;
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
        if (closed || state != State.IDLE || queued == 0) {
          // A writer sets the timer again when it leaves corked frames behind.
          return Step.NONE;
        }
        promptEnd = enqueued;
        return to(State.SCHEDULED, Step.RUN_FLUSH);
      }
      default -> throw new AssertionError(event);
    }
  }

  /** A sender that finds a whole batch queued while nobody writes yet takes the turn (lock held). */
  private Step takeBatch(boolean mayInline) {
    if (state == State.SCHEDULED && mayInline && batchQueued()) {
      return to(State.SENDER_WRITING_SCHEDULED, Step.WRITE_INLINE);
    }
    return Step.NONE;
  }

  /** The turn holder's writing ended without filling the socket (lock held). */
  private Step afterWrite(boolean io) {
    lastActiveNanos = System.nanoTime();
    boolean taskQueued = state == State.SENDER_WRITING_SCHEDULED;
    boolean left = buffers.pendingBytes() > 0 || buffers.writingHasRemaining();
    if ((left && (promptEnd > written || closed)) || (!io && closed)) {
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
    if (io && wroteInLoop && !closed) {
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

  private boolean batchQueued() {
    return buffers.pendingBytes() >= batch;
  }

  /** The write turn's state, for tests and diagnostics. Any thread. */
  State state() {
    synchronized (lock) {
      return state;
    }
  }

  // ---- queueing (any thread) ----

  /**
   * Encodes a data frame into the queue, within the bound.
   *
   * @param waiter completed once the frame is written, or null
   * @param mayInline whether the caller may take the write turn (not the I/O thread)
   * @param more the sender promises more frames soon: this one may wait for them (corked)
   */
  Offered offer(FrameType type, byte[] a, int off, int len, ByteBuffer b, CompletableFuture<Void> waiter,
      boolean mayInline, boolean more) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return Offered.CLOSED;
      }
      int n = encoder.encodedLength(type, b != null ? b.remaining() : len);
      // One frame larger than the bound still goes when the queue is empty, else it never could.
      // Parked sends go first: nothing jumps the line.
      if ((queued > 0 && queued + n > maxQueuedBytes) || ledger.hasParked()) {
        return Offered.FULL;
      }
      encodeLocked(type, a, off, len, b);
      messages++;
      if (waiter != null) {
        ledger.await(enqueued, waiter);
      }
      Step step = step(more ? Event.CORKED : Event.PROMPT, mayInline);
      return Offered.queued(step, ledger.checkHigh(queued));
    }
  }

  /**
   * Queues a control frame (HELLO, BYE, a check's PING), ignoring the bound; a BYE
   * ({@code closeAfter}) closes the queue. I/O thread.
   *
   * @return {@link Step#SCHEDULE_FLUSH} or {@link Step#NONE}; null when the queue is closed
   */
  Step offerControl(FrameType type, byte[] body, boolean closeAfter) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return null;
      }
      encodeLocked(type, body, 0, body.length, null);
      if (closeAfter) {
        closed = true;
      }
      return step(Event.PROMPT, false);
    }
  }

  /**
   * Queues the PONG that answers a PING, keeping at most one unwritten: while the last one is
   * unwritten, this one is owed instead (replacing any owed before) and queued once the last
   * one is written. A peer that floods PINGs and never reads makes the queue hold one PONG.
   * I/O thread.
   *
   * @return as {@link #offerControl}; {@link Step#NONE} when owed
   */
  Step offerPong(byte[] body) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return null;
      }
      if (ledger.pongUnwritten(written)) {
        ledger.owePong(encoder, body);
        return Step.NONE;
      }
      encodeLocked(FrameType.PONG, body, 0, body.length, null);
      ledger.pongQueued(enqueued);
      return step(Event.PROMPT, false);
    }
  }

  /**
   * Queues a heartbeat PING only if the queue is empty: anything queued already tells the peer
   * we are here once read. I/O thread.
   *
   * @return as {@link #offerControl}; {@link Step#NONE} when skipped
   */
  Step offerPing(byte[] body) throws CodecException {
    synchronized (lock) {
      if (closed) {
        return null;
      }
      if (queued > 0) {
        return Step.NONE;
      }
      encodeLocked(FrameType.PING, body, 0, body.length, null);
      return step(Event.PROMPT, false);
    }
  }

  private void encodeLocked(FrameType type, byte[] a, int off, int len, ByteBuffer b) throws CodecException {
    int n = encoder.encodedLength(type, b != null ? b.remaining() : len);
    ByteBuffer pending = buffers.pendingFor(n);
    int start = pending.position();
    try {
      if (b != null) {
        encoder.encode(type, b, pending);
      } else {
        encoder.encode(type, a, off, len, pending);
      }
    } catch (RuntimeException e) {
      pending.position(start);
      throw e;
    }
    queue(pending.position() - start);
  }

  private void queue(int n) {
    queued += n;
    enqueued += n;
  }

  /**
   * Asks for everything queued (corked frames too) to be written now. Any thread.
   *
   * @param mayInline whether the caller may take the write turn (not the I/O thread)
   */
  Step offerFlush(boolean mayInline) {
    synchronized (lock) {
      if (closed || queued == 0) {
        return Step.NONE;
      }
      return step(Event.PROMPT, mayInline);
    }
  }

  /**
   * Parks a send until the queue has room, if the parked bytes stay within the bound; encodes
   * its frame now, so the payload array is not referenced after this returns.
   *
   * @return false if it could not be parked (closed, or too much already parked)
   */
  boolean park(SendLedger.Parked p) throws CodecException {
    synchronized (lock) {
      return !closed && ledger.park(p, encoder);
    }
  }

  /** Removes a parked send whose time ran out; false if it was already queued. */
  boolean unpark(SendLedger.Parked p) {
    synchronized (lock) {
      return ledger.unpark(p);
    }
  }

  /** Admits parked sends now (the queue may have drained before they were parked). I/O thread. */
  void admit() {
    synchronized (lock) {
      admitLocked();
    }
  }

  private void admitLocked() {
    if (closed) {
      return;
    }
    SendLedger.Parked p;
    while ((p = ledger.nextAdmissible(queued)) != null) {
      int n = p.frame().remaining();
      buffers.pendingFor(n).put(p.frame());
      queue(n);
      messages++;
      ledger.admitted(p, enqueued);
      promptEnd = enqueued;
    }
  }

  /** Takes the write turn for the I/O thread after admitting parked sends: true when the caller must flush now. */
  boolean takeFlushRequest() {
    synchronized (lock) {
      return step(Event.FLUSH_REQUEST, false) == Step.RUN_FLUSH;
    }
  }

  /** The backstop timer for corked frames fired: true when the caller must flush now. I/O thread. */
  boolean corkExpired() {
    synchronized (lock) {
      return step(Event.CORK_EXPIRED, false) == Step.RUN_FLUSH;
    }
  }

  // ---- writing ----

  /**
   * Writes from the I/O thread: a scheduled flush, the socket drained, the backstop or a
   * check. Returns what the caller must do next.
   */
  Step flush(Channel channel) throws IOException {
    synchronized (lock) {
      if (step(Event.FLUSH_RUNS, false) != Step.RUN_FLUSH) {
        return Step.NONE;
      }
    }
    return writeTurn(channel, true);
  }

  /**
   * Writes from a sender's thread, which took the turn ({@link Step#WRITE_INLINE}), and
   * releases it. Returns what the caller must do next ({@link Step#SCHEDULE_FLUSH},
   * {@link Step#SET_CORK_TIMER} or {@link Step#NONE}). A write error is left to the I/O
   * thread, which meets it on its next write and closes with the reason.
   */
  Step writeInline(Channel channel) {
    try {
      return writeTurn(channel, false);
    } catch (IOException e) {
      synchronized (lock) {
        return step(Event.BLOCKED, false);
      }
    }
  }

  /**
   * The turn holder writes, then releases the turn through {@link #step} and hands on the
   * futures it completed (and, for a sender that held the turn across a {@link #close}, those
   * it fails) once the lock is released. No allocation unless there are futures.
   */
  private Step writeTurn(Channel channel, boolean io) throws IOException {
    boolean blocked = false;
    IOException error = null;
    RuntimeException bug = null;
    try {
      blocked = writeLoop(channel, io ? MAX_WRITES_PER_FLUSH : MAX_WRITES_INLINE);
    } catch (IOException e) {
      error = e;
    } catch (RuntimeException e) {
      bug = e;
    }
    Step step;
    List<CompletableFuture<Void>> done = null;
    List<CompletableFuture<Void>> failed = null;
    synchronized (lock) {
      if (!turnDone.isEmpty()) {
        done = new ArrayList<>(turnDone);
        turnDone.clear();
      }
      if (!io && failWhenReleased) {
        failWhenReleased = false;
        failed = new ArrayList<>();
        ledger.drainWaiters(failed);
      }
      // A failed write: the channel is lost and closes; nobody writes again.
      step = error != null || bug != null ? to(State.IDLE, Step.NONE)
          : step(blocked ? Event.BLOCKED : io ? Event.IO_WROTE : Event.SENDER_WROTE, false);
    }
    if (done != null) {
      completions.written(done);
    }
    if (failed != null) {
      completions.failed(failed);
    }
    if (error != null) {
      throw error;
    }
    if (bug != null) {
      throw bug;
    }
    return step;
  }

  /**
   * The turn holder's loop: swaps in what senders queued and writes it, at most
   * {@code maxWrites} times. A tail shorter than a segment goes in front of the next batch when
   * one is queued; it is written alone only while bytes that must leave now are unwritten.
   *
   * @return true when the socket is full
   */
  private boolean writeLoop(Channel channel, int maxWrites) throws IOException {
    wroteInLoop = false;
    int writes = 0;
    for (int steps = 0; writes < maxWrites && steps < 2 * maxWrites + 2; steps++) {
      int tail = takeWork();
      if (tail < 0) {
        return false;
      }
      ByteBuffer writing = buffers.writing();
      int limit = writing.limit();
      writing.limit(limit - tail);
      int n;
      try {
        n = channel.write(writing);
      } finally {
        writing.limit(limit);
      }
      writes++;
      if (n > 0) {
        wroteInLoop = true;
        written(n);
      }
      if (writing.remaining() > tail) {
        return true;
      }
    }
    return false;
  }

  /**
   * Gets the turn holder's buffer ready for one write: swaps in queued frames, merges a short
   * tail with them, and decides whether the tail goes now. Turn holder.
   *
   * @return the bytes at the end of the buffer to leave for later (a tail that may wait), or
   *     -1 when there is nothing this writer should write now
   */
  private int takeWork() {
    synchronized (lock) {
      int segment = buffers.segment;
      if (!buffers.writingHasRemaining() && !buffers.swap()) {
        return -1;
      }
      int remaining = buffers.writing().remaining();
      int tail = segment > 0 ? remaining % segment : 0;
      boolean mustLeaveNow = promptEnd > written || closed;
      if (remaining == tail && tail > 0) {
        // Less than one segment: put it in front of what was queued meanwhile.
        if (!buffers.mergeTail()) {
          return mustLeaveNow ? 0 : -1;
        }
        tail = buffers.writing().remaining() % segment;
      }
      // Nothing to merge the tail with, and it must go now: one write, not two.
      return tail > 0 && mustLeaveNow && buffers.pendingBytes() == 0 ? 0 : tail;
    }
  }

  private void written(int n) {
    synchronized (lock) {
      written += n;
      queued -= n;
      ledger.completeUpTo(written, turnDone);
      if (!closed) {
        ByteBuffer pong = ledger.takeOwedPong(written);
        if (pong != null) {
          int len = pong.remaining();
          buffers.pendingFor(len).put(pong);
          queue(len);
          ledger.pongQueued(enqueued);
          promptEnd = enqueued;
        }
        admitLocked();
      }
      ledger.checkLow(queued);
    }
  }

  // ---- closing and accessors ----

  /**
   * Refuses further frames and fails the sends still waiting ({@link Completions#failed}).
   * Any thread. While a sender holds the turn, the sends in the queue stay with it: its write
   * may have taken their frames already; it fails the rest when it releases the turn.
   */
  void close() {
    List<CompletableFuture<Void>> failed = new ArrayList<>();
    synchronized (lock) {
      closed = true;
      if (state == State.SENDER_WRITING || state == State.SENDER_WRITING_SCHEDULED) {
        failWhenReleased = true;
      } else {
        ledger.drainWaiters(failed);
      }
      ledger.drainParked(failed);
    }
    if (!failed.isEmpty()) {
      completions.failed(failed);
    }
  }

  /** Drops the buffers once the channel is gone. I/O thread. */
  void release() {
    synchronized (lock) {
      closed = true;
      queued = 0;
      if (state != State.SENDER_WRITING && state != State.SENDER_WRITING_SCHEDULED) {
        // A sender still writing keeps its buffer until it fails on the closed channel.
        buffers.release();
      }
    }
  }

  /** Returns and clears the "fell under the low watermark" transition. I/O thread or turn holder. */
  boolean takeBecameWritable() {
    synchronized (lock) {
      return ledger.takeBecameWritable();
    }
  }

  /** Whether the queue is above its high watermark and not yet back under the low one. Any thread. */
  boolean isUnwritable() {
    return ledger.isUnwritable();
  }

  /** Whether nothing is left to write. Any thread. */
  boolean isEmpty() {
    return queued == 0;
  }

  long queuedBytes() {
    return queued;
  }

  /** Bytes written to the channel so far, control frames included. Any thread. */
  long writtenBytes() {
    return written;
  }

  long messages() {
    return messages;
  }

  long bytes() {
    return enqueued;
  }
}
