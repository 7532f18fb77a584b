package dev.vecino.p2p.testkit.hostile;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Await;
import dev.vecino.p2p.testkit.Footprint;
import dev.vecino.p2p.testkit.Friend;
import dev.vecino.p2p.testkit.HostilePeer;
import dev.vecino.p2p.testkit.LoopbackBlock;
import dev.vecino.p2p.testkit.TestNodes;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14, fault 8: a peer that claims a name with a bidi override (so it would be shown
 * reversed), and strangers speaking HTTP, TLS or SSH, are closed without ever becoming peers,
 * while a legitimate peer from another address keeps exchanging messages and reconnecting,
 * and heap, direct memory and threads stay bounded.
 */
@Timeout(30)
class StrangerAttackTest {

  private static final LoopbackBlock BLOCK = new LoopbackBlock(6, 80);
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** Each stranger costs a closed connection: 4 MiB for what the test and class loading add. */
  private static final Footprint.Allowance BOUNDS = Footprint.Allowance.mebibytes(4, 2);

  /**
   * Runs {@code attack} once per item, with the friend exchanging messages after each and
   * reconnecting after the first, then checks the friend and the footprint after all. The
   * footprint during is taken after the last item (each stranger is closed at once).
   */
  private static <T> void whileAFriendChats(PeerNode node, Friend friend, T[] items, Attack<T> attack)
      throws Exception {
    friend.connect(node);
    friend.exchange(3);
    Footprint before = Footprint.measure();
    Footprint during = null;
    for (int i = 0; i < items.length; i++) {
      attack.run(items[i]);
      if (i == 0) {
        friend.checkIn(3);
      } else {
        friend.exchange(3);
      }
      if (i == items.length - 1) {
        during = Footprint.awaitWithin(before, BOUNDS, "during the attacks");
      }
    }
    friend.checkIn(3);
    friend.assertNothingLost();
    Footprint after = Footprint.awaitWithin(before, BOUNDS, "after the attacks");
    System.out.println("STRANGERS footprint before " + before + "; during " + during.growthOver(before) + "; after "
        + after.growthOver(before) + "; " + friend);
  }

  /** One attack of a series. */
  private interface Attack<T> {
    void run(T item) throws Exception;
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void namesAndGroupsWithBidiControlsAreRefusedWhileAFriendChats(Wire wire) throws Exception {
    try (TestNodes nodes = wire.nodes()) {
      Friend friend = Friend.start(nodes, BLOCK.host(2), "friend");
      PeerNode node = nodes.start(BLOCK.host(1), 0, b -> b.name("node").listener(friend.echo()));
      String[][] claims = {{"\u202Ecarl", "vecino"}, {"carl\u2066", "vecino"}, {"carl", "vec\u202Aino"}};
      whileAFriendChats(node, friend, claims, claim -> {
        try (HostilePeer mallory = wire.to(node.localAddress()).from(BLOCK.address(7)).connect()) {
          mallory.handshake(claim[0], claim[1]);
          assertTrue(mallory.awaitClosed(WAIT), "closed: " + claim[0] + " / " + claim[1]);
        }
      });
      assertEquals(List.of("friend"), node.peers().stream().map(p -> p.name()).toList());
      Await.until("three claims refused", () -> node.stats().rejected(DisconnectReason.Kind.NOT_A_PEER) == 3);
    }
  }

  @ParameterizedTest
  @EnumSource(Wire.class)
  void httpTlsAndSshStrangersAreClosedWhileAFriendChats(Wire wire) throws Exception {
    // Strangers speak in clear, to a secure node too. A TLS record cut short is one a secure node
    // rightly waits for (up to its handshake timeout; TlsFloodAttackTest has those), so it
    // meets the plaintext node only; both meet a whole record holding a malformed ClientHello.
    byte[] cutRecord = HexFormat.of().parseHex("1603010200010001fc0303");
    byte[] badClientHello = HexFormat.of().parseHex("16030100050100000100");
    byte[][] strangers = wire == Wire.TLS
        ? new byte[][] {"GET / HTTP/1.1\r\nHost: vecino\r\n\r\n".getBytes(US_ASCII), badClientHello,
            "SSH-2.0-OpenSSH_9.2\r\n".getBytes(US_ASCII)}
        : new byte[][] {"GET / HTTP/1.1\r\nHost: vecino\r\n\r\n".getBytes(US_ASCII), cutRecord,
            "SSH-2.0-OpenSSH_9.2\r\n".getBytes(US_ASCII)};
    try (TestNodes nodes = wire.nodes()) {
      Friend friend = Friend.start(nodes, BLOCK.host(4), "friend");
      PeerNode node = nodes.start(BLOCK.host(3), 0, b -> b.name("node").listener(friend.echo()));
      whileAFriendChats(node, friend, strangers, bytes -> {
        try (HostilePeer stranger = HostilePeer.to(node.localAddress()).from(BLOCK.address(8)).connect()) {
          stranger.sendRaw(bytes);
          assertTrue(stranger.awaitClosed(Duration.ofSeconds(2)), "closed at once, not by the 5 s handshake timeout");
        }
      });
      assertEquals(1, node.peers().size());
      // A secure node calls the malformed ClientHello a protocol error (a failed TLS handshake).
      Await.until("three strangers refused", () -> node.stats().rejected(DisconnectReason.Kind.NOT_A_PEER)
          + node.stats().rejected(DisconnectReason.Kind.PROTOCOL_ERROR) == 3);
    }
  }
}
