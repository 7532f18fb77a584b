package dev.vecino.p2p.internal;

import dev.vecino.p2p.transport.Channel;
import java.nio.ByteBuffer;

/**
 * Decides, for one {@link Connection}, when its channel is read, and hands each read to its
 * {@link FrameReader} with a budget of {@link #FRAMES_PER_TURN} frames per loop turn. Two
 * reasons keep the channel paused, each with its own flag, and reading goes on only when
 * neither is left:
 *
 * <ul>
 *   <li>{@code paused}: the connection asked ({@link Connection#pauseReading}: inbound back
 *       pressure, a held handshake, a BYE being answered). What a read brought before the
 *       pause is decoded as before; what a spent budget left waits until it resumes.
 *   <li>{@code yielded}: this turn's budget is spent with bytes of a read left: they wait in
 *       the reader's backlog. The transport bounds a pass by bytes (16 reads of 256 KiB); a
 *       frame's cost does not shrink with its size, so a peer sending tiny frames would
 *       otherwise buy a whole pass of decoding and dispatch (838,860 five-byte PINGs in 4
 *       MiB: 100 to 250 ms on a loaded 2-core machine) while the loop's other channels wait.
 *       The backlog is decoded on the next turns, after the loop's other channels had theirs,
 *       and the channel is read again once it is empty: the end of stream cannot overtake it.
 * </ul>
 *
 * <p>The gate sits above the byte stages, so on a secure connection it counts the frames the
 * {@link TlsStage} decrypted (whose own {@link TlsReadGate} counts records): 256 full records
 * of empty PINGs hold 838,860 frames. To the TLS stage a yield is the connection's pause. A yield
 * lasts a turn or a few (the backlog is at most one read), so it is not a pause to {@link
 * Liveness}: silence while the connection is paused is ours, a yield is not silence.
 *
 * <h2>Design and hazards</h2>
 * <table>
 * <caption>State: who owns it</caption>
 * <tr><th>state</th><th>owner</th></tr>
 * <tr><td>{@code paused}, {@code yielded}, {@code turnQueued}, {@code turnFrames}, the
 * channel's pause</td><td>the connection's I/O thread, like every method here</td></tr>
 * <tr><td>the bytes a yield left</td><td>the {@link FrameReader}'s backlog, on the same
 * thread</td></tr>
 * </table>
 * <p>Invariants: (1) once open, the channel is paused exactly while {@code paused} or {@code
 * yielded} holds; (2) bytes wait in the reader's backlog only while {@code yielded} holds, which
 * ends at the first turn that finds the backlog empty; (3) a turn starts with a task
 * the loop runs after that turn's I/O, queued by the turn's first decoded frames (or by a
 * resume that finds a backlog), so counting allocates nothing, and a quiet connection queues
 * no task.
 */
final class ReadGate implements FrameReader.Budget {

  /**
   * Frames decoded per connection and loop turn (and the rest of the {@link FrameReader#WINDOW}
   * in which the budget ran out: at most 409 framed frames more), so one connection's frames
   * cannot starve the loop's others. A turn of the cheapest frames took 0.2 ms at the median for
   * empty PINGs and 0.4 ms for empty messages on a loaded 2-core machine (16,384 took 1.4 ms);
   * 4,096 messages of 64 bytes are 270 KiB, more than one read of the transport, and a turn's
   * fixed cost (a task, a pause and a resume of the channel) is lost in theirs.
   */
  static final int FRAMES_PER_TURN = 4096;

  private final FrameReader reader;
  private final Dispatch dispatch;
  private final Runnable nextTurn = this::nextTurn;
  /** The connection's channel, once open; null before. */
  private Channel channel;
  private boolean paused;
  private boolean yielded;
  /** The next turn's task is queued. */
  private boolean turnQueued;
  /** Frames decoded in this loop turn; {@link #nextTurn} sets it back to 0. */
  private int turnFrames;

  ReadGate(FrameReader.Host host, int maxFrameSize, Dispatch dispatch) {
    this.reader = new FrameReader(host, maxFrameSize, this);
    this.dispatch = dispatch;
  }

  /** The connection's codec stage, which this gate feeds. */
  FrameReader reader() {
    return reader;
  }

  /** The connection opened on {@code channel}. */
  void open(Channel channel) {
    this.channel = channel;
  }

  /** Whether the connection paused reading (a yield is not a pause). */
  boolean connectionPaused() {
    return paused;
  }

  /** A read from the channel: decoded as far as the budget goes; its messages go to the callback executor as one event. */
  void read(ByteBuffer data) {
    dispatch.readBytes = data.remaining();
    try {
      reader.read(data);
    } finally {
      dispatch.flushInbound();
    }
  }

  /** The connection's {@code pauseReading}. */
  void pauseReading(boolean pause) {
    boolean resumed = paused && !pause;
    paused = pause;
    if (channel == null) {
      return;
    }
    if (!yielded) {
      channel.pauseReading(pause);
    } else if (resumed) {
      // What a yield left goes first: the next turn decodes it, then reads again.
      queueTurn();
    }
  }

  @Override
  public boolean mayDecode() {
    if (turnFrames < FRAMES_PER_TURN) {
      return true;
    }
    if (!yielded) {
      yielded = true;
      if (!paused) {
        channel.pauseReading(true);
      }
    }
    return false;
  }

  @Override
  public void decoded(int frames) {
    if (frames > 0) {
      turnFrames += frames;
      queueTurn();
    }
  }

  private void queueTurn() {
    if (!turnQueued) {
      turnQueued = true;
      channel.eventLoop().execute(nextTurn);
    }
  }

  /** A new loop turn: the budget is whole again, and what a yield left is decoded. */
  private void nextTurn() {
    turnQueued = false;
    turnFrames = 0;
    if (!yielded) {
      reader.dropBacklog();
      return;
    }
    if (paused) {
      return; // pauseReading(false) queues the turn that goes on
    }
    if (channel.isOpen()) {
      dispatch.readBytes = reader.backlogBytes();
      try {
        reader.readBacklog();
      } finally {
        dispatch.flushInbound();
      }
    }
    if (!reader.hasBacklog()) {
      yielded = false;
      if (!paused && channel.isOpen()) {
        channel.pauseReading(false);
      }
    }
  }
}
