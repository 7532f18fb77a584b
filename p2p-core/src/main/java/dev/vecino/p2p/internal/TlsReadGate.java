package dev.vecino.p2p.internal;

/**
 * Decides, for one {@link TlsStage}, when its socket is read. Three reasons keep it paused,
 * each with its own flag, and reading goes on only when none is left:
 *
 * <ul>
 *   <li>{@code paused}: the connection asked (inbound back pressure, a held handshake, or its
 *       {@link ReadGate}'s spent budget of frames). Records read before the pause go up before
 *       the socket is read again, so its end of stream cannot overtake them.
 *   <li>{@code yielded}: this loop turn's budget of {@link #RECORDS_PER_TURN} unwrapped
 *       records is spent with records still buffered. The transport bounds a pass by bytes; a
 *       record's cost does not shrink with its size, so a peer sending tiny records would
 *       otherwise buy a whole pass of decryption (180,000 records in 4 MiB). The rest is
 *       unwrapped on the next turns, after the loop's other channels had theirs.
 *   <li>{@code heldForEof}: the peer's close_notify came, or this stage began to close, while
 *       the writer held records counted as written. The transport closes the socket when it
 *       reads the end of stream that follows, and the records would die with it; they go out
 *       first. (A closing stage drops what it reads without unwrapping it, so it would not see
 *       the close_notify before the end of stream: a receiver's BYE read in one pass and its
 *       close_notify and FIN in the next lost the sender's last records that way.)
 * </ul>
 *
 * <h2>Design and hazards</h2>
 * <table>
 * <caption>State: who owns it</caption>
 * <tr><th>state</th><th>owner</th></tr>
 * <tr><td>{@code paused}, {@code yielded}, {@code heldForEof}, {@code turnRecords}</td>
 * <td>the stage's I/O thread, like every method here</td></tr>
 * </table>
 * <p>Invariants: (1) the socket is read only when no flag is set, except while the stage
 * closes, when the connection's pause no longer counts (the peer's last records are read and
 * dropped); (2) a turn starts with a task the loop runs after that turn's I/O, queued by the
 * turn's first unwrap, so counting allocates nothing.
 */
final class TlsReadGate {

  /**
   * Records unwrapped per loop turn, so one connection's records cannot starve the loop's
   * others: at the largest record size (16 KiB) as much as the transport reads per channel and
   * pass (16 x 256 KiB), while a flood of small records costs a turn a fraction of a
   * millisecond instead of one decryption per record in 4 MiB.
   */
  static final int RECORDS_PER_TURN = 256;

  private final TlsStage stage;
  private final Runnable nextTurn = this::nextTurn;
  private boolean paused;
  private boolean yielded;
  private boolean heldForEof;
  /** Records unwrapped in this loop turn; {@link #nextTurn} sets it back to 0. */
  private int turnRecords;

  TlsReadGate(TlsStage stage) {
    this.stage = stage;
  }

  /** Whether the connection paused reading. */
  boolean connectionPaused() {
    return paused;
  }

  /**
   * Before each unwrap: whether another record fits this turn. When none does, reading pauses
   * until the next turn goes on with what is buffered.
   */
  boolean mayUnwrap() {
    if (turnRecords < RECORDS_PER_TURN) {
      return true;
    }
    if (!yielded) {
      yielded = true;
      stage.downstream.pauseReading(true);
    }
    return false;
  }

  /** After each unwrap: one that took bytes counts, and the turn's first queues the next turn. */
  void unwrapped(int bytesConsumed) {
    if (bytesConsumed > 0 && turnRecords++ == 0) {
      stage.downstream.eventLoop().execute(nextTurn);
    }
  }

  /** The peer's close_notify arrived: reading waits for the records the writer holds, if any. */
  void closeNotified(boolean writerHolding) {
    if (!heldForEof && writerHolding) {
      heldForEof = true;
      stage.downstream.pauseReading(true);
      stage.downstream.requestWritable();
    }
  }

  /** The writer's held records are out: the end of stream may be read, unless another flag holds. */
  void recordsOut(boolean closing) {
    if (heldForEof) {
      heldForEof = false;
      if ((!paused && !yielded) || closing) {
        stage.downstream.pauseReading(false);
      }
    }
  }

  /**
   * The stage closes: it reads (and drops) the peer's last records, unless the end of stream
   * must wait for records the writer holds. A closing stage drops what it reads unread, so it
   * would not see a close_notify; the transport would close the socket on the end of stream
   * that follows it, and the held records, counted as written, would die with it.
   */
  void closing(boolean writerHolding) {
    heldForEof |= writerHolding;
    stage.downstream.pauseReading(heldForEof);
  }

  /** The connection's {@code pauseReading}. */
  void pauseReading(boolean pause) {
    boolean resumed = paused && !pause;
    paused = pause;
    if (heldForEof || yielded) {
      return; // recordsOut or nextTurn reads again, unless paused
    }
    if (stage.isClosing()) {
      // Invariant (1): a closing stage reads (and drops) the peer's last records whatever the
      // connection asks, so its end of stream comes and the socket closes without a reset.
      return;
    }
    if (!resumed || !stage.inputBuffered()) {
      stage.downstream.pauseReading(pause);
      return;
    }
    // Records read before the pause go up first, on the loop once the caller is done.
    stage.downstream.eventLoop().execute(() -> {
      if (paused || stage.inputDropped()) {
        return;
      }
      if (stage.unwrapping()) {
        stage.unwrapBuffered();
      }
      resumeIfFree();
    });
  }

  /** A new loop turn: the budget is whole again, and records left by a yield are unwrapped. */
  private void nextTurn() {
    turnRecords = 0;
    if (!yielded) {
      return;
    }
    yielded = false;
    if (stage.inputDropped() || stage.isClosing() || !stage.unwrapping()) {
      return; // closed or failed; a close reads (and drops) on its own
    }
    stage.unwrapBuffered();
    resumeIfFree();
  }

  private void resumeIfFree() {
    if (!paused && !yielded && !heldForEof && !stage.inputDropped()) {
      stage.downstream.pauseReading(false);
    }
  }
}
