package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
  void skipsLinesThatAreNotPeerIds() throws IOException {
    PeerId bob = PeerId.random();
    Path file = dir.resolve("aliases.properties");
    Files.writeString(file, "garbage=x\n" + bob + "=bobby\n");
    assertEquals(Map.of(bob, "bobby"), AliasStore.load(file).all());
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
