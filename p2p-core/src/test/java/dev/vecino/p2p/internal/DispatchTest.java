package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.Frames;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dispatch stage ({@link Dispatch}) of an established framed connection on an embedded
 * channel: messages to the listeners, PING answered, BYE closes (after the messages read before
 * it, and dropping what follows it), a HELLO after the handshake is a protocol error.
 */
@Timeout(30)
class DispatchTest {

  private final StageFixture f = new StageFixture(b -> b);
  private Connection c;
  private EmbeddedChannel ch;
  private int afterHandshake;

  @BeforeEach
  void establish() {
    c = f.connection(Direction.INBOUND, null);
    ch = f.open(c);
    ch.feed(Frames.hello(PeerId.random(), "peer", PeerNode.DEFAULT_GROUP));
    afterHandshake = ch.written().length;
  }

  @AfterEach
  void close() {
    f.close();
  }

  private static byte[] bye(int code, String text) {
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    return Frames.frame(FrameType.BYE, ByteBuffer.allocate(1 + t.length).put((byte) code).put(t).array());
  }

  @Test
  void messagesCutAnywhereReachTheListenersInOrder() {
    byte[] in = Frames.concat(Frames.text("uno"), Frames.frame(FrameType.CALL, "dos".getBytes()),
        Frames.frame(FrameType.BINARY, new byte[3000]), Frames.text("tres"));
    ch.feedCut(in, 2, 9, 20, 1500);
    assertEquals(List.of(MessageKind.TEXT, MessageKind.CALL, MessageKind.BINARY, MessageKind.TEXT),
        f.recorder.messages.stream().map(m -> m.kind()).toList());
    assertEquals("tres", f.recorder.messages.get(3).text());
    assertEquals(4, c.messagesIn());
  }

  @Test
  void aPingIsAnsweredWithAPongCarryingItsBody() {
    ch.feed(Frames.frame(FrameType.PING, new byte[] {4, 2}));
    List<Frames.Frame> out = Frames.parse(ch.writtenFrom(afterHandshake));
    assertEquals(1, out.size());
    assertEquals(FrameType.PONG, out.get(0).type());
    assertArrayEquals(new byte[] {4, 2}, out.get(0).body());
  }

  @Test
  void aByeClosesAfterTheMessagesBeforeItAndDropsWhatFollows() {
    ch.feed(Frames.concat(Frames.text("before"), bye(0, "see you"), Frames.text("after")));
    assertEquals(List.of("before"), f.recorder.texts());
    assertFalse(ch.open);
    assertEquals(Kind.CLOSED_BY_PEER, f.owner.closes.get(0).kind());
    assertEquals("see you", f.owner.closes.get(0).detail());
  }

  @Test
  void aByeThatKeptTheOtherConnectionIsAnsweredWithOurQueueAndBye() {
    ch.feed(bye(1, Bye.SIMULTANEOUS_CONNECT));
    assertTrue(c.remoteKeptOther);
    assertEquals(List.of(FrameType.BYE), Frames.types(ch.writtenFrom(afterHandshake)), "our BYE answers");
    assertTrue(ch.outputShut);
    assertFalse(ch.readPaused, "reading resumed once our output is shut, to see the peer's close");
    assertTrue(ch.open, "the peer closes first");
  }

  @Test
  void aHelloAfterTheHandshakeIsAProtocolError() {
    ch.feed(Frames.hello(PeerId.random(), "again", PeerNode.DEFAULT_GROUP));
    List<Frames.Frame> out = Frames.parse(ch.writtenFrom(afterHandshake));
    assertEquals(List.of(FrameType.BYE), out.stream().map(Frames.Frame::type).toList());
    assertEquals(5, out.get(0).body()[0], "reason code 5: protocol error");
    ch.remoteClose();
    assertEquals(Kind.PROTOCOL_ERROR, f.owner.closes.get(0).kind());
  }
}
