package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.scan.NetworkScope;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Beacon encoding, the reply rules and the rate limits, without any socket (issue 17). */
class BeaconTest {

  private static final PeerId SELF = PeerId.parse("0123456789abcdef0123456789abcdef");
  private static final long SECOND = 1_000_000_000L;

  private static InetSocketAddress at(String ip) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), 40_001);
  }

  private static BeaconListener listener(String scope) throws Exception {
    ScopeGuard guard = new ScopeGuard(NetworkScope.parse(scope), null, null, () -> {
      throw new AssertionError("a scope is set");
    });
    BeaconListener l = new BeaconListener(new BeaconSetup("test", SELF, "team", 4000, null, guard,
        InetAddress.getByName("0.0.0.0")));
    l.links(List.of(new Datagrams.Link("eth0", (Inet4Address) InetAddress.getByName("198.18.0.1"), 24,
        (Inet4Address) InetAddress.getByName("198.18.0.255"), true, false)));
    return l;
  }

  @Test
  void aBeaconRoundTripsInFiftyEightBytesAndNamesNoGroup() {
    Beacon b = Beacon.of(SELF, 4000, "secret-team", false);
    ByteBuffer wire = b.encode();
    assertEquals(Beacon.SIZE, wire.remaining());
    byte[] bytes = new byte[wire.remaining()];
    wire.duplicate().get(bytes);
    assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains("secret"), "the group is never on the wire");
    Beacon back = Beacon.decode(wire);
    assertEquals(b, back);
    assertTrue(back.isOfGroup("secret-team"));
    assertFalse(back.isOfGroup("other-team"));
    assertFalse(back.isOfGroup("secret-tea"));
  }

  @Test
  void everyBeaconHasAFreshNonceSoTagsCannotBeLinked() {
    Beacon a = Beacon.of(SELF, 4000, "team", false);
    Beacon b = Beacon.of(SELF, 4000, "team", false);
    assertNotEquals(ByteBuffer.wrap(a.nonce()), ByteBuffer.wrap(b.nonce()));
    assertNotEquals(ByteBuffer.wrap(a.groupTag()), ByteBuffer.wrap(b.groupTag()));
  }

  @Test
  void decodingRefusesWhatIsNotABeaconAndToleratesALongerFormat() {
    ByteBuffer good = Beacon.of(SELF, 4000, "team", false).encode();
    ByteBuffer shortOne = good.duplicate().limit(Beacon.SIZE - 1);
    assertThrows(IllegalArgumentException.class, () -> Beacon.decode(shortOne));
    ByteBuffer magic = copy(good);
    magic.put(0, (byte) 'X');
    assertThrows(IllegalArgumentException.class, () -> Beacon.decode(magic));
    ByteBuffer format0 = copy(good);
    format0.put(4, (byte) 0);
    assertThrows(IllegalArgumentException.class, () -> Beacon.decode(format0));
    ByteBuffer replyPort0 = copy(Beacon.of(SELF, 4000, "team", true).encode());
    replyPort0.putShort(22, (short) 0);
    assertThrows(IllegalArgumentException.class, () -> Beacon.decode(replyPort0), "a reply must name a port");
    ByteBuffer requestPort0 = copy(good);
    requestPort0.putShort(22, (short) 0);
    assertEquals(0, Beacon.decode(requestPort0).tcpPort(), "a node that does not listen may still ask");
    ByteBuffer longer = ByteBuffer.allocate(Beacon.SIZE + 20).put(good.duplicate()).put(new byte[20]).flip();
    assertEquals(4000, Beacon.decode(longer).tcpPort());
  }

  @Test
  void garbageYieldsOnlyIllegalArgumentException() {
    Random r = new Random(17);
    for (int i = 0; i < 20_000; i++) {
      byte[] b = new byte[r.nextInt(80)];
      r.nextBytes(b);
      if (b.length >= 4 && r.nextBoolean()) {
        b[0] = 'V';
        b[1] = 'C';
        b[2] = 'N';
        b[3] = 'B';
      }
      try {
        Beacon.decode(ByteBuffer.wrap(b));
      } catch (IllegalArgumentException expected) {
        // the only failure allowed
      }
    }
  }

  @Test
  void aListenerAnswersASameGroupOnLinkBeaconWithOneNoLargerReply() throws Exception {
    BeaconListener l = listener("198.18.0.0/15");
    ByteBuffer request = Beacon.of(PeerId.random(), 5000, "team", false).encode();
    int size = request.remaining();
    ByteBuffer reply = l.onDatagram(request, at("198.18.0.7"), 0);
    assertNotNull(reply);
    assertTrue(reply.remaining() <= size, "never larger than the request");
    Beacon b = Beacon.decode(reply);
    assertTrue(b.reply());
    assertEquals(SELF, b.id());
    assertEquals(4000, b.tcpPort());
    assertTrue(b.isOfGroup("team"));
    assertTrue(l.heard(InetAddress.getByName("198.18.0.7")).orElseThrow().sameGroup());
  }

  @Test
  void aListenerStaysSilentToOtherGroupsRepliesItselfOffLinkAndOutOfScopeSources() throws Exception {
    BeaconListener l = listener("198.18.0.0/25");
    assertNull(l.onDatagram(Beacon.of(PeerId.random(), 5000, "other", false).encode(), at("198.18.0.7"), 0),
        "another group");
    assertFalse(l.heard(InetAddress.getByName("198.18.0.7")).orElseThrow().sameGroup(), "but it was heard");
    assertNull(l.onDatagram(Beacon.of(PeerId.random(), 5000, "team", true).encode(), at("198.18.0.8"), 0),
        "a reply is never answered");
    assertNull(l.onDatagram(Beacon.of(SELF, 5000, "team", false).encode(), at("198.18.0.9"), 0), "ourselves");
    assertNull(l.onDatagram(Beacon.of(PeerId.random(), 5000, "team", false).encode(), at("198.18.1.9"), 0),
        "off-link: another subnet");
    assertNull(l.onDatagram(Beacon.of(PeerId.random(), 5000, "team", false).encode(), at("198.18.0.200"), 0),
        "on-link but outside the scope");
    assertNull(l.onDatagram(ByteBuffer.wrap(new byte[] {1, 2, 3}), at("198.18.0.10"), 0), "garbage");
    assertEquals(5, l.refused.sum(), "ourselves is not even counted");
  }

  @Test
  void repliesToOneSourceAreRateLimited() throws Exception {
    BeaconListener l = listener("198.18.0.0/15");
    int answered = 0;
    for (int i = 0; i < 10; i++) {
      if (l.onDatagram(Beacon.of(PeerId.random(), 5000, "team", false).encode(), at("198.18.0.7"), i) != null) {
        answered++;
      }
    }
    assertEquals(BeaconLimiter.BURST, answered, "a burst, then nothing within the same instant");
    assertNotNull(l.onDatagram(Beacon.of(PeerId.random(), 5000, "team", false).encode(), at("198.18.0.7"), SECOND),
        "one more a second later");
    assertNotNull(l.onDatagram(Beacon.of(PeerId.random(), 5000, "team", false).encode(), at("198.18.0.8"), SECOND),
        "another source has its own bucket");
  }

  @Test
  void theLimiterCapsAllSourcesTogetherAndBoundsItsTable() throws Exception {
    BeaconLimiter limiter = new BeaconLimiter();
    int allowed = 0;
    for (int i = 0; i < 200; i++) {
      if (limiter.tryAcquire(InetAddress.getByAddress(new byte[] {10, 0, (byte) (i >> 8), (byte) i}), 5)) {
        allowed++;
      }
    }
    assertEquals(BeaconLimiter.GLOBAL_PER_SECOND, allowed, "at most this many replies a second in all");
    long t = 0;
    for (int i = 0; i < 3 * BeaconLimiter.MAX_SOURCES; i++) {
      t += SECOND / BeaconLimiter.GLOBAL_PER_SECOND;
      limiter.tryAcquire(InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i}), t);
    }
    assertTrue(limiter.sources() <= BeaconLimiter.MAX_SOURCES, "bounded: " + limiter.sources());
  }

  private static ByteBuffer copy(ByteBuffer b) {
    ByteBuffer c = ByteBuffer.allocate(b.remaining());
    c.put(b.duplicate()).flip();
    return c;
  }
}
