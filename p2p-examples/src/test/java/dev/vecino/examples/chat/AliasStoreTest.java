package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.PeerId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AliasStoreTest {

  @TempDir
  Path dir;

  @Test
  void aliasesSurviveReload() {
    Path file = dir.resolve("sub/aliases.properties");
    PeerId bob = PeerId.random();
    AliasStore store = AliasStore.load(file);
    assertTrue(store.all().isEmpty());
    store.put(bob, "bobby ñ");
    assertEquals(Map.of(bob, "bobby ñ"), AliasStore.load(file).all());
    store.put(bob, null);
    assertTrue(AliasStore.load(file).all().isEmpty());
  }

  @Test
  void skipsLinesThatAreNotPeerIdsOrValidAliases() throws IOException {
    PeerId bob = PeerId.random();
    Path file = dir.resolve("aliases.properties");
    Files.writeString(file, "garbage=x\n" + bob + "=bobby\n" + PeerId.random() + "=\\u202Eevil\n");
    assertEquals(Map.of(bob, "bobby"), AliasStore.load(file).all());
  }

  @Test
  void refusesWhatANameMayNotHoldAndKeepsTheOldAlias() {
    AliasStore store = AliasStore.inMemory(Map.of());
    PeerId bob = PeerId.random();
    store.put(bob, "bobby");
    for (int c : new int[] {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> store.put(bob, "bob" + (char) c + "exe.txt"));
      assertTrue(e.getMessage().contains(String.format("U+%04X", c)), e.getMessage());
    }
    assertEquals("alias must not be empty",
        assertThrows(IllegalArgumentException.class, () -> store.put(bob, "")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> store.put(bob, "bo\u001bb"))
        .getMessage().startsWith("alias must not contain control characters"));
    assertThrows(IllegalArgumentException.class, () -> store.put(bob, "ñ".repeat(128)));
    assertEquals("bobby", store.get(bob), "a refused alias changes nothing");
    String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 family";
    store.put(bob, family);
    assertEquals(family, store.get(bob), "emoji joiners are fine");
    store.put(bob, null);
    assertNull(store.get(bob));
  }

  @Test
  void anInMemoryStoreNeverWritesTheOwnersFile() throws Exception {
    Path file = dir.resolve("aliases.properties");
    AliasStore owner = AliasStore.load(file);
    PeerId eve = PeerId.random();
    owner.put(eve, "evita");
    AliasStore temporary = AliasStore.inMemory(AliasStore.load(file).all());
    assertEquals("evita", temporary.all().get(eve));
    String before = Files.readString(file);
    temporary.put(eve, "not-evita");
    temporary.put(PeerId.random(), "someone");
    assertEquals(before, Files.readString(file),
        "a temporary-id chat must not rewrite the owner's aliases");
    assertEquals("evita", AliasStore.load(file).all().get(eve));
    assertEquals("not-evita", temporary.all().get(eve));
  }
}
