package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.examples.cli.CodecChoice;
import dev.vecino.p2p.GroupSecret;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.NodeKey;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat's key lines: {@code /keys} with real secure nodes on 127.0.61.x, the line under the
 * start-up line, a refusal by a node with a group secret, and the one-time note when a config
 * directory from before keys gets its key.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatKeysTest {

  @TempDir
  Path tmp;

  @Test
  void keysListsThisNodeAndEachConnectedPeerWithTheFingerprintItsKeyProved() throws Exception {
    assertInstanceOf(ChatInput.Keys.class, InputParser.parse("/keys"));
    try (ChatFixture chat = new ChatFixture("127.0.61.1", false, null)) {
      String mine = chat.me.identity().key().orElseThrow().fingerprint();
      chat.session.handle(InputParser.parse("/keys"));
      chat.console.await(l -> l.equals("you: ana [" + chat.me.identity().id().shortId() + "]  " + mine));
      chat.console.await(l -> l.equals("no peers connected"));
      PeerNode bob = chat.peer("bob", "127.0.61.2", new LinkedBlockingQueue<>());
      chat.connect(bob);
      chat.console.clear();
      chat.session.handle(InputParser.parse("/keys"));
      String bobs = bob.identity().key().orElseThrow().fingerprint();
      String line = chat.console.await(l -> l.contains(bobs));
      assertEquals("  1. bob [" + bob.identity().id().shortId() + "]  127.0.61.2:" + bob.localAddress().getPort()
          + "  " + bobs, line);
    }
  }

  @Test
  void aConnectToANodeWithAGroupSecretSaysNotAdmitted() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.61.3", false, null);
         PeerNode locked = PeerNode.builder().name("locked").groupSecret(GroupSecret.generate())
             .bindAddress("127.0.61.4").port(0).build().start()) {
      chat.session.handle(new ChatInput.Connect("127.0.61.4:" + locked.localAddress().getPort()));
      String line = chat.console.await(l -> l.startsWith("error: cannot connect to 127.0.61.4:"));
      assertTrue(line.contains(": not admitted: the acceptor 127.0.61.4:"), line);
      assertTrue(line.contains("admits only nodes with its group secret"), line);
      assertEquals(List.of(), chat.me.peers());
    }
  }

  @Test
  void theStartLineShowsTheFingerprintOrSaysThatNothingIsEncrypted() {
    Identity me = Identity.random("ana");
    String fingerprint = me.key().orElseThrow().fingerprint();
    assertEquals(Optional.of("key fingerprint " + fingerprint + " (encrypted; /keys shows peers')"),
        ChatKeys.startLine(me, true, CodecChoice.framed));
    assertEquals(Optional.of("plaintext (--plaintext): nothing is encrypted and ids are not proven"),
        ChatKeys.startLine(me, false, CodecChoice.framed));
    assertEquals(Optional.empty(), ChatKeys.startLine(me, false, CodecChoice.line));
  }

  @Test
  void aConfigDirectoryFromBeforeKeysGetsOneNoteAboutItsNewIdOnce() throws IOException {
    Path dir = tmp.resolve("old");
    Files.createDirectories(dir);
    PeerId old = PeerId.random();
    Files.writeString(dir.resolve("identity.properties"), "id=" + old + "\nname=ana\n", StandardCharsets.UTF_8);
    KeyMigration migration = KeyMigration.check(dir);
    Identity now = Identity.loadOrCreate(dir.resolve("identity.properties"), "ana");
    List<String> notes = migration.notes(now, 2);
    assertEquals(2, notes.size(), notes.toString());
    assertTrue(notes.get(0).contains("a new id " + now.id().shortId() + " derived from it (was " + old.shortId()
        + ")"), notes.get(0));
    assertTrue(notes.get(1).contains("name it again with /name"), notes.get(1));
    assertEquals(1, migration.notes(now, 0).size(), "no alias note without aliases");
    // The next start finds the key file: nothing migrates again.
    assertEquals(List.of(), KeyMigration.check(dir).notes(Identity.loadOrCreate(dir.resolve("identity.properties"),
        "ana"), 2));
    // A fresh directory has nothing to migrate either.
    Path fresh = tmp.resolve("fresh");
    KeyMigration none = KeyMigration.check(fresh);
    assertEquals(List.of(), none.notes(Identity.loadOrCreate(fresh.resolve("identity.properties"), "ana"), 2));
    assertEquals(now.key().map(NodeKey::id).orElseThrow(), now.id());
  }
}
