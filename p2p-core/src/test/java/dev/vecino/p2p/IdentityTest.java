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
  void identityFileKeepsItsKeyOwnerOnlyNextToItAndTheIdIsTheKeys(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("identity.properties");
    Identity me = Identity.loadOrCreate(file, "ana");
    NodeKey key = me.key().orElseThrow();
    assertEquals(key.id(), me.id());
    assertEquals(key, NodeKey.load(dir.resolve("identity.key")));
    assertEquals(me, Identity.load(file));
    assertEquals(dir.resolve("id.key"), Identity.keyFile(dir.resolve("id")));
    assertEquals(dir.resolve("x.key.key"), Identity.keyFile(dir.resolve("x.key")));
  }

  @Test
  void aFileFromBeforeKeysGainsAKeyAndSoANewIdOnce(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("identity.properties");
    PeerId old = PeerId.random();
    new Identity(old, "ana").save(file);
    Identity loaded = Identity.load(file);
    assertEquals(old, loaded.id());
    assertTrue(loaded.key().isEmpty(), "a file without a key file loads without a key");

    Identity migrated = Identity.loadOrCreate(file, "ana");
    assertNotEquals(old, migrated.id());
    assertEquals(migrated.key().orElseThrow().id(), migrated.id());
    String text = Files.readString(file);
    assertTrue(text.contains("previous-id=" + old), text);
    assertTrue(text.contains("id=" + migrated.id()), text);
    assertEquals(migrated, Identity.loadOrCreate(file, "ana"), "the new id stays");
    assertTrue(Files.readString(Identity.keyFile(file)).contains("PRIVATE KEY"));
  }

  @Test
  void savingAKeyedIdentityWritesItsKeyButNeverReplacesAnother(@TempDir Path dir) {
    Identity me = Identity.random("ana");
    Path file = dir.resolve("me.properties");
    me.save(file);
    me.save(file);
    assertEquals(me, Identity.load(file));
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> Identity.random("ben").save(file));
    assertTrue(e.getMessage().contains("never replaces"), e.getMessage());
  }

  @Test
  void keylessIdentitiesTakeAnyIdAndEqualityCoversTheKey() {
    PeerId id = PeerId.random();
    assertEquals(new Identity(id, "ana"), new Identity(id, "ana"));
    assertTrue(new Identity(id, "ana").key().isEmpty());
    NodeKey key = NodeKey.generate();
    assertEquals(Identity.of(key, "ana"), Identity.of(key, "ana"));
    assertNotEquals(Identity.of(key, "ana"), new Identity(key.id(), "ana"));
    assertTrue(Identity.of(key, "ana").toString().contains(key.fingerprint()));
    try (PeerNode chosen = PeerNode.builder().identity(Identity.of(key, "ana")).id(id).plaintext(true).build();
        PeerNode keyed = PeerNode.builder().identity(Identity.of(key, "ana")).build()) {
      assertTrue(chosen.identity().key().isEmpty(), "an id of one's choosing drops the key");
      assertEquals(Identity.of(key, "ana"), keyed.identity());
      try (PeerNode copy = keyed.toBuilder().build()) {
        assertEquals(Identity.of(key, "ana"), copy.identity(), "toBuilder keeps the key");
      }
    }
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
