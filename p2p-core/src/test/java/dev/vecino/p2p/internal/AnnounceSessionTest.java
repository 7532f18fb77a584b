package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.Frames;
import dev.vecino.p2p.internal.StageFixture.RecordingObserver;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.scan.Targets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The session stage of codecs without a handshake ({@link AnnounceSession}) on an embedded
 * channel: the line and classic codecs' contract (docs/PROTOCOL.md 2, 3: announce timing,
 * greetings, refusing a framed HELLO), and a third-party codec that greets through the
 * {@link Codec} SPI alone, which a node can therefore scan.
 */
@Timeout(30)
class AnnounceSessionTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aLinePeerIsAnnouncedWhenItFirstSpeaksWhateverTheCut() {
    try (StageFixture f = new StageFixture(b -> b.codec(Codec.line()))) {
      byte[] in = bytes("hi\nthere\n");
      for (int cut = 0; cut <= in.length; cut++) {
        int registered = f.owner.registered.size();
        int messages = f.recorder.messages.size();
        Connection c = f.connection(Direction.INBOUND, null);
        EmbeddedChannel ch = f.open(c);
        assertEquals(0, ch.written().length, "a line node says nothing first");
        assertEquals(PeerState.CONNECTED, c.publicState());
        ch.feedCut(in, cut);
        assertEquals(registered + 1, f.owner.registered.size(), "announced once, cut at " + cut);
        assertEquals(List.of("hi", "there"), f.recorder.texts().subList(messages, messages + 2));
        ch.remoteClose();
      }
    }
  }

  @Test
  void aSilentConnectionIsAnnouncedOnceTheCodecsDelayPassed() {
    try (StageFixture f = new StageFixture(b -> b.codec(Codec.line()))) {
      EmbeddedChannel ch = f.open(f.connection(Direction.INBOUND, null));
      f.loop.advance(299, TimeUnit.MILLISECONDS);
      assertTrue(f.owner.registered.isEmpty(), "not before 300 ms");
      f.loop.advance(1, TimeUnit.MILLISECONDS);
      assertEquals(List.of("null"), f.owner.registered, "named after its address");
      assertTrue(ch.open);
    }
    try (StageFixture f = new StageFixture(b -> b.codec(new HailCodec(true, Duration.ofMillis(40))))) {
      f.open(f.connection(Direction.OUTBOUND, null));
      f.loop.advance(40, TimeUnit.MILLISECONDS);
      assertEquals(1, f.owner.registered.size(), "a codec says how long");
    }
  }

  @Test
  void aConnectionThatClosesBeforeAWordIsNoPeerAndNoError() {
    try (StageFixture f = new StageFixture(b -> b.codec(Codec.line()))) {
      EmbeddedChannel ch = f.open(f.connection(Direction.OUTBOUND, null));
      ch.remoteClose();
      assertTrue(f.owner.registered.isEmpty());
      assertTrue(f.owner.rejections.isEmpty(), "a probe, not a rejection");
      assertEquals(Kind.NOT_A_PEER, f.owner.connectFailures.get(0).kind());
      assertTrue(f.owner.connectFailures.get(0).detail().startsWith("closed the connection before saying anything"));
    }
  }

  @Test
  void aFramedHelloFirstIsRefusedAsAFramedNode() {
    for (Codec codec : List.of(Codec.line(), Codec.classic(), new HailCodec(true, Duration.ofMillis(300)))) {
      try (StageFixture f = new StageFixture(b -> b.codec(codec))) {
        EmbeddedChannel ch = f.open(f.connection(Direction.OUTBOUND, null));
        ch.feed(Frames.hello(PeerId.random(), "framed", PeerNode.DEFAULT_GROUP));
        assertFalse(ch.open, codec.name());
        assertTrue(f.owner.registered.isEmpty());
        assertEquals("a framed Vecino node, not a " + codec.name() + " peer (it sent a framed HELLO); use the "
            + "framed codec", f.owner.rejections.get(0).detail());
        assertEquals(Kind.NOT_A_PEER, f.owner.connectFailures.get(0).kind());
      }
    }
  }

  @Test
  void classicGreetsWhenItAcceptsAndTakesTheGreetingAsTheNameWhenItConnects() {
    try (StageFixture f = new StageFixture(b -> b.codec(Codec.classic()))) {
      EmbeddedChannel accepted = f.open(f.connection(Direction.INBOUND, null));
      assertEquals("local", new String(accepted.written(), StandardCharsets.UTF_8));

      RecordingObserver o = new RecordingObserver(TimeUnit.MILLISECONDS.toNanos(300), true);
      Connection c = f.connection(Direction.OUTBOUND, o);
      EmbeddedChannel ch = f.open(c);
      ch.feed(bytes("ana"));
      assertEquals(List.of(ScanStatus.PEER), o.verdicts);
      Hello standIn = o.hellos.get(0);
      assertEquals("ana", standIn.name());
      assertEquals(PeerRegistry.addressId(c.remoteAddress()), standIn.id(), "identity by address");
      assertEquals(List.of("ana"), f.owner.registered);
      assertTrue(o.done, "the observer lets go once the peer is registered");
      ch.feed(bytes("hola"));
      assertEquals(List.of("hola"), f.recorder.texts());
    }
  }

  @Test
  void aBannerIsNoGreetingAndAnObserverEndsTheConnectionOnIt() {
    try (StageFixture f = new StageFixture(b -> b.codec(Codec.classic()))) {
      RecordingObserver probe = new RecordingObserver(TimeUnit.MILLISECONDS.toNanos(300), false);
      EmbeddedChannel ch = f.open(f.connection(Direction.OUTBOUND, probe));
      ch.feed(bytes("SSH-2.0-OpenSSH_9.2\r\n"));
      assertEquals(List.of(ScanStatus.NOT_A_PEER), probe.verdicts);
      assertFalse(ch.open, "closed at once: no BYE on this wire");
      assertTrue(f.owner.registered.isEmpty());
    }
  }

  @Test
  void aThirdPartyCodecGreetsAndIsRecognisedThroughTheSpi() {
    try (StageFixture f = new StageFixture(b -> b.codec(new HailCodec(true, Duration.ofMillis(300))))) {
      EmbeddedChannel accepted = f.open(f.connection(Direction.INBOUND, null));
      assertEquals("HAIL local\n", new String(accepted.written(), StandardCharsets.UTF_8));

      RecordingObserver o = new RecordingObserver(TimeUnit.MILLISECONDS.toNanos(300), true);
      // The greeting is judged on the first read: here it holds the whole line, then the rest is cut.
      f.open(f.connection(Direction.OUTBOUND, o)).feedCut(bytes("HAIL bob\nhello\n"), 10, 12);
      assertEquals(List.of(ScanStatus.PEER), o.verdicts);
      assertEquals(List.of("bob"), f.owner.registered);
      assertEquals(List.of("hello"), f.recorder.texts());

      RecordingObserver stranger = new RecordingObserver(TimeUnit.MILLISECONDS.toNanos(300), false);
      EmbeddedChannel ch = f.open(f.connection(Direction.OUTBOUND, stranger));
      ch.feed(bytes("220 smtp ready\n"));
      // The codec took the line for a greeting without a name: judged when the wait ends.
      f.loop.advance(300, TimeUnit.MILLISECONDS);
      assertEquals(List.of(ScanStatus.NOT_A_PEER), stranger.verdicts);
      assertFalse(ch.open);
    }
  }

  /** Over loopback: a node using a third-party codec that greets scans and finds its peers. */
  @Test
  void aNodeWithAThirdPartyCodecThatGreetsCanScan() throws Exception {
    Codec hail = new HailCodec(true, Duration.ofMillis(300));
    try (PeerNode other = PeerNode.builder().name("other").bindAddress("127.0.0.1").codec(hail).build().start();
         PeerNode scanner = PeerNode.builder().name("scanner").bindAddress("127.0.0.1").codec(hail).build().start()) {
      ScanReport r = scanner.scan(Targets.parse("127.0.0.1"), Ports.of(other.localAddress().getPort()),
          ScanOptions.builder().timeout(Duration.ofSeconds(2)).build()).report().get(10, TimeUnit.SECONDS);
      assertEquals(List.of("other"), r.peers().stream().map(ScanResult::name).toList(), r.toString());
      dev.vecino.p2p.Await.until("the verified peer kept", () -> scanner.peers().size() == 1);
    }
    Codec mute = new HailCodec(false, Duration.ofMillis(300));
    try (PeerNode node = PeerNode.builder().name("mute").bindAddress("127.0.0.1").codec(mute).build().start()) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> node.scan(Targets.parse("127.0.0.1"), Ports.of(9)));
      assertTrue(e.getMessage().contains("neither handshakes nor greets"), e.getMessage());
    }
  }
}
