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
}
