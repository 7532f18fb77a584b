package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.Frames;
import dev.vecino.p2p.internal.StageFixture.RecordingObserver;
import dev.vecino.p2p.scan.ScanStatus;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session stage of the framed codec ({@link HelloSession}) on an embedded channel, with a
 * recording owner and observer in place of the node's registry and a scan probe
 * (docs/PROTOCOL.md 1.3, 1.4).
 */
@Timeout(30)
class HelloSessionTest {

  private final StageFixture f = new StageFixture(b -> b.handshakeTimeout(Duration.ofSeconds(5)));

  @AfterEach
  void close() {
    f.close();
  }

  private static byte[] hello(PeerId id, int min, int max, String group) {
    return Frames.frame(FrameType.HELLO, new Hello(min, max, id, 0, "other", group, List.of()).encode());
  }

  @Test
  void theAcceptorSpeaksFirstAndAValidHelloCutAnywhereGoesToTheOwner() {
    byte[] in = Frames.concat(hello(PeerId.random(), 1, 1, PeerNode.DEFAULT_GROUP), Frames.text("after"));
    for (int cut = 0; cut <= in.length; cut++) {
      int before = f.owner.hellos.size();
      Connection c = f.connection(Direction.INBOUND, null);
      EmbeddedChannel ch = f.open(c);
      assertEquals(List.of(FrameType.HELLO), Frames.types(ch.written()), "the acceptor's HELLO, at once");
      assertEquals(PeerState.HANDSHAKING, c.publicState());
      ch.feedCut(in, cut);
      assertEquals(before + 1, f.owner.hellos.size(), "cut at " + cut);
      assertEquals(PeerState.CONNECTED, c.publicState());
      assertEquals("after", f.recorder.messages.get(f.recorder.messages.size() - 1).text(), "cut at " + cut);
      ch.remoteClose();
    }
  }

  @Test
  void theInitiatorWaitsForTheAcceptorsHelloThenAnswers() {
    Connection c = f.connection(Direction.OUTBOUND, null);
    EmbeddedChannel ch = f.open(c);
    assertEquals(0, ch.written().length, "the initiator says nothing first");
    ch.feed(hello(PeerId.random(), 1, 1, PeerNode.DEFAULT_GROUP));
    assertEquals(List.of(FrameType.HELLO), Frames.types(ch.written()), "answered once accepted");
  }

  @Test
  void eachRefusedHelloIsReportedToTheObserverThenRefusedWithABye() {
    PeerId self = f.node.identity().id();
    record Case(byte[] hello, ScanStatus verdict, Kind kind) {}
    List<Case> cases = List.of(
        new Case(hello(PeerId.random(), 7, 9, PeerNode.DEFAULT_GROUP), ScanStatus.INCOMPATIBLE, Kind.VERSION_UNSUPPORTED),
        new Case(hello(self, 1, 1, PeerNode.DEFAULT_GROUP), ScanStatus.SELF, Kind.SELF_CONNECTION),
        new Case(hello(PeerId.random(), 1, 1, "elsewhere"), ScanStatus.OTHER_GROUP, Kind.OTHER_GROUP));
    for (Case k : cases) {
      RecordingObserver o = new RecordingObserver(TimeUnit.SECONDS.toNanos(5), true);
      Connection c = f.connection(Direction.OUTBOUND, o);
      EmbeddedChannel ch = f.open(c);
      ch.feed(k.hello());
      assertEquals(List.of(k.verdict()), o.verdicts);
      assertEquals(k.kind(), o.rejections.get(0).kind(), o.rejections.toString());
      assertEquals(List.of(FrameType.BYE), Frames.types(ch.written()), "refused with a BYE saying why");
      assertTrue(ch.outputShut);
      assertTrue(f.owner.hellos.isEmpty(), "never reaches the owner");
      ch.remoteClose();
      assertTrue(o.closedEarly);
    }
  }

  @Test
  void anObserverThatEndsTheSessionSaysByeAndLetsTheOtherSideCloseFirst() {
    RecordingObserver probe = new RecordingObserver(TimeUnit.MILLISECONDS.toNanos(500), false);
    Connection c = f.connection(Direction.OUTBOUND, probe);
    EmbeddedChannel ch = f.open(c);
    ch.feed(hello(PeerId.random(), 1, 1, PeerNode.DEFAULT_GROUP));
    assertEquals(List.of(ScanStatus.PEER), probe.verdicts);
    assertEquals(List.of(FrameType.BYE), Frames.types(ch.written()));
    assertFalse(ch.outputShut, "no half-close: the TIME_WAIT lands on the other side");
    assertTrue(f.owner.hellos.isEmpty());
    assertTrue(f.owner.rejections.isEmpty(), "a probe's refusals are not the node's");
    f.loop.advance(2, TimeUnit.MILLISECONDS);
    assertFalse(ch.open, "closed after its linger");
  }

  @Test
  void anythingButAHelloFirstIsAStrangerRefusedWithoutABye() {
    byte[] big = Frames.frame(FrameType.TEXT, new byte[5000]);
    for (byte[] first : List.of(Frames.text("hi"), "GET / HTTP/1.1\r\n\r\n".getBytes(), big)) {
      Connection c = f.connection(Direction.OUTBOUND, null);
      EmbeddedChannel ch = f.open(c);
      // A frame longer than any HELLO is refused on its header, before its body arrives.
      ch.feed(first, 0, Math.min(first.length, 64));
      assertFalse(ch.open);
      assertEquals(0, ch.written().length, "no BYE to a stranger");
      assertEquals(Kind.NOT_A_PEER, f.owner.rejections.get(f.owner.rejections.size() - 1).kind());
      assertEquals(Kind.NOT_A_PEER, f.owner.connectFailures.get(f.owner.connectFailures.size() - 1).kind());
    }
  }

  @Test
  void noHelloWithinTheObserversWaitIsATimeout() {
    RecordingObserver o = new RecordingObserver(TimeUnit.MILLISECONDS.toNanos(250), true);
    Connection c = f.connection(Direction.OUTBOUND, o);
    EmbeddedChannel ch = f.open(c);
    f.loop.advance(249, TimeUnit.MILLISECONDS);
    assertTrue(ch.open);
    f.loop.advance(1, TimeUnit.MILLISECONDS);
    assertFalse(ch.open);
    assertEquals(Kind.HANDSHAKE_TIMEOUT, o.rejections.get(0).kind());
    assertEquals("no HELLO within 250 ms", o.rejections.get(0).detail());
  }

  @Test
  void aHeldHandshakeKeepsWhatArrivesAndHandsItOnOnceAccepted() {
    f.owner.accept = false;
    Connection c = f.connection(Direction.INBOUND, null);
    EmbeddedChannel ch = f.open(c);
    PeerId id = PeerId.random();
    ch.feed(hello(id, 1, 1, PeerNode.DEFAULT_GROUP));
    c.hold();
    assertTrue(c.isHeld());
    assertTrue(ch.readPaused, "reading pauses while held");
    // Frames the peer sent right after its HELLO, read before the pause took effect.
    ch.feed(Frames.concat(Frames.text("one"), Frames.frame(FrameType.BINARY, new byte[6000]), Frames.text("two")));
    assertTrue(f.recorder.messages.isEmpty(), "kept, not delivered");
    c.acceptHeld(new PeerHandle(f.node, id, "other", 0, 1, c), false);
    c.finishHandshake();
    c.replayHeld();
    assertEquals(List.of("one", "two"), f.recorder.texts(dev.vecino.p2p.MessageKind.TEXT));
    assertEquals(3, f.recorder.messages.size());
    assertEquals(PeerState.CONNECTED, c.publicState());
  }

  @Test
  void aByeDuringTheHandshakeEndsItQuietly() {
    Connection c = f.connection(Direction.OUTBOUND, null);
    EmbeddedChannel ch = f.open(c);
    byte[] bye = Frames.frame(FrameType.BYE, ByteBuffer.allocate(6).put((byte) 3).put("grp".getBytes()).array());
    ch.feed(bye);
    assertFalse(ch.open);
    assertEquals(Kind.OTHER_GROUP, f.owner.rejections.get(0).kind(), "the other side refused our group");
    assertEquals(Kind.OTHER_GROUP, f.owner.connectFailures.get(0).kind());
  }
}
