package dev.vecino.p2p.classic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Await;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.Recorder;
import dev.vecino.p2p.SelfConnectionException;
import dev.vecino.p2p.codec.ClassicCodec;
import dev.vecino.p2p.codec.Codec;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Vecino in classic mode against {@link ClassicPeer}, both directions, on loopback. */
@Timeout(60)
class ClassicInteropTest {

  private static PeerNode node(Recorder r) {
    return PeerNode.builder().name("ana").bindAddress("127.0.0.1").codec(Codec.classic())
        .listener(r).build().start();
  }

  @Test
  void vecinoConnectsAndShowsTheGreetingAsThePeersName() throws Exception {
    Recorder r = new Recorder();
    try (ClassicPeer classic = new ClassicPeer().serve(); PeerNode ana = node(r)) {
      Peer p = ana.connect(classic.address()).get(5, TimeUnit.SECONDS);
      assertEquals("Vecino_1", p.name(), "the original names us by our last octet");
      ana.send(p, "qué tal, José").get(5, TimeUnit.SECONDS);
      Await.until("classic got the text", () -> classic.allText().equals("qué tal, José"));
      ClassicPeer.Conn c = classic.events().get(0).from();
      c.send("¡hola, Ana! ñandú");
      Await.until("ana got the text", () -> r.allText().equals("¡hola, Ana! ñandú"));
      assertEquals("Vecino_1", r.messages.get(0).sender().name());
      assertEquals(MessageKind.TEXT, r.messages.get(0).kind());
      assertEquals(1, r.connected.size());
    }
  }

  @Test
  void classicConnectsManuallyAndReadsOurGreeting() throws Exception {
    Recorder r = new Recorder();
    try (ClassicPeer classic = new ClassicPeer(); PeerNode ana = node(r)) {
      ClassicPeer.Conn c = classic.connect(ana.localAddress());
      assertEquals("ana", c.greeting);
      c.send("buenas tardes");
      Await.until("ana got it", () -> r.allText().equals("buenas tardes"));
      Peer p = r.messages.get(0).sender();
      ana.send(p, "igualmente").get(5, TimeUnit.SECONDS);
      Await.until("classic got the answer", () -> classic.allText().equals("igualmente"));
    }
  }

  @Test
  void scanProbeIsQuietAndNamesArriveAsMessages() throws Exception {
    Recorder r = new Recorder();
    try (ClassicPeer classic = new ClassicPeer(); PeerNode ana = node(r)) {
      ClassicPeer.Conn c = classic.scanConnect(ana.localAddress());
      Await.until("the scan's name arrives as a message", () -> r.allText().equals("Vecino 1"));
      Await.until("our greeting arrives as a message", () -> classic.allText().startsWith("ana"));
      c.send("hola");
      Await.until("then text", () -> r.allText().equals("Vecino 1hola") || r.messages.size() == 2);
      assertEquals(1, r.connected.size(), "the probe is not a peer: " + r.connected);
      assertEquals(0, r.disconnected.size(), "and no disconnect is reported for it");
      Await.until("probe connection gone", () -> ana.stats().handshaking() == 0
          && ana.peers().size() == 1);
    }
  }

  @Test
  void probesAloneNeverShowUpAsPeers() throws Exception {
    Recorder r = new Recorder();
    try (ClassicPeer classic = new ClassicPeer(); PeerNode ana = node(r)) {
      for (int i = 0; i < 5; i++) {
        classic.probe(ana.localAddress());
      }
      // A real connection afterwards: once it is announced, the probes (older) are long done.
      ClassicPeer.Conn c = classic.connect(ana.localAddress());
      c.send("sí");
      Await.until("the real one", () -> r.messages.size() == 1);
      assertEquals(1, r.connected.size(), "probes announced: " + r.connected);
      assertEquals(0, r.disconnected.size());
    }
  }

  @Test
  void callsTravelBothWaysInTwoParts() throws Exception {
    Recorder r = new Recorder();
    try (ClassicPeer classic = new ClassicPeer().serve(); PeerNode ana = node(r)) {
      Peer p = ana.connect(classic.address()).get(5, TimeUnit.SECONDS);
      ana.call(p, "¿comemos?").get(5, TimeUnit.SECONDS);
      Await.until("classic saw a call", () -> classic.events().stream().anyMatch(ClassicPeer.Event::call));
      Await.until("with its text", () -> classic.allText()
          .equals("Estás siendo llamado desde 127.0.0.1¿comemos?"));
      ClassicPeer.Conn c = classic.events().get(0).from();
      c.call("127.0.0.1", "¡sí, baja!");
      Await.until("ana saw a call", () -> r.texts(MessageKind.CALL).equals(java.util.List.of("¡sí, baja!")));
      c.send("ya voy");
      Await.until("then a normal message", () -> r.texts(MessageKind.TEXT).equals(java.util.List.of("ya voy")));
    }
  }

  @Test
  void longMessagesArriveInChunksOfAtMost1024Bytes() throws Exception {
    Recorder r = new Recorder();
    String longText = "áéíóú ñ ".repeat(300); // 3,900 bytes, accents on every boundary
    try (ClassicPeer classic = new ClassicPeer().serve(); PeerNode ana = node(r)) {
      Peer p = ana.connect(classic.address()).get(5, TimeUnit.SECONDS);
      ClassicPeer.Conn c = classic.events().isEmpty() ? null : classic.events().get(0).from();
      ana.send(p, longText).get(5, TimeUnit.SECONDS);
      Await.until("classic got all of it", () -> classic.allText().equals(longText));
      assertTrue(classic.events().size() >= 4, "1024-byte reads: " + classic.events().size());
      c = classic.events().get(0).from();
      c.send(longText);
      Await.until("ana got all of it", () -> r.allText().equals(longText));
      assertTrue(r.messages.size() >= 4, "several messages: " + r.messages.size());
      r.messages.forEach(m -> assertTrue(m.size() <= ClassicCodec.CHUNK_SIZE));
      r.messages.forEach(m -> assertTrue(!m.text().contains("\uFFFD"), "no broken characters"));
    }
  }

  @Test
  void neverConnectsToItsOwnListeningAddress() throws Exception {
    Recorder r = new Recorder();
    try (PeerNode ana = node(r)) {
      InetSocketAddress self = ana.localAddress();
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> ana.connect(self).get(5, TimeUnit.SECONDS));
      assertInstanceOf(SelfConnectionException.class, e.getCause());
      assertThrows(ExecutionException.class,
          () -> ana.connect("127.0.0.1", self.getPort()).get(5, TimeUnit.SECONDS));
      assertEquals(0, r.connected.size());
      assertEquals(0, ana.stats().accepted());
    }
  }

  @Test
  void twoVecinoNodesTalkClassicToo() throws Exception {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    try (PeerNode ana = node(ra);
         PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1").codec(Codec.classic())
             .listener(rb).build().start()) {
      Peer toBob = ana.connect(bob.localAddress()).get(5, TimeUnit.SECONDS);
      assertEquals("bob", toBob.name());
      ana.call(toBob, "ring").get(5, TimeUnit.SECONDS);
      Await.until("bob got the call", () -> rb.texts(MessageKind.CALL).equals(java.util.List.of("ring")));
    }
  }
}
