package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.SessionInfo;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The write path's model test: one test thread plays every role — two senders, the I/O thread,
 * the socket, the clock and a closer — against one {@link Outbound}, in interleavings drawn
 * from a seed. A sender that takes the write turn may be overtaken by any other role before
 * and during its write (the channel runs a random step between writes), as on real threads.
 * After every step and at the end it checks {@link Outbound}'s invariants: one writer at a
 * time, every byte written once and in order, every future completed once and truthfully,
 * prompt frames never left waiting, corked frames written by the backstop, the bound kept.
 *
 * <p>A failure names its seed; replay it alone with {@code -Dvecino.model.seed=<seed>}.
 */
@Timeout(60)
class OutboundModelTest {

  private static final int SEEDS = Integer.getInteger("vecino.model.seeds", 3_000);
  private static final int STEPS = 160;
  private static final int MAX_QUEUED = 4_096;
  /** A small segment, so batches, tails and merges happen with small frames. */
  private static final int SEGMENT = 512;

  @Test
  void everyInterleavingKeepsTheInvariants() {
    Long only = Long.getLong("vecino.model.seed");
    if (only != null) {
      new Model(only).run();
      return;
    }
    int floods = 0;
    for (long seed = 1; seed <= SEEDS; seed++) {
      Model m = new Model(seed);
      m.run();
      floods += m.floodCorked > 0 ? 1 : 0;
    }
    assertTrue(floods > 0, "no seed made a plain flood: the model misses that path");
  }

  @Test
  void anIdleSenderWritesItsFrameAtOnceOnItsOwnThread() {
    Model m = new Model(0);
    Offered offered = m.send(true, false, false);
    assertEquals(WriteTurn.Step.WRITE_INLINE, offered.step, "an idle connection is written by its sender");
    assertEquals(WriteTurn.State.SENDER_WRITING, m.outbound.state());
    m.writeInline(m.pendingInline.poll());
    assertEquals(1, m.framesWritten(), "one write, no wake-up");
    assertEquals(WriteTurn.State.IDLE, m.outbound.state());
  }

  @Test
  void aSenderThatOutpacesTheWriterWritesWholeBatchesItself() {
    Model m = new Model(0);
    m.send(false, false, false); // from the I/O thread: a flush is scheduled
    assertEquals(WriteTurn.State.SCHEDULED, m.outbound.state());
    Offered offered = null;
    for (int i = 0; i < 200 && (offered == null || offered.step != WriteTurn.Step.WRITE_INLINE); i++) {
      offered = m.send(true, false, false);
    }
    assertEquals(WriteTurn.Step.WRITE_INLINE, offered.step, "a batch queued behind a scheduled flush");
    assertEquals(WriteTurn.State.SENDER_WRITING_SCHEDULED, m.outbound.state());
    m.writeInline(m.pendingInline.poll());
    assertTrue(m.socket.size() >= SEGMENT, "whole segments written by the sender");
    m.quiesce(false);
    m.checkPromptWritten("after the scheduled flush ran");
    m.quiesce(true);
    m.checkAllWritten("with the backstop, which takes a flood's corked tail");
  }

  @Test
  void aPlainFloodIsCorkedLikeAStreamUntilABatchOrTheBackstopTakesIt() {
    Model m = new Model(0);
    int prompt = m.floodUntilStaged();
    assertEquals(Offered.QUEUED, m.send(true, false, false), "a staged plain send takes no lock and asks nothing");
    m.quiesce(false);
    assertTrue(m.framesWritten() >= prompt, "the sends before the flood left without the backstop");
    assertTrue(m.outbound.staging(), "the flood's tail waits for a batch or the backstop");
    m.quiesce(true);
    m.checkAllWritten("the backstop took the flood's tail");
    assertTrue(!m.outbound.staging(), "the backstop revoked the stage");
  }

  @Test
  void aPlainSendThatEndsACorkedBurstLeavesNowHoweverManyBurstsCame() {
    Model m = new Model(0);
    m.channel.interleaves = false;
    for (int burst = 0; burst < 2_000; burst++) {
      if (burst % 8 == 0) {
        m.quiesce(false);
        m.send(false, false, false); // the writer is behind again: a flush is scheduled
      }
      m.send(true, true, false);
      m.send(true, false, false);
      if (!m.pendingInline.isEmpty()) {
        m.writeInline(m.pendingInline.poll());
      }
    }
    assertEquals(0, m.floodCorked, "trySend after trySendMore always ends the burst: it never joins a flood");
    m.quiesce(false);
    m.checkAllWritten("every burst ended by a plain send, without the backstop");
  }

  @Test
  void aCorkedSendTurnsAFloodIntoAStreamThatAPlainSendEnds() {
    Model m = new Model(0);
    m.floodUntilStaged();
    assertEquals(Offered.QUEUED, m.send(true, true, false), "a corked send into the flood's stage");
    int corked = m.floodCorked;
    m.send(true, false, false);
    assertEquals(corked, m.floodCorked, "the plain send that ends the burst must leave now");
    assertTrue(!m.outbound.staging(), "and ends the stream");
    m.quiesce(false);
    m.checkAllWritten("without the backstop");
  }

  @Test
  void oneLargePlainSendThatFindsTheWriterBusyIsNotAFlood() {
    Model m = new Model(0);
    m.channel.interleaves = false;
    m.send(false, false, false); // the I/O thread queues: a flush is scheduled
    m.runTask(); // written; the I/O thread keeps the turn one more pass
    m.send(true, false, false, 2 * SEGMENT + 100); // more than a batch, while the turn is busy
    assertEquals(0, m.floodCorked, "one message alone is never a flood");
    m.quiesce(false);
    m.checkAllWritten("without the backstop");
  }

  @Test
  void aPlainSendEndingABurstLeavesNowWhileAnotherThreadStages() throws Exception {
    Model m = new Model(0);
    m.channel.interleaves = false;
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      m.send(false, false, false);
      m.runTask();
      other.submit(() -> m.send(true, true, false)).get(); // another thread holds the stage
      m.send(true, true, false); // this thread's trySendMore, under the lock
      m.send(true, false, false, 2 * SEGMENT + 100); // ended by a large plain trySend
      assertEquals(0, m.floodCorked, "the send that ends a burst leaves now");
      m.quiesce(false);
      m.checkAllWritten("without the backstop");
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void aFloodsStageLastsUntilTheBackstopEvenAfterAQuietSpell() {
    Model m = new Model(0);
    m.floodUntilStaged();
    m.quiesce(false);
    quiet(5 * WriteTurn.INLINE_IDLE_NANOS);
    // As documented: a staged send does not look at the turn; the backstop bounds its wait.
    assertEquals(Offered.QUEUED, m.send(true, false, false), "still staged after the quiet spell");
    assertTrue(m.corkTimerArmed, "with the backstop on its way");
    m.quiesce(true);
    m.checkAllWritten("the backstop took it");
    assertTrue(!m.outbound.staging(), "and ended the flood");
  }

  @Test
  void aPlainSendThatFindsTheConnectionIdleEndsTheFlood() {
    Model m = new Model(0);
    m.floodUntilStaged();
    m.quiesce(true);
    // Idle longer than a flood's pause: the writer ended its last write more than that ago.
    quiet(2 * FloodCount.PAUSE_NANOS);
    int corked = m.floodCorked;
    Offered offered = m.send(true, false, false);
    assertEquals(corked, m.floodCorked, "a send after a pause leaves now");
    assertEquals(WriteTurn.Step.WRITE_INLINE, offered.step, "and is written at once by its sender");
    assertTrue(!m.outbound.staging(), "the flood is over");
    // The count starts from nothing: sends that find the writer busy again leave now for a while.
    m.send(false, false, false);
    for (int i = 0; i < FloodCount.SENDS; i++) {
      m.send(true, false, false);
    }
    assertEquals(corked, m.floodCorked, "a new flood needs a batch and 32 sends again");
  }

  @Test
  void framesQueuedDuringASendersTurnAreNotLeftWaiting() {
    Model m = new Model(0);
    m.send(true, false, false);
    // While the sender writes, others queue frames: more than its turn's writes can take.
    m.channel.forcedSends = 5;
    m.writeInline(m.pendingInline.poll());
    assertTrue(m.framesWritten() < m.accepted, "the turn ended with frames left");
    m.quiesce(false);
    m.checkAllWritten("without the backstop timer: they had to leave now");
  }

  @Test
  void aStreamStagesItsFramesUntilABatchOrTheBackstopTakesThem() {
    Model m = new Model(0);
    // The connection is busy (a flush is queued): a corked send is queued and granted the stage.
    m.send(false, false, false);
    m.send(true, true, false);
    assertTrue(m.outbound.staging(), "a corked sender outpacing the writer stages its next frames");
    long queued = m.outbound.queuedBytes();
    Offered staged = m.send(true, true, false);
    assertEquals(Offered.QUEUED, staged, "a staged frame takes no lock and asks nothing");
    assertTrue(m.outbound.queuedBytes() > queued, "staged bytes count as queued");
    m.quiesce(false);
    assertTrue(m.outbound.staging(), "the stream goes on until the backstop fires");
    m.quiesce(true);
    m.checkAllWritten("the backstop claimed the stage");
    assertTrue(!m.outbound.staging(), "the backstop revoked the stage");
  }

  @Test
  void aPromptSendEndsTheStreamAndLeavesWithWhatWasStagedBeforeIt() {
    Model m = new Model(0);
    m.send(false, false, false);
    m.send(true, true, false);
    assertEquals(Offered.QUEUED, m.send(true, true, false), "staged");
    m.send(true, false, false);
    assertTrue(!m.outbound.staging(), "a prompt send ends the stream");
    m.quiesce(false);
    m.checkAllWritten("without the backstop: the prompt frame and the staged ones before it");
  }

  @Test
  void aFlushEndsTheStreamAndWritesWhatItStaged() {
    Model m = new Model(0);
    m.send(false, false, false);
    m.send(true, true, false);
    m.send(true, true, false);
    m.quiesce(false);
    m.follow(m.outbound.offerFlush(true));
    assertTrue(!m.outbound.staging(), "a flush ends the stream");
    m.quiesce(false);
    m.checkAllWritten("after the flush, without the backstop");
  }

  /** Lets the clock pass {@code nanos}: the write turn's idle test reads it. */
  private static void quiet(long nanos) {
    long since = System.nanoTime();
    while (System.nanoTime() - since <= nanos) {
      Thread.onSpinWait();
    }
  }

  /** One seeded run. */
  private static final class Model implements Outbound.Completions {
    final long seed;
    final Random random;
    final ScriptedChannel channel = new ScriptedChannel();
    final ByteArrayOutputStream socket = new ByteArrayOutputStream();
    final Outbound outbound;
    /** Flush tasks queued on the "I/O thread" (a true entry: a flush; false: arm the cork timer). */
    final ArrayDeque<Boolean> tasks = new ArrayDeque<>();
    /** Senders that took the turn and have not written yet (the sender's index). */
    final ArrayDeque<Integer> pendingInline = new ArrayDeque<>();
    final Map<CompletableFuture<Void>, Long> futureEnds = new IdentityHashMap<>();
    final Set<CompletableFuture<Void>> completed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    final Set<CompletableFuture<Void>> failed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    final CodecSession codec;
    final StringBuilder trace = new StringBuilder();
    /** Accepted data frames, in order: sequence numbers 0, 1, 2, ... */
    int accepted;
    /** The sequence number after the last accepted prompt (not corked) frame. */
    int promptThrough;
    /** Plain sends the queue corked as part of a flood. */
    int floodCorked;
    /** Whether the last accepted data frame was corked ({@code trySendMore}). */
    boolean lastCorked;
    boolean bursting;
    boolean corkTimerArmed;
    boolean writableWanted;
    boolean closed;
    /** Who writes now: -1 nobody, 0 the I/O thread, 1 or 2 a sender. */
    int writer = -1;
    int nesting;

    Model(long seed) {
      this.seed = seed;
      this.random = new Random(seed);
      this.codec = Codec.framed().newSession(new SessionInfo(Direction.OUTBOUND,
          new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.2", 2), "model", 1 << 20));
      this.outbound = new Outbound(codec, MAX_QUEUED, MAX_QUEUED / 4, MAX_QUEUED / 2, SEGMENT, this);
    }

    void run() {
      try {
        for (int i = 0; i < STEPS; i++) {
          randomStep();
          checkBound();
        }
        quiesce(false);
        if (!closed) {
          checkPromptWritten("at quiescence without the backstop");
        }
        quiesce(true);
        if (!closed) {
          checkAllWritten("at quiescence");
        }
        checkFutures();
      } catch (AssertionError | RuntimeException e) {
        AssertionError a = new AssertionError("seed " + seed + " (replay: -Dvecino.model.seed=" + seed + "): "
            + e.getMessage() + "\ntrace:" + trace, e);
        throw a;
      }
    }

    void randomStep() {
      int r = random.nextInt(100);
      if (r < 30) {
        send(true, random.nextInt(3) == 0, random.nextInt(4) == 0);
      } else if (r < 38) {
        send(false, random.nextInt(3) == 0, false);
      } else if (r < 55) {
        if (!pendingInline.isEmpty()) {
          writeInline(pendingInline.poll());
        }
      } else if (r < 72) {
        runTask();
      } else if (r < 80) {
        fireCork();
      } else if (r < 90) {
        channel.budget = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(3 * SEGMENT);
        drain();
      } else if (r < 95) {
        control();
      } else if (r < 96 && !closed) {
        close(random.nextBoolean());
      } else if (r >= 97 && !bursting) {
        burst();
      }
    }

    /**
     * Directed, without interleaving: the I/O thread queues a frame (the writer is behind), then
     * one sender sends plain frames, writing the batches it finds, until it stages them.
     *
     * @return the frames accepted before the first one the flood corked
     */
    int floodUntilStaged() {
      channel.interleaves = false;
      send(false, false, false);
      int prompt = 0;
      for (int i = 0; i < 400 && !outbound.staging(); i++) {
        send(true, false, false);
        prompt = floodCorked == 0 ? accepted : prompt;
        if (!pendingInline.isEmpty()) {
          writeInline(pendingInline.poll());
        }
      }
      assertTrue(floodCorked > 0, "plain sends that keep finding the writer behind become a flood");
      assertTrue(outbound.staging(), "the flood's sender stages its next plain sends");
      return prompt;
    }

    /** Many small plain sends from one sender, other roles acting now and then: a flood when the writer lags. */
    void burst() {
      bursting = true;
      try {
        for (int i = 0; i < 2 * FloodCount.SENDS; i++) {
          send(true, false, false, 4 + random.nextInt(60));
          if (random.nextInt(4) == 0) {
            randomStep();
          }
        }
      } finally {
        bursting = false;
      }
    }

    // ---- the roles ----

    Offered send(boolean sender, boolean more, boolean withFuture) {
      // Now and then one frame larger than a batch (2 segments): alone, it is never a flood.
      return send(sender, more, withFuture, random.nextInt(25) == 0 ? 2 * SEGMENT + 100 : 4 + random.nextInt(3) * 100);
    }

    Offered send(boolean sender, boolean more, boolean withFuture, int size) {
      int seq = accepted;
      byte[] payload = new byte[size];
      ByteBuffer.wrap(payload).putInt(seq);
      CompletableFuture<Void> f = withFuture ? new CompletableFuture<>() : null;
      Offered offered = outbound.offer(FrameType.BINARY, payload, 0, payload.length, null, f, sender, more);
      trace.append("\n send#").append(seq).append(sender ? " sender" : " io").append(more ? " more" : "")
          .append(" -> ").append(offered).append(" ").append(outbound.state()).append(" size=").append(size)
          .append(" staging=").append(outbound.staging()).append(" prompt=").append(outbound.promptEnd()).append("/").append(outbound.bytes());
      if (offered.status == SendStatus.OK) {
        accepted++;
        // A plain send must leave now unless the queue corked it as part of a flood; never
        // one with a future, the I/O thread's, or one right after a corked send.
        if (!more && outbound.promptEnd() >= outbound.bytes()) {
          promptThrough = accepted;
        } else if (!more) {
          assertTrue(sender && !withFuture && !lastCorked, "a send that must leave now was corked as a flood");
          floodCorked++;
        }
        lastCorked = more;
        if (f != null) {
          futureEnds.put(f, outbound.bytes());
        }
        if (offered.step == WriteTurn.Step.WRITE_INLINE) {
          assertTrue(sender, "only a sender takes the turn from offer");
          assertTrue(writer == -1 && pendingInline.isEmpty(), "the turn granted twice");
          pendingInline.add(1 + random.nextInt(2));
        } else {
          follow(offered.step);
        }
      } else if (offered.status == SendStatus.CLOSED) {
        assertTrue(closed, "CLOSED only after close");
      }
      return offered;
    }

    void writeInline(int sender) {
      assertEquals(-1, writer, "a sender writes while " + writer + " holds the turn");
      writer = sender;
      trace.append("\n inline ").append(sender);
      WriteTurn.Step then = outbound.writeInline(channel);
      writer = -1;
      trace.append(" -> ").append(then).append(" ").append(outbound.state());
      assertTrue(then != WriteTurn.Step.WRITE_INLINE && then != WriteTurn.Step.RUN_FLUSH, "after a turn: " + then);
      follow(then);
    }

    void runTask() {
      Boolean t = tasks.poll();
      if (t == null) {
        return;
      }
      if (!t) {
        corkTimerArmed = true;
        return;
      }
      ioFlush("task");
    }

    void ioFlush(String why) {
      assertTrue(writer == -1 || writer > 0, "the I/O thread flushes inside its own flush");
      if (writer > 0 || !pendingInline.isEmpty()) {
        // A sender holds the turn (it is between taking it and writing): the flush must not write.
        long size = socket.size();
        WriteTurn.Step step = run(why);
        assertEquals(size, socket.size(), "the I/O thread wrote while a sender held the turn");
        follow(step);
        return;
      }
      writer = 0;
      WriteTurn.Step step = run(why);
      writer = -1;
      follow(step);
    }

    private WriteTurn.Step run(String why) {
      try {
        WriteTurn.Step step = outbound.flush(channel);
        trace.append("\n flush(").append(why).append(") -> ").append(step).append(" ").append(outbound.state());
        return step;
      } catch (IOException e) {
        // As FrameWriter: the connection is lost, and closes.
        assertTrue(channel.lost, "a write failed on an open channel: " + e);
        trace.append("\n flush(").append(why).append(") failed: ").append(e.getMessage());
        return WriteTurn.Step.NONE;
      }
    }

    void fireCork() {
      if (!corkTimerArmed) {
        return;
      }
      corkTimerArmed = false;
      trace.append("\n cork fires");
      if (outbound.corkExpired()) {
        ioFlush("cork");
      }
    }

    void drain() {
      trace.append("\n socket takes ").append(channel.budget);
      if (channel.budget > 0 && writableWanted) {
        writableWanted = false;
        tasks.add(true);
      }
    }

    void control() {
      int kind = random.nextInt(3);
      WriteTurn.Step step = kind == 0 ? outbound.offerPing(new byte[8])
          : kind == 1 ? outbound.offerPong(new byte[8]) : outbound.offerControl(FrameType.PING, new byte[8], false);
      trace.append("\n control ").append(kind).append(" -> ").append(step);
      if (step != null) {
        follow(step);
      }
    }

    void close(boolean bye) {
      trace.append("\n close bye=").append(bye);
      if (bye) {
        WriteTurn.Step step = outbound.offerControl(FrameType.BYE, new byte[2], true);
        closed = true;
        if (step != null) {
          follow(step);
        }
        ioFlush("close");
      } else {
        lose();
      }
    }

    /** As Connection.close without a BYE: fail what is queued, close the channel, release the buffers. */
    void lose() {
      closed = true;
      outbound.close();
      channel.lost = true;
      outbound.release();
    }

    void follow(WriteTurn.Step step) {
      switch (step) {
        case SCHEDULE_FLUSH -> tasks.add(true);
        case RUN_FLUSH -> ioFlush("run");
        case SET_CORK_TIMER -> tasks.add(false);
        case REQUEST_WRITABLE -> {
          if (channel.budget > 0) {
            tasks.add(true);
          } else {
            writableWanted = true;
          }
        }
        case NONE -> { }
        case WRITE_INLINE -> fail("WRITE_INLINE handed to a role that did not offer");
      }
    }

    /** Everyone finishes: the socket takes everything, every task and (with {@code timers}) every backstop runs. */
    void quiesce(boolean timers) {
      channel.budget = Integer.MAX_VALUE;
      drain();
      for (int i = 0; i < 10_000; i++) {
        if (!pendingInline.isEmpty()) {
          writeInline(pendingInline.poll());
        } else if (!tasks.isEmpty()) {
          runTask();
        } else if (timers && corkTimerArmed) {
          fireCork();
        } else {
          return;
        }
      }
      fail("no quiescence after 10,000 steps");
    }

    // ---- the invariants ----

    void checkBound() {
      assertTrue(outbound.queuedBytes() <= MAX_QUEUED + Outbound.CONTROL_RESERVE + 512,
          "queued " + outbound.queuedBytes() + " past the bound");
      assertTrue(outbound.queuedBytes() >= 0, "queued " + outbound.queuedBytes() + " < 0");
    }

    int framesWritten() {
      return parse().size();
    }

    /** The data frames' sequence numbers, in the order written; checks framing and order. */
    List<Integer> parse() {
      ByteBuffer b = ByteBuffer.wrap(socket.toByteArray());
      List<Integer> seqs = new ArrayList<>();
      while (b.remaining() >= 5) {
        int length = b.getInt(b.position());
        if (b.remaining() < 4 + length) {
          break;
        }
        int type = b.get(b.position() + 4);
        if (type == FrameType.BINARY.code()) {
          int seq = b.getInt(b.position() + 5);
          assertEquals(seqs.size(), seq, "frames out of order or lost: " + seqs);
          seqs.add(seq);
        }
        b.position(b.position() + 4 + length);
      }
      return seqs;
    }

    void checkPromptWritten(String when) {
      int n = framesWritten();
      assertTrue(n >= promptThrough, when + ": " + n + " frames written, " + promptThrough + " had to leave now");
    }

    void checkAllWritten(String when) {
      assertEquals(accepted, framesWritten(), when + ": every accepted frame is written");
      assertEquals(0, outbound.queuedBytes(), when + ": nothing queued");
      assertEquals(socket.size(), outbound.writtenBytes(), "written bytes counted");
    }

    void checkFutures() {
      for (Map.Entry<CompletableFuture<Void>, Long> e : futureEnds.entrySet()) {
        boolean ok = completed.contains(e.getKey());
        boolean ko = failed.contains(e.getKey());
        if (ok) {
          assertTrue(socket.size() >= e.getValue(), "a future completed before its frame was written");
        }
        if (!closed) {
          assertTrue(ok, "a written frame's future did not complete");
        } else {
          assertTrue(ok || ko, "a future left pending after close");
        }
      }
    }

    @Override
    public void written(List<CompletableFuture<Void>> futures) {
      for (CompletableFuture<Void> f : futures) {
        assertTrue(socket.size() >= futureEnds.get(f), "completed before written");
        assertTrue(completed.add(f) && !failed.contains(f), "completed twice");
      }
    }

    @Override
    public void failed(List<CompletableFuture<Void>> futures) {
      for (CompletableFuture<Void> f : futures) {
        assertTrue(closed, "failed before close");
        assertTrue(socket.size() < futureEnds.get(f), "failed although its frame was written");
        assertTrue(failed.add(f) && !completed.contains(f), "failed after completion or twice");
      }
    }

    @Override
    public void becameWritable() {
      // Watermarks are SendLedger's; the model checks the bytes and futures.
    }

    /** The socket: takes at most {@code budget} bytes, and lets another role act between writes. */
    final class ScriptedChannel implements Channel {
      int budget = Integer.MAX_VALUE;
      /** Closed under the writer (a lost connection): writes fail. */
      boolean lost;
      /** Writes during which another sender queues a frame, for directed tests. */
      int forcedSends;
      /** Whether other roles act at random between writes; directed tests turn it off. */
      boolean interleaves = true;

      @Override
      public int write(ByteBuffer src) throws IOException {
        if (lost) {
          throw new IOException("closed");
        }
        assertTrue(writer >= 0, "a write without the turn");
        WriteTurn.State s = outbound.state();
        assertTrue(s == WriteTurn.State.IO_WRITING || s == WriteTurn.State.SENDER_WRITING
            || s == WriteTurn.State.SENDER_WRITING_SCHEDULED, "a write in state " + s);
        int n = Math.min(src.remaining(), budget);
        if (budget != Integer.MAX_VALUE) {
          budget -= n;
        }
        byte[] bytes = new byte[n];
        src.get(bytes);
        socket.write(bytes, 0, n);
        interleave();
        return n;
      }

      /** Another thread acts while this write returns: a sender queues, the I/O thread runs a task, a close. */
      private void interleave() {
        if (nesting == 0 && forcedSends > 0) {
          forcedSends--;
          nesting++;
          try {
            send(true, false, false);
          } finally {
            nesting--;
          }
          return;
        }
        if (nesting > 0 || !interleaves || random.nextInt(3) != 0) {
          return;
        }
        nesting++;
        int holder = writer;
        try {
          int r = random.nextInt(10);
          if (r < 6) {
            send(true, random.nextBoolean(), random.nextInt(4) == 0);
          } else if (r < 8 && holder > 0) {
            runTask();
          } else if (r < 9 && holder > 0) {
            fireCork();
          } else if (holder > 0 && !closed && random.nextInt(4) == 0) {
            trace.append("\n close during a sender's write");
            lose();
          }
        } finally {
          writer = holder;
          nesting--;
        }
      }

      @Override
      public long write(ByteBuffer[] srcs) {
        throw new UnsupportedOperationException();
      }

      @Override
      public EventLoop eventLoop() {
        throw new UnsupportedOperationException();
      }

      @Override
      public InetSocketAddress localAddress() {
        return null;
      }

      @Override
      public InetSocketAddress remoteAddress() {
        return null;
      }

      @Override
      public void requestWritable() {
        throw new UnsupportedOperationException("Outbound asks through Step.REQUEST_WRITABLE");
      }

      @Override
      public void shutdownOutput() {
      }

      @Override
      public void close() {
      }

      @Override
      public void abort() {
      }

      @Override
      public boolean isOpen() {
        return true;
      }
    }
  }
}
