package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.internal.Bye;
import dev.vecino.p2p.internal.Hello;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.scan.Targets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Secure nodes: TLS 1.3 between nodes whose ids are their keys, and what plaintext nodes see of them. */
@Timeout(120)
class SecureNodesTest {

  private static PeerNodeBuilder secure(String name) {
    return Nodes.local(name).plaintext(false);
  }

  private static Throwable failure(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void secureNodesTalkUnderIdsTheirKeysProve() throws Exception {
    NodeKey ka = NodeKey.generate();
    NodeKey kb = NodeKey.generate();
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    try (PeerNode a = secure("ana").key(ka).listener(ra).build().start();
         PeerNode b = secure("bob").key(kb).listener(rb).build().start()) {
      assertEquals(ka.id(), a.identity().id());
      Peer toA = b.connect(a.localAddress()).get(10, TimeUnit.SECONDS);
      assertEquals(ka.id(), toA.id());
      assertEquals("ana", toA.name());
      Await.until("ana sees bob", () -> ra.connected.size() == 1);
      assertEquals(kb.id(), ra.connected.get(0).id());
      b.send(toA, "hola ana").get(10, TimeUnit.SECONDS);
      a.send(ra.connected.get(0), "hola bob").get(10, TimeUnit.SECONDS);
      Await.until("both messages", () -> ra.texts().contains("hola ana") && rb.texts().contains("hola bob"));
      b.close();
      Await.until("ana hears bob leave", () -> ra.disconnects.size() == 1);
      assertEquals(DisconnectReason.Kind.CLOSED_BY_PEER, ra.disconnects.get(0).kind(), ra.disconnects.toString());
    }
  }

  @Test
  void eachSideSeesTheFingerprintOfTheKeyThePeerProvedAndPlaintextPeersShowNone() throws Exception {
    NodeKey ka = NodeKey.generate();
    NodeKey kb = NodeKey.generate();
    Recorder ra = new Recorder();
    try (PeerNode a = secure("ana").key(ka).listener(ra).build().start();
         PeerNode b = secure("bob").key(kb).build().start()) {
      Peer toA = b.connect(a.localAddress()).get(10, TimeUnit.SECONDS);
      assertEquals(ka.fingerprint(), toA.keyFingerprint().orElseThrow());
      Await.until("ana sees bob", () -> ra.connected.size() == 1);
      assertEquals(kb.fingerprint(), ra.connected.get(0).keyFingerprint().orElseThrow());
    }
    try (PeerNode a = Nodes.local("ana").plaintext(true).build().start();
         PeerNode b = Nodes.local("bob").plaintext(true).build().start()) {
      Peer toA = b.connect(a.localAddress()).get(10, TimeUnit.SECONDS);
      assertTrue(toA.keyFingerprint().isEmpty(), toA.keyFingerprint().toString());
    }
  }

  @Test
  void messagesOfEverySizeCrossTheTunnelInOrder() throws Exception {
    Recorder ra = new Recorder();
    int[] sizes = {0, 1, 100, 16_383, 16_384, 16_385, 16_401, 65_535, 65_536, 200_000, 1_000_000, 3};
    try (PeerNode a = secure("ana").listener(ra).build().start();
         PeerNode b = secure("bob").build().start()) {
      Peer toA = b.connect(a.localAddress()).get(10, TimeUnit.SECONDS);
      Random random = new Random(42);
      List<byte[]> sent = new java.util.ArrayList<>();
      for (int size : sizes) {
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        sent.add(payload);
        b.send(toA, payload);
      }
      // A flood of small frames, batched by the sender: many frames per record, records cut by reads.
      int flood = 20_000;
      for (int i = 0; i < flood; i++) {
        byte[] payload = ByteBuffer.allocate(8).putInt(i).putInt(~i).array();
        sent.add(payload);
        while (b.trySendMore(toA, payload) != SendStatus.OK) {
          b.flush(toA);
          Thread.onSpinWait();
        }
      }
      b.flush(toA);
      Await.until("every message", Duration.ofSeconds(30), () -> ra.messages.size() == sent.size());
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), ra.messages.get(i).bytes(), "message " + i);
      }
    }
  }

  @Test
  void aWireTapSeesNoTextNamesOrIds() throws Exception {
    Recorder ra = new Recorder();
    try (PeerNode a = secure("ana-tapped").group("tapped-group").listener(ra).build().start();
         PeerNode b = secure("bob-tapped").group("tapped-group").build().start();
         WireTap tap = new WireTap(a.localAddress())) {
      Peer toA = b.connect(tap.address()).get(10, TimeUnit.SECONDS);
      b.send(toA, "the secret recipe").get(10, TimeUnit.SECONDS);
      Await.until("message", () -> ra.texts().contains("the secret recipe"));
      Await.until("ana answers", () -> ra.connected.size() == 1);
      a.send(ra.connected.get(0), "the other secret").get(10, TimeUnit.SECONDS);
      String wire = new String(tap.seen(), StandardCharsets.ISO_8859_1);
      assertTrue(wire.contains("tls-required"), "the pre-HELLO is the one thing in clear");
      for (String secret : List.of("the secret recipe", "the other secret", "ana-tapped", "bob-tapped",
          "tapped-group", a.identity().id().toString(), b.identity().id().toString())) {
        assertFalse(wire.contains(secret), secret + " on the wire");
      }
      for (PeerId id : List.of(a.identity().id(), b.identity().id())) {
        byte[] raw = ByteBuffer.allocate(16).putLong(id.high()).putLong(id.low()).array();
        assertFalse(wire.contains(new String(raw, StandardCharsets.ISO_8859_1)), "id " + id + " on the wire");
      }
    }
  }

  @Test
  void aPlaintextNodeAndASecureNodeRefuseEachOtherAtOnceSayingWhy() throws Exception {
    try (PeerNode secure = secure("ana").build().start();
         PeerNode plain = Nodes.local("bob").plaintext(true).build().start()) {
      Throwable t = failure(plain.connect(secure.localAddress()));
      assertInstanceOf(UnsupportedVersionException.class, t);
      assertTrue(t.getMessage().contains("secure Vecino node"), t.getMessage());
      Throwable u = failure(secure.connect(plain.localAddress()));
      assertInstanceOf(UnsupportedVersionException.class, u);
      assertTrue(u.getMessage().contains("requires TLS"), u.getMessage());
      assertEquals(List.of(), secure.peers());
      assertEquals(List.of(), plain.peers());
    }
  }

  @Test
  void anOlderNodeSeesOnlyAnAnonymousPreHelloAndItsRefusalIsHeard() throws Exception {
    try (PeerNode secure = secure("ana").build().start(); RawPeer old = RawPeer.connect(secure.localAddress())) {
      byte[] frame = old.readFrame();
      assertEquals(FrameType.HELLO.code(), frame[0]);
      Hello pre = Hello.decode(ByteBuffer.wrap(frame, 1, frame.length - 1).slice(), 0, frame.length - 1);
      assertEquals(2, pre.minVersion());
      assertEquals(2, pre.maxVersion());
      assertEquals(new PeerId(0, 0), pre.id());
      assertEquals(0, pre.listenPort());
      assertEquals("tls-required", pre.name());
      assertEquals("tls-required", pre.group());
      // What a node of protocol 1 answers: BYE 4 (docs/PROTOCOL.md 1.4), in clear.
      old.sendFrame(FrameType.BYE, Bye.encode(DisconnectReason.of(DisconnectReason.Kind.VERSION_UNSUPPORTED,
          "protocol version 2..2 unsupported; this node speaks 1..1")));
      assertTrue(old.awaitEof());
      Await.until("the refusal counted", () -> secure.stats().rejected(DisconnectReason.Kind.VERSION_UNSUPPORTED) == 1);
    }
  }

  @Test
  void aSecureInitiatorRefusesAnOlderAcceptorAtOnce() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         PeerNode secure = secure("ana").build().start()) {
      CompletableFuture<Peer> f = secure.connect((InetSocketAddress) server.getLocalSocketAddress());
      try (RawPeer old = RawPeer.accept(server)) {
        old.sendFrame(FrameType.HELLO, new Hello(1, 1, PeerId.random(), 9999, "old", "vecino", List.of()).encode());
        Throwable t = failure(f);
        assertInstanceOf(UnsupportedVersionException.class, t);
        assertTrue(t.getMessage().contains("requires TLS"), t.getMessage());
        byte[] bye = old.readFrame();
        assertEquals(FrameType.BYE.code(), bye[0]);
        String text = new String(bye, 2, bye.length - 2, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("protocol version 1..1 unsupported; this node speaks 2..2"), text);
        assertFalse(text.contains("ana"), text);
      }
    }
  }

  @Test
  void aStrangerSpeakingHttpToASecureNodeIsNotAPeer() throws Exception {
    try (PeerNode secure = secure("ana").build().start(); RawPeer http = RawPeer.connect(secure.localAddress())) {
      http.readFrame();
      http.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertTrue(http.awaitEof());
      Await.until("refusal counted", () -> secure.stats().rejected(DisconnectReason.Kind.NOT_A_PEER) == 1);
      assertEquals(List.of(), secure.peers());
    }
  }

  @Test
  void scansFindSecureNodesAndPlaintextScannersSayWhatTheyAre() throws Exception {
    try (PeerNode target = secure("ana").build().start();
         PeerNode secureScanner = secure("scanner").build().start();
         PeerNode plainScanner = Nodes.local("plain").plaintext(true).build().start()) {
      ScanOptions options = ScanOptions.builder().timeout(Duration.ofSeconds(2)).build();
      Ports port = Ports.of(target.localAddress().getPort());
      ScanReport found = secureScanner.scan(Targets.parse("127.0.0.1"), port, options).report()
          .get(10, TimeUnit.SECONDS);
      assertEquals(List.of(target.identity().id()), found.peers().stream().map(ScanResult::id).toList(),
          found.toString());
      ScanReport seen = plainScanner.scan(Targets.parse("127.0.0.1"), port, options).report()
          .get(10, TimeUnit.SECONDS);
      assertEquals(List.of(), seen.peers(), seen.toString());
      List<ScanResult> all = new java.util.ArrayList<>(seen.otherGroup());
      all.addAll(seen.notPeers());
      assertEquals(List.of(ScanStatus.INCOMPATIBLE), all.stream().map(ScanResult::status).toList(), seen.toString());
    }
  }

  @Test
  void onlyAPlaintextNodeMayChooseItsId() {
    PeerId chosen = PeerId.random();
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> secure("ana").id(chosen).build());
    assertTrue(e.getMessage().contains("derived from its key"), e.getMessage());
    assertEquals(chosen, Nodes.local("carl").plaintext(true).id(chosen).build().identity().id());
  }

  @Test
  void aRelayWithItsOwnKeyPassesForNeitherSide() throws Exception {
    try (PeerNode a = secure("ana").build().start();
         PeerNode b = secure("bob").build().start();
         TlsRelay mallory = new TlsRelay(a.localAddress())) {
      Throwable t = failure(b.connect(mallory.address()));
      assertInstanceOf(HandshakeException.class, t);
      assertTrue(t.getMessage().contains("does not match the key of its TLS certificate"), t.getMessage());
      assertEquals(List.of(), a.peers());
      assertEquals(List.of(), b.peers());
    }
  }

  @Test
  void aRelayWithItsOwnKeyCannotPassOnAGroupSecretProof() throws Exception {
    GroupSecret team = GroupSecret.generate();
    try (PeerNode a = secure("ana").groupSecret(team).build().start();
         PeerNode b = secure("bob").groupSecret(team).build().start();
         TlsRelay mallory = new TlsRelay(a.localAddress())) {
      Throwable t = failure(b.connect(mallory.address()));
      assertInstanceOf(NotAdmittedException.class, t);
      assertTrue(t.getMessage().contains("proved another group secret (or a relay sits between)"), t.getMessage());
      Await.until("ana refused it", () -> a.stats().rejected(DisconnectReason.Kind.NOT_ADMITTED) == 1);
      assertEquals(List.of(), a.peers());
    }
  }

  @Test
  void aRecordedHandshakeReplayedGetsNowhere() throws Exception {
    try (PeerNode a = secure("ana").build().start();
         PeerNode b = secure("bob").build().start();
         WireTap tap = new WireTap(a.localAddress())) {
      b.connect(tap.address()).get(10, TimeUnit.SECONDS);
      // bob's connect completes on ana's HELLO; ana admits bob on his, a moment later.
      Await.until("ana has bob", () -> a.peers().size() == 1);
      byte[] recorded = tap.fromInitiator();
      try (RawPeer replay = RawPeer.connect(a.localAddress())) {
        replay.readFrame();
        replay.sendRaw(recorded);
        assertTrue(replay.awaitEof(), "the node closes the replayed handshake");
      }
      Await.until("the replay refused", () -> a.stats().rejected(DisconnectReason.Kind.PROTOCOL_ERROR) >= 1);
      assertEquals(1, a.peers().size(), "only the real bob");
    }
  }

  @Test
  void recordsCutAnywhereByTheNetworkStillCarryEveryMessage() throws Exception {
    Recorder ra = new Recorder();
    try (PeerNode a = secure("ana").listener(ra).build().start();
         PeerNode b = secure("bob").build().start();
         WireTap choppy = new WireTap(a.localAddress(), 700)) {
      Peer toA = b.connect(choppy.address()).get(10, TimeUnit.SECONDS);
      Random random = new Random(7);
      List<byte[]> sent = new java.util.ArrayList<>();
      for (int size : new int[] {1, 5, 16_384, 40_000, 3, 100_000, 0, 17}) {
        byte[] payload = new byte[size];
        random.nextBytes(payload);
        sent.add(payload);
        b.send(toA, payload).get(10, TimeUnit.SECONDS);
      }
      Await.until("every message", Duration.ofSeconds(30), () -> ra.messages.size() == sent.size());
      for (int i = 0; i < sent.size(); i++) {
        assertArrayEquals(sent.get(i), ra.messages.get(i).bytes(), "message " + i);
      }
    }
  }

  /**
   * The acceptor's wait for the initiator's HELLO restarts when it sends its own, as a
   * plaintext acceptor's starts with its HELLO: the initiator registers the acceptor on that
   * HELLO and may send at once, so a tunnel that took most of the handshake timeout must not
   * time out in the round trip after it (the TLS soak lost messages that way). Here TLS
   * starts 0.6 of the timeout late and the HELLO comes 0.6 after the acceptor's: 1.2 in all.
   */
  @Test
  void theAcceptorsWaitRestartsWithItsHelloInsideTheTunnel() throws Exception {
    Duration timeout = Duration.ofSeconds(2);
    Recorder r = new Recorder();
    try (PeerNode ana = secure("ana").handshakeTimeout(timeout).listener(r).build().start();
         SecureRawPeer late = SecureRawPeer.connect(ana.localAddress(), InetAddress.getByName("127.0.0.1"), 0,
             timeout.multipliedBy(6).dividedBy(10))) {
      byte[] hello = late.readFrame();
      assertEquals(FrameType.HELLO.code(), hello[0]);
      long helloAt = System.nanoTime();
      Await.until("0.6 of the timeout passes after ana's HELLO",
          () -> System.nanoTime() - helloAt > timeout.multipliedBy(6).dividedBy(10).toNanos());
      late.sendFrame(FrameType.HELLO, late.hello("late", PeerNode.DEFAULT_GROUP));
      late.sendFrame(FrameType.TEXT, "after a slow tunnel".getBytes(StandardCharsets.UTF_8));
      Await.until("ana gets the late peer's message", () -> r.texts().contains("after a slow tunnel"));
      assertEquals(late.id, r.connected.get(0).id());
      assertEquals(0, ana.stats().rejected(DisconnectReason.Kind.HANDSHAKE_TIMEOUT));
    }
  }
}
