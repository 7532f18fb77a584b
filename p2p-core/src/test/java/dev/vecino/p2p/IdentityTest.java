package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentityTest {

  @Test
  void peerIdRoundTripsThroughText() {
    PeerId id = PeerId.random();
    assertEquals(32, id.toString().length());
    assertEquals(id, PeerId.parse(id.toString()));
    assertEquals(id, PeerId.parse(id.toString().toUpperCase()));
    assertEquals(id.toString().substring(0, 8), id.shortId());
    assertThrows(IllegalArgumentException.class, () -> PeerId.parse("xyz"));
    assertThrows(IllegalArgumentException.class, () -> PeerId.parse("g".repeat(32)));
  }

  @Test
  void peerIdsCompareAsUnsigned() {
    PeerId low = new PeerId(0, 1);
    PeerId high = new PeerId(-1, 0); // 0xffff... as unsigned is the largest
    assertTrue(low.compareTo(high) < 0);
    assertNotEquals(PeerId.random(), PeerId.random());
  }

  @Test
  void identitySurvivesRestartsAndKeepsItsId(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/identity.properties");
    Identity first = Identity.loadOrCreate(file, "ana");
    assertTrue(Files.exists(file));
    Identity again = Identity.loadOrCreate(file, "ana");
    assertEquals(first, again);
    Identity renamed = Identity.loadOrCreate(file, "Ana María");
    assertEquals(first.id(), renamed.id());
    assertEquals("Ana María", Identity.load(file).name());
  }

  @Test
  void rejectsBadNames() {
    assertThrows(IllegalArgumentException.class, () -> Identity.random(""));
    assertThrows(IllegalArgumentException.class, () -> Identity.random("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> Identity.random("é".repeat(200)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PeerNode.builder().port(70000).build());
    assertTrue(e.getMessage().contains("70000"));
  }

  @Test
  void nodeUsesTheGivenIdentity() {
    Identity me = Identity.random("me");
    try (PeerNode node = PeerNode.builder().identity(me).bindAddress("127.0.0.1").build().start()) {
      assertEquals(me, node.identity());
      assertTrue(node.localAddress().getPort() > 0);
    }
  }
}
