package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The known-peer store: owner-only, atomic, bounded, forgiving of bad lines (issue 17). */
class PeerStoreTest {

  @TempDir
  Path dir;

  private static final Instant T0 = Instant.ofEpochMilli(1_700_000_000_000L);

  @Test
  void whatIsSeenAndPinnedSurvivesARestartInAnOwnerOnlyFile() throws Exception {
    Path file = dir.resolve("node").resolve("peers");
    PeerStore s = PeerStore.open(file, "t");
    PeerId a = PeerId.random();
    PeerId b = PeerId.random();
    s.seen(a, new InetSocketAddress("198.18.0.5", 4000), T0);
    s.seen(a, new InetSocketAddress("198.18.1.5", 4000), T0.plusSeconds(5));
    s.seen(b, new InetSocketAddress("::1", 4001), T0.plusSeconds(1));
    s.pin(b, "SHA256:abc", T0.plusSeconds(2));
    s.save();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));

    PeerStore back = PeerStore.open(file, "t");
    PeerStore.Entry ea = back.get(a).orElseThrow();
    assertEquals(List.of(new InetSocketAddress("198.18.1.5", 4000), new InetSocketAddress("198.18.0.5", 4000)),
        ea.addresses(), "most recent first");
    assertEquals(T0, ea.firstSeen());
    assertEquals(T0.plusSeconds(5), ea.lastSeen());
    assertNull(ea.fingerprint());
    assertFalse(ea.pinned());
    PeerStore.Entry eb = back.get(b).orElseThrow();
    assertTrue(eb.pinned());
    assertEquals("SHA256:abc", eb.fingerprint());
    assertEquals(List.of(new InetSocketAddress("::1", 4001)), eb.addresses());
    assertEquals(List.of(a, b), back.entries().stream().map(PeerStore.Entry::id).toList(), "most recent first");
    try (var files = Files.list(file.getParent())) {
      assertEquals(1, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void aStoreOthersMayReadOrWriteIsRefusedLikeSsh() throws Exception {
    Path file = dir.resolve("peers");
    Files.writeString(file, "# empty\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> PeerStore.open(file, "t"));
    assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertTrue(PeerStore.open(file, "t").entries().isEmpty());
  }

  @Test
  void aMalformedLineIsSkippedAndTheRestLoads() throws Exception {
    Path file = dir.resolve("peers");
    PeerId good = PeerId.random();
    String text = "# header\n"
        + "not a peer line\n"
        + PeerId.random() + " - 2 1 2 198.18.0.1:1\n"
        + PeerId.random() + " - 0 1 2 example.com:80\n"
        + good + " - 0 1 2 198.18.0.1:4000\n";
    Files.writeString(file, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    PeerStore s = PeerStore.open(file, "t");
    assertEquals(List.of(good), s.entries().stream().map(PeerStore.Entry::id).toList());
  }

  @Test
  void theStoreIsBoundedAndDropsTheLeastRecentlySeenUnpinnedPeerFirst() {
    PeerStore s = PeerStore.inMemory("t");
    PeerId pinnedOld = PeerId.random();
    s.pin(pinnedOld, "fp", T0);
    PeerId oldest = PeerId.random();
    s.seen(oldest, new InetSocketAddress("198.18.0.1", 1), T0.plusSeconds(1));
    for (int i = 0; i < PeerStore.MAX_PEERS; i++) {
      s.seen(PeerId.random(), new InetSocketAddress("198.18.0.2", 1 + i), T0.plusSeconds(10 + i));
    }
    assertEquals(PeerStore.MAX_PEERS, s.entries().size());
    assertTrue(s.get(pinnedOld).isPresent(), "pinned keys are kept");
    assertTrue(s.get(oldest).isEmpty(), "the least recently seen unpinned peer went first");
    PeerId many = PeerId.random();
    for (int i = 0; i < 20; i++) {
      s.seen(many, new InetSocketAddress("198.18.0.3", 100 + i), T0.plusSeconds(5000 + i));
    }
    assertEquals(PeerStore.MAX_ADDRESSES, s.get(many).orElseThrow().addresses().size());
  }

  @Test
  void aNodeRemembersWhereItsPeersListenAndRefusesAStoreOthersMayRead() throws Exception {
    Path file = dir.resolve("a").resolve("peers");
    PeerId bId;
    int bPort;
    try (PeerNode b = PeerNode.builder().name("b").bindAddress("127.0.9.2").port(0).build().start();
         PeerNode a = PeerNode.builder().name("a").bindAddress("127.0.9.1").port(0).peerStore(file).build().start()) {
      a.connect(b.localAddress()).get(10, TimeUnit.SECONDS);
      bId = b.identity().id();
      bPort = b.localAddress().getPort();
    }
    PeerStore.Entry e = PeerStore.open(file, "t").get(bId).orElseThrow();
    assertEquals(List.of(new InetSocketAddress("127.0.9.2", bPort)), e.addresses(), "saved on close");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw----"));
    ConfigurationException refused = assertThrows(ConfigurationException.class,
        () -> PeerNode.builder().peerStore(file).build());
    assertTrue(refused.getMessage().contains("accessible by others (rw-rw----)"), refused.getMessage());
  }

  @Test
  void namesOfPinnedKeysRoundTripAndAFileOfTheFirstVersionLoads() throws Exception {
    Path file = dir.resolve("peers");
    PeerId old = PeerId.random();
    Files.writeString(file, "# vecino known peers v1: id fingerprint pinned firstSeen lastSeen addresses\n"
        + old + " FP-OLD 1 1 2 198.18.0.1:4000\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    PeerStore s = PeerStore.open(file, "t");
    PeerStore.Entry e = s.get(old).orElseThrow();
    assertTrue(e.pinned());
    assertNull(e.name(), "the first version kept no names");
    for (String name : List.of("ana maria", "-", "bob%20", "Ñandú 🦜", "a+b")) {
      PeerId id = PeerId.random();
      s.pin(id, "FP", T0);
      assertEquals(java.util.Optional.empty(), s.claimName(id, name, null, T0));
      assertEquals(name, PeerStore.open(file, "t").get(id).orElseThrow().name(), "saved at once: " + name);
    }
    assertTrue(Files.readString(file).startsWith("# vecino known peers v2"));
    assertNull(PeerStore.open(file, "t").get(old).orElseThrow().name());
  }

  @Test
  void aNameIsPinnedToOneKeyTheUnpinnedKeepNoNameAndAPinnedKeyMayRename() {
    PeerStore s = PeerStore.inMemory("t");
    PeerId ana = PeerId.random();
    PeerId other = PeerId.random();
    PeerId stranger = PeerId.random();
    s.pin(ana, "FP-ANA", T0);
    assertEquals(java.util.Optional.empty(), s.claimName(ana, "ana", null, T0));
    assertEquals(java.util.Optional.of(ana),
        s.claimName(other, "ANA", "FP-OTHER", T0).map(PeerStore.Entry::id), "held by ana's key");
    assertTrue(s.get(other).isEmpty(), "a refused key is not pinned");
    s.seen(stranger, new InetSocketAddress("198.18.0.7", 1), T0);
    assertEquals(java.util.Optional.empty(), s.claimName(stranger, "carl", null, T0));
    assertNull(s.get(stranger).orElseThrow().name(), "names are kept for pinned keys only");
    assertEquals(java.util.Optional.empty(), s.claimName(ana, "anita", null, T0));
    assertEquals(java.util.Optional.empty(), s.claimName(other, "ana", "FP-OTHER", T0), "ana's old name is free");
    assertEquals("ana", s.get(other).orElseThrow().name());
    assertTrue(s.get(other).orElseThrow().pinned());
    assertEquals(java.util.Optional.of("anita"), s.unpin(ana).map(PeerStore.Entry::name));
    assertNull(s.get(ana).orElseThrow().name());
    assertEquals(java.util.Optional.empty(), s.unpin(ana));
  }

  @Test
  void aLineRoundTrips() {
    PeerStore.Entry e = new PeerStore.Entry(PeerId.random(), "SHA256:x", true,
        List.of(new InetSocketAddress("198.18.0.9", 9), new InetSocketAddress("::1", 10)), T0, T0.plusMillis(1));
    assertEquals(e, PeerStore.parse(PeerStore.format(e)));
    PeerStore.Entry named = new PeerStore.Entry(PeerId.random(), "FP", true, List.of(), T0, T0, "ana maria");
    assertEquals(named, PeerStore.parse(PeerStore.format(named)));
  }
}
