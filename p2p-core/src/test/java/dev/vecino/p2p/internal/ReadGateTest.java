package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.Frames;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-turn budget of frames ({@link ReadGate}) on an established framed connection over an
 * embedded channel: reads go to the connection as the transport hands them over (without
 * running the loop's tasks), and {@link dev.vecino.p2p.embedded.EmbeddedEventLoop#runTurn}
 * plays the loop's next turns. A turn decodes its budget and the rest of the codec's window in
 * which the budget ran out: at most {@link #OVER} frames more.
 */
@Timeout(30)
class ReadGateTest {

  private static final int BUDGET = ReadGate.FRAMES_PER_TURN;
  /** The most frames one window holds: the smallest framed frame has 5 bytes. */
  private static final int OVER = FrameReader.WINDOW / 5;

  private final StageFixture f = new StageFixture(b -> b);
  private Connection c;
  private EmbeddedChannel ch;
  private int next;

  @BeforeEach
  void establish() {
    c = f.connection(Direction.INBOUND, null);
    ch = f.open(c);
    ch.feed(Frames.hello(PeerId.random(), "peer", PeerNode.DEFAULT_GROUP));
    assertEquals(1, f.owner.hellos.size(), "established");
  }

  @AfterEach
  void close() {
    f.close();
  }

  /** The next {@code n} numbered messages, as one stream. */
  private byte[] texts(int n) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      b.writeBytes(Frames.text(Integer.toString(next++)));
    }
    return b.toByteArray();
  }

  /** One read from the transport, in a buffer that is the transport's again once it returns. */
  private void read(byte[] bytes) {
    ByteBuffer b = ByteBuffer.allocate(bytes.length).put(bytes).flip();
    c.onRead(b);
    b.clear().put(new byte[b.capacity()]);
  }

  /** One turn's frames arrived since {@code before} frames had: the budget, and at most a window more. */
  private int assertOneTurn(int before, String what) {
    int n = f.recorder.messages.size();
    assertTrue(n - before >= BUDGET && n - before <= BUDGET + OVER, what + ": " + (n - before) + " frames");
    return n;
  }

  private void assertReceivedInOrder(int n) {
    assertEquals(IntStream.range(0, n).mapToObj(Integer::toString).toList(), f.recorder.texts());
  }

  @Test
  void decodesAtMostATurnsFramesAndReadsTheChannelAgainOnceTheRestIsDecoded() {
    read(texts(3 * BUDGET));
    int first = assertOneTurn(0, "one turn's frames");
    assertTrue(ch.readPaused, "the channel waits while frames are left");
    assertFalse(c.readingPaused(), "a yield is not the connection's pause: silence is not ours");
    f.loop.runTurn();
    assertOneTurn(first, "the next turn's");
    assertTrue(ch.readPaused);
    f.loop.runTurn();
    assertReceivedInOrder(3 * BUDGET);
    assertFalse(ch.readPaused, "nothing left: the channel is read again");
    f.loop.runTurn();
    assertEquals(0, f.loop.pendingTasks(), "a quiet connection queues no turns");
  }

  @Test
  void theBudgetIsPerTurnNotPerRead() {
    read(texts(BUDGET / 2));
    read(texts(BUDGET / 2 + OVER + 10));
    assertOneTurn(0, "the turn's second read spent the budget");
    assertTrue(ch.readPaused);
    f.loop.runTurn();
    assertReceivedInOrder(BUDGET + OVER + 10);
    assertFalse(ch.readPaused);
    f.loop.runTurn();
    read(texts(BUDGET - OVER));
    assertReceivedInOrder(2 * BUDGET + 10);
    assertFalse(ch.readPaused, "the next turn has a whole budget");
  }

  @Test
  void aPartialFrameAtTheEndOfTheRestCompletesWithTheNextRead() {
    byte[] more = texts(BUDGET + OVER + 20);
    byte[] last = texts(1);
    read(Frames.concat(more, Arrays.copyOf(last, 3)));
    assertTrue(ch.readPaused);
    f.loop.runTurn();
    assertFalse(ch.readPaused, "only a partial frame is left: the channel is read for its rest");
    read(Arrays.copyOfRange(last, 3, last.length));
    assertReceivedInOrder(BUDGET + OVER + 21);
  }

  @Test
  void aPauseByTheConnectionDuringAYieldHoldsTheRestUntilItResumes() {
    read(texts(BUDGET + OVER + 10));
    int first = assertOneTurn(0, "one turn's frames");
    c.pauseReading(true);
    f.loop.runTurn();
    assertEquals(first, f.recorder.messages.size(), "nothing is decoded for a paused connection");
    assertTrue(ch.readPaused);
    c.pauseReading(false);
    assertTrue(ch.readPaused, "the rest goes first, on the loop: the channel waits for it");
    assertEquals(first, f.recorder.messages.size(), "not inside the caller of the resume");
    f.loop.runTurn();
    assertReceivedInOrder(BUDGET + OVER + 10);
    assertFalse(ch.readPaused);
  }

  @Test
  void aPauseBeforeTheNextTurnKeepsTheRestWaitingAgain() {
    c.pauseReading(true);
    read(texts(BUDGET + OVER + 10));
    int first = assertOneTurn(0, "a read before the pause took effect is decoded up to the budget");
    c.pauseReading(false);
    c.pauseReading(true);
    f.loop.runTurn();
    assertEquals(first, f.recorder.messages.size(), "paused again before the turn");
    assertTrue(ch.readPaused);
    c.pauseReading(false);
    f.loop.runTasks();
    assertReceivedInOrder(BUDGET + OVER + 10);
    assertFalse(ch.readPaused);
  }

  @Test
  void aByeInTheRestClosesAndDropsWhatFollowsIt() {
    byte[] before = texts(BUDGET + OVER + 5);
    read(Frames.concat(before, Frames.bye("done"), texts(5)));
    assertTrue(ch.open, "the BYE is in the rest");
    f.loop.runTurn();
    assertReceivedInOrder(BUDGET + OVER + 5);
    assertFalse(ch.open, "the peer's BYE closed the connection");
    assertEquals(Kind.CLOSED_BY_PEER, f.owner.closes.get(0).kind());
    f.loop.runTasks();
    assertEquals(BUDGET + OVER + 5, f.recorder.messages.size());
  }

  @Test
  void pingsCountLikeMessages() {
    byte[] pings = Frames.concat(IntStream.range(0, BUDGET + OVER + 1)
        .mapToObj(i -> Frames.frame(FrameType.PING, new byte[0])).toArray(byte[][]::new));
    read(Frames.concat(pings, texts(1)));
    assertTrue(ch.readPaused, "the turn's budget went to PINGs");
    assertTrue(f.recorder.messages.isEmpty());
    f.loop.runTurn();
    assertEquals(List.of("0"), f.recorder.texts());
    assertFalse(ch.readPaused);
  }
}
