package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.FrameType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A newcomer claiming the id of a peer whose connection is older than a handshake timeout
 * (docs/PROTOCOL.md 1.4): the node checks the old connection, keeps it if it answers (or, when
 * only writes can tell, if writes to it succeed), and otherwise gives the peer to the newcomer
 * and says so with {@code onConnectionReplaced}.
 */
@Timeout(60)
class IdCheckTest {

  /** Short, so the overlap window (one handshake timeout) passes quickly; the check's bound is a quarter. */
  private static final Duration HANDSHAKE = Duration.ofSeconds(1);
  private static final PeerId ALICE = new PeerId(0x1000, 1);

  record Replaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {}

  static class Events extends Recorder {
    final List<Replaced> replaced = new CopyOnWriteArrayList<>();

    @Override
    public void onConnectionReplaced(Peer peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {
      replaced.add(new Replaced(peer, oldRemote, newRemote));
    }
  }

  private static InetAddress loopback(int last) throws Exception {
    return InetAddress.getByName("127.0.14." + last);
  }

  /** Waits until the connection made at {@code sinceNanos} is older than the overlap window. */
  private static void pastTheOverlapWindow(long sinceNanos) {
    long after = sinceNanos + HANDSHAKE.toNanos() + TimeUnit.MILLISECONDS.toNanos(100);
    Await.until("the overlap window to pass", () -> System.nanoTime() - after > 0);
  }

  @Test
  void aLiveConnectionKeepsItsPlaceAndTheClaimantIsRefused() throws Exception {
    Events r = new Events();
    try (ServerSocket aliceServer = new ServerSocket(0, 50, loopback(2));
         PeerNode bob = Nodes.plain("bob").handshakeTimeout(HANDSHAKE).listener(r).build().start()) {
      CompletableFuture<Peer> f = bob.connect((InetSocketAddress) aliceServer.getLocalSocketAddress());
      try (AnsweringPeer alice = AnsweringPeer.accept(aliceServer, ALICE, "alice")) {
        Peer p = f.get(5, TimeUnit.SECONDS);
        InetSocketAddress aliceAt = p.remoteAddress();
        pastTheOverlapWindow(System.nanoTime());

        try (AnsweringPeer stranger = AnsweringPeer.connect(bob.localAddress(), loopback(66), ALICE, "alice")) {
          stranger.sendText("sent by the stranger while held");
          Await.until("the stranger is refused", () -> stranger.byeCode() >= 0 && stranger.ended());
          assertEquals(1, stranger.byeCode());
          assertEquals("already connected", stranger.byeText());

          assertSame(p, bob.peer(ALICE).orElseThrow());
          assertEquals(aliceAt, p.remoteAddress());
          bob.send(p, "for alice").get(5, TimeUnit.SECONDS);
          Await.until("alice gets bob's message", () -> alice.texts.contains("for alice"));
          assertTrue(stranger.texts.isEmpty(), "nothing reached the stranger: " + stranger.texts);
          assertTrue(r.replaced.isEmpty(), "no handle switch: " + r.replaced);
          assertTrue(r.disconnects.isEmpty());
          assertFalse(r.texts().contains("sent by the stranger while held"));
          assertEquals(1, bob.peers().size());
        }
      }
    }
  }

  @Test
  void aFrozenConnectionIsReplacedByTheNewcomerAndTheListenerHearsIt() throws Exception {
    Events r = new Events();
    try (ServerSocket aliceServer = new ServerSocket(0, 50, loopback(3));
         PeerNode bob = Nodes.plain("bob").handshakeTimeout(HANDSHAKE).listener(r).build().start()) {
      CompletableFuture<Peer> f = bob.connect((InetSocketAddress) aliceServer.getLocalSocketAddress());
      try (AnsweringPeer alice = AnsweringPeer.accept(aliceServer, ALICE, "alice")) {
        Peer p = f.get(5, TimeUnit.SECONDS);
        InetSocketAddress aliceAt = p.remoteAddress();
        pastTheOverlapWindow(System.nanoTime());
        alice.freeze();

        try (AnsweringPeer again = AnsweringPeer.connect(bob.localAddress(), loopback(67), ALICE, "alice")) {
          // Sent right after the handshake, before the check ends: held, then delivered.
          again.sendText("early");
          Await.until("the peer moves to the new connection", () -> r.replaced.size() == 1);
          Replaced event = r.replaced.get(0);
          assertSame(p, event.peer());
          assertEquals(aliceAt, event.oldRemote());
          assertEquals(again.raw.socket.getLocalSocketAddress(), event.newRemote());
          assertEquals(event.newRemote(), p.remoteAddress());
          assertSame(p, bob.peer(ALICE).orElseThrow());
          Await.until("the held message arrives", () -> r.texts().contains("early"));

          bob.send(p, "for alice").get(5, TimeUnit.SECONDS);
          Await.until("the new connection gets bob's message", () -> again.texts.contains("for alice"));
          assertTrue(again.byes.isEmpty());
          assertTrue(r.disconnects.isEmpty(), "no disconnect: " + r.disconnects);
          assertEquals(1, r.connected.size());
          assertEquals(PeerState.CONNECTED, p.state());
        }
      }
    }
  }

  /** Inbound back pressure: bob stops reading alice once its listener falls 64 KiB behind. */
  private static PeerNodeBuilder slowBob(Events r, CountDownLatch release) {
    PeerListener slow = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    return Nodes.plain("bob").handshakeTimeout(HANDSHAKE).maxUndeliveredBytes(64 * 1024).listener(r).listener(slow);
  }

  /**
   * Alice connects and floods until bob, whose listener is stuck, has stopped reading her. A
   * newcomer claiming her id connects to bob too: two connections opened by the same side are
   * checked at once, without waiting for the overlap window.
   */
  private static AnsweringPeer floodUntilPaused(PeerNode bob, InetAddress from) throws Exception {
    AnsweringPeer alice = AnsweringPeer.connect(bob.localAddress(), from, ALICE, "alice");
    Await.until("bob registers alice", () -> bob.peer(ALICE).isPresent());
    Thread flood = new Thread(() -> {
      // Four of these exceed 64 KiB: bob pauses; the rest fills the socket buffers or blocks here.
      String big = "x".repeat(16_400);
      for (int i = 0; i < 128 && alice.sendText(big); i++) {
        // Next.
      }
    }, "test-flood");
    flood.setDaemon(true);
    flood.start();
    // Undelivered bytes past the bound pause reading at once, and the stuck listener delivers none.
    Await.until("bob stops reading alice", () -> bob.peer(ALICE).orElseThrow().snapshot().messagesIn() >= 4,
        () -> bob.peers() + ", alice ended " + alice.ended(), Await.DEFAULT);
    return alice;
  }

  @Test
  void aResetConnectionIsReplacedEvenWhileReadingIsPaused() throws Exception {
    Events r = new Events();
    CountDownLatch release = new CountDownLatch(1);
    try (PeerNode bob = slowBob(r, release).build().start()) {
      AnsweringPeer alice = floodUntilPaused(bob, loopback(4));
      Peer p = bob.peer(ALICE).orElseThrow();
      alice.reset();
      try (AnsweringPeer again = AnsweringPeer.connect(bob.localAddress(), loopback(68), ALICE, "alice")) {
        // The listeners are stuck behind alice's flood: the handle shows the move first.
        Await.until("the peer moves to the new connection",
            () -> again.raw.socket.getLocalSocketAddress().equals(p.remoteAddress()));
        assertTrue(again.byes.isEmpty(), "not refused");
        release.countDown();
        Await.until("the listener hears of the move, after alice's messages", () -> r.replaced.size() == 1);
        assertEquals(again.raw.socket.getLocalSocketAddress(), r.replaced.get(0).newRemote());
        again.sendText("after the blip");
        Await.until("bob hears the new connection", () -> r.texts().contains("after the blip"));
        assertTrue(r.disconnects.isEmpty(), "no disconnect: " + r.disconnects);
        assertSame(p, bob.peer(ALICE).orElseThrow());
      } finally {
        release.countDown();
      }
    }
  }

  /**
   * After a FIN (the peer closed normally) a paused socket takes the first write; the peer's
   * RST answers it, and a later write of the check fails.
   */
  @Test
  void aClosedConnectionIsReplacedEvenWhileReadingIsPaused() throws Exception {
    Events r = new Events();
    CountDownLatch release = new CountDownLatch(1);
    try (PeerNode bob = slowBob(r, release).build().start()) {
      AnsweringPeer alice = floodUntilPaused(bob, loopback(6));
      Peer p = bob.peer(ALICE).orElseThrow();
      alice.raw.socket.shutdownOutput();
      alice.close();
      try (AnsweringPeer again = AnsweringPeer.connect(bob.localAddress(), loopback(70), ALICE, "alice")) {
        Await.until("the peer moves to the new connection",
            () -> again.raw.socket.getLocalSocketAddress().equals(p.remoteAddress()) || again.ended());
        assertTrue(again.byes.isEmpty(), "not refused: " + again.byeText());
        release.countDown();
        Await.until("the listener hears of the move", () -> r.replaced.size() == 1);
        again.sendText("after the close");
        Await.until("bob hears the new connection", () -> r.texts().contains("after the close"));
        assertTrue(r.disconnects.isEmpty(), "no disconnect: " + r.disconnects);
      } finally {
        release.countDown();
      }
    }
  }

  @Test
  void aPausedConnectionWhoseWritesSucceedKeepsItsPlace() throws Exception {
    Events r = new Events();
    CountDownLatch release = new CountDownLatch(1);
    try (PeerNode bob = slowBob(r, release).build().start()) {
      try (AnsweringPeer alice = floodUntilPaused(bob, loopback(5))) {
        Peer p = bob.peer(ALICE).orElseThrow();
        InetSocketAddress aliceAt = p.remoteAddress();
        try (AnsweringPeer stranger = AnsweringPeer.connect(bob.localAddress(), loopback(69), ALICE, "alice")) {
          Await.until("the stranger is refused", () -> stranger.byeCode() >= 0 && stranger.ended());
          assertEquals(1, stranger.byeCode());
          assertEquals(aliceAt, p.remoteAddress());
          assertTrue(r.replaced.isEmpty(), "an honest peer under back pressure keeps its place: " + r.replaced);
        }
        release.countDown();
        bob.send(p, "for alice").get(5, TimeUnit.SECONDS);
        Await.until("alice gets bob's message", () -> alice.texts.contains("for alice"));
        assertTrue(r.disconnects.isEmpty(), "no disconnect: " + r.disconnects);
      } finally {
        release.countDown();
      }
    }
  }

  /** Lower than {@link #ALICE}: bob's connections win simultaneous connects against hers. */
  private static final PeerId BOB = new PeerId(0x0800, 1);
  /** Long, so the overlap window holds the whole test; the check's bound is then its maximum, 1 s. */
  private static final Duration LONG_HANDSHAKE = Duration.ofSeconds(4);

  /** Sends alice's HELLO on a hand-driven connection. */
  private static void helloAsAlice(RawPeer raw) throws Exception {
    raw.sendFrame(FrameType.HELLO, RawPeer.hello(ALICE, "alice", PeerNode.DEFAULT_GROUP));
  }

  /** Answers bob's HELLO on {@code first}, alice's connection to him, as alice: he registers her. */
  private static Peer registerAlice(PeerNode bob, RawPeer first) throws Exception {
    first.readFrame();
    helloAsAlice(first);
    Await.until("bob registers alice", () -> bob.peer(ALICE).isPresent());
    return bob.peer(ALICE).orElseThrow();
  }

  /** Reads {@code raw}'s frames, answering nothing, until bob's check PINGs it: a check runs. */
  private static void awaitCheckPing(RawPeer raw) throws Exception {
    for (int i = 0; i < 16; i++) {
      if (raw.readFrame()[0] == FrameType.PING.code()) {
        return;
      }
    }
    throw new AssertionError("no check PING on the old connection");
  }

  /**
   * A check of alice's connection runs for one newcomer (a second connection she opened) when
   * bob's own connect to her completes: the two overlap and were opened by different sides, a
   * simultaneous connect, which the lower-id rule decides as alice decides it, check or not.
   * Bob's connection wins; before, bob refused it ("already connected"), while alice, who knows
   * nothing of bob's check, kept it and sent into it (the TLS soak lost such messages).
   */
  @Test
  void aSimultaneousConnectWinnerIsKeptWhileACheckRuns() throws Exception {
    Events r = new Events();
    try (ServerSocket aliceServer = new ServerSocket(0, 50, loopback(10));
         PeerNode bob = Nodes.plain("bob").id(BOB).handshakeTimeout(LONG_HANDSHAKE).listener(r).build().start();
         RawPeer first = RawPeer.connect(bob.localAddress(), loopback(11))) {
      Peer p = registerAlice(bob, first);
      InetSocketAddress firstAt = p.remoteAddress();
      try (AnsweringPeer second = AnsweringPeer.connect(bob.localAddress(), loopback(12), ALICE, "alice")) {
        awaitCheckPing(first);
        CompletableFuture<Peer> f = bob.connect((InetSocketAddress) aliceServer.getLocalSocketAddress());
        // Bob answers the HELLO on his own connection with his: it won (else a BYE, and this throws).
        try (AnsweringPeer third = AnsweringPeer.accept(aliceServer, ALICE, "alice")) {
          assertSame(p, f.get(5, TimeUnit.SECONDS));
          Await.until("the handle moves to bob's connection", () -> r.replaced.size() == 1);
          assertEquals(firstAt, r.replaced.get(0).oldRemote());
          assertEquals(aliceServer.getLocalSocketAddress(), p.remoteAddress());
          bob.send(p, "on the winner").get(5, TimeUnit.SECONDS);
          Await.until("alice gets it on the winner", () -> third.texts.contains("on the winner"));
          assertTrue(third.byes.isEmpty(), "the winner stays: " + third.byes.size() + " BYE");
          Await.until("the check ends and the second connection is refused", () -> second.byeCode() >= 0);
          assertEquals(1, second.byeCode());
          assertSame(p, bob.peer(ALICE).orElseThrow());
          assertEquals(aliceServer.getLocalSocketAddress(), p.remoteAddress());
          // The check ended without resetting the first connection, the losing one now, which
          // bob keeps open until alice drops it: what she sends on it still arrives.
          first.sendFrame(FrameType.TEXT,
              "late on the loser".getBytes(StandardCharsets.UTF_8));
          Await.until("bob delivers what came on the losing connection", () -> r.texts().contains("late on the loser"));
          assertTrue(r.disconnects.isEmpty(), "no disconnect: " + r.disconnects);
        }
      }
    }
  }

  /**
   * The other side of it: bob's connection to alice is checked for his own second connect when
   * alice's connection to him arrives. Hers loses the simultaneous connect, and bob keeps it
   * open until she drops it, as always, so what she sent on it before she saw his is delivered;
   * before, bob refused it at once and it was lost.
   */
  @Test
  void aSimultaneousConnectLoserIsReadWhileACheckRuns() throws Exception {
    Events r = new Events();
    try (ServerSocket aliceServer = new ServerSocket(0, 50, loopback(13));
         PeerNode bob = Nodes.plain("bob").id(BOB).handshakeTimeout(LONG_HANDSHAKE).listener(r).build().start();
         OwnRedialChecked checked = OwnRedialChecked.start(bob, aliceServer);
         AnsweringPeer third = AnsweringPeer.connect(bob.localAddress(), loopback(14), ALICE, "alice")) {
      Peer p = checked.peer();
      third.sendText("sent on the loser");
      Await.until("bob delivers what came on the losing connection", () -> r.texts().contains("sent on the loser"),
          () -> "BYEs on it: " + third.byes.size(), Await.DEFAULT);
      assertTrue(third.byes.isEmpty() || third.byeCode() != 1, "not refused as 'already connected'");
      assertEquals(aliceServer.getLocalSocketAddress(), p.remoteAddress());
      assertSame(p, bob.peer(ALICE).orElseThrow());
    }
  }

  /**
   * Bob's connection to alice (the first), held open while bob checks it for his own second
   * connect to her (the second, held): the check's PING has arrived and is not answered.
   */
  record OwnRedialChecked(RawPeer first, RawPeer second, Peer peer, CompletableFuture<Peer> again)
      implements AutoCloseable {

    static OwnRedialChecked start(PeerNode bob, ServerSocket aliceServer) throws Exception {
      InetSocketAddress aliceAt = (InetSocketAddress) aliceServer.getLocalSocketAddress();
      CompletableFuture<Peer> f = bob.connect(aliceAt);
      RawPeer first = RawPeer.accept(aliceServer);
      helloAsAlice(first);
      first.readFrame();
      Peer p = f.get(5, TimeUnit.SECONDS);
      CompletableFuture<Peer> again = bob.connect(aliceAt);
      RawPeer second = RawPeer.accept(aliceServer);
      helloAsAlice(second);
      awaitCheckPing(first);
      return new OwnRedialChecked(first, second, p, again);
    }

    @Override
    public void close() throws Exception {
      again.cancel(true);
      second.close();
      first.close();
    }
  }

  /** BYE code 1 with the text that says "I kept the other connection of a simultaneous connect". */
  private static byte[] byeSimultaneousConnect() {
    byte[] text = "simultaneous connect resolved".getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[1 + text.length];
    body[0] = 1;
    System.arraycopy(text, 0, body, 1, text.length);
    return body;
  }

  /**
   * The two ends of a connection measure the overlap window from their own end of its
   * handshake, which under load can be a second apart. Here bob's own connection to alice won
   * a simultaneous connect by his clock, so he keeps her first connection open for her to
   * drop; she, by hers, checks it instead (a PING). Bob answers that PING with BYE 1
   * "simultaneous connect resolved", not a PONG: a PONG would make her refuse his connection
   * ("already connected") after he had sent on it (the TLS soak lost such messages).
   */
  @Test
  void aPingOnTheLosingConnectionKeptForThePeerIsAnsweredWithItsBye() throws Exception {
    Events r = new Events();
    try (ServerSocket aliceServer = new ServerSocket(0, 50, loopback(15));
         PeerNode bob = Nodes.plain("bob").id(BOB).handshakeTimeout(LONG_HANDSHAKE).listener(r).build().start();
         RawPeer first = RawPeer.connect(bob.localAddress(), loopback(16))) {
      Peer p = registerAlice(bob, first);
      CompletableFuture<Peer> f = bob.connect((InetSocketAddress) aliceServer.getLocalSocketAddress());
      try (AnsweringPeer third = AnsweringPeer.accept(aliceServer, ALICE, "alice")) {
        assertSame(p, f.get(5, TimeUnit.SECONDS));
        Await.until("the handle moves to bob's connection", () -> r.replaced.size() == 1);
        first.sendFrame(FrameType.PING, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        byte[] answer = first.readFrame();
        assertEquals(FrameType.BYE.code(), answer[0], "a BYE, not a PONG");
        assertEquals(1, answer[1]);
        assertEquals("simultaneous connect resolved",
            new String(answer, 2, answer.length - 2, StandardCharsets.UTF_8));
        bob.send(p, "on the winner").get(5, TimeUnit.SECONDS);
        Await.until("alice gets it on the winner", () -> third.texts.contains("on the winner"));
        assertTrue(third.byes.isEmpty(), "the winner stays: " + third.byes.size() + " BYE");
        assertTrue(r.disconnects.isEmpty(), "no disconnect: " + r.disconnects);
      }
    }
  }

  /**
   * The same disagreement seen from the other end: past the overlap window by bob's clock, his
   * own new connection to alice makes him check her old one; she, by her clock a simultaneous
   * connect's winner, answers the check with BYE 1 "simultaneous connect resolved". Those bytes
   * do not prove the old connection alive: bob gives the peer to the new connection, which is
   * answered, not refused, and what bob sends goes there.
   */
  @Test
  void aCheckAnsweredWithTheSimultaneousConnectByeGivesThePeerToTheNewcomer() throws Exception {
    Events r = new Events();
    try (ServerSocket aliceServer = new ServerSocket(0, 50, loopback(17));
         PeerNode bob = Nodes.plain("bob").id(BOB).handshakeTimeout(HANDSHAKE).listener(r).build().start();
         RawPeer first = RawPeer.connect(bob.localAddress(), loopback(18))) {
      Peer p = registerAlice(bob, first);
      long since = System.nanoTime();
      pastTheOverlapWindow(since);
      CompletableFuture<Peer> f = bob.connect((InetSocketAddress) aliceServer.getLocalSocketAddress());
      try (RawPeer third = RawPeer.accept(aliceServer)) {
        helloAsAlice(third);
        awaitCheckPing(first);
        first.sendFrame(FrameType.BYE, byeSimultaneousConnect());
        assertEquals(FrameType.HELLO.code(), third.readFrame()[0], "answered, not refused");
        assertSame(p, f.get(5, TimeUnit.SECONDS));
        Await.until("the handle moves to the new connection", () -> r.replaced.size() == 1);
        assertEquals(aliceServer.getLocalSocketAddress(), p.remoteAddress());
        bob.send(p, "on the new connection").get(5, TimeUnit.SECONDS);
        byte[] frame = third.readFrame();
        assertEquals(FrameType.TEXT.code(), frame[0]);
        assertEquals("on the new connection", new String(frame, 1, frame.length - 1, StandardCharsets.UTF_8));
        assertTrue(r.disconnects.isEmpty(), "no disconnect: " + r.disconnects);
        assertTrue(first.awaitEof(), "bob closes the old connection after his BYE");
      }
    }
  }

  /**
   * Bob checks his connection to alice for his own second connect to her, and disconnects her
   * meanwhile. A connection alice opens then is not "already connected" (the old one is
   * closing): bob takes it as the peer, anew, and the check ends. Before, bob refused it while
   * the check ran; alice, who by her clock had kept it as a simultaneous connect's winner, had
   * sent on it (the TLS soak lost those messages).
   */
  @Test
  void aNewcomerWhileTheCheckedConnectionClosesIsNotAlreadyConnected() throws Exception {
    Events r = new Events();
    try (ServerSocket aliceServer = new ServerSocket(0, 50, loopback(19));
         PeerNode bob = Nodes.plain("bob").id(BOB).handshakeTimeout(LONG_HANDSHAKE).listener(r).build().start();
         OwnRedialChecked checked = OwnRedialChecked.start(bob, aliceServer)) {
      Peer p = checked.peer();
      bob.disconnect(p);
      Await.until("bob closes the first connection", () -> p.state() != PeerState.CONNECTED);
      try (AnsweringPeer third = AnsweringPeer.connect(bob.localAddress(), loopback(20), ALICE, "alice")) {
        Await.until("bob takes alice's connection as the peer",
            () -> bob.peer(ALICE).filter(x -> x != p && x.state() == PeerState.CONNECTED).isPresent());
        Peer q = bob.peer(ALICE).orElseThrow();
        bob.send(q, "on alice's connection").get(5, TimeUnit.SECONDS);
        Await.until("alice gets it", () -> third.texts.contains("on alice's connection"));
        assertTrue(third.byes.isEmpty(), "not refused: " + third.byeText());
      }
    }
  }
}
