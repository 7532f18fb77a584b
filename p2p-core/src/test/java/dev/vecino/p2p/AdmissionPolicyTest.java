package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.scan.Targets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A secure group locks itself down: a group secret, a key allowlist; refusals are clear on both sides and leak nothing. */
@Timeout(120)
class AdmissionPolicyTest {

  private static final GroupSecret TEAM = GroupSecret.generate();

  private static NotAdmittedException refused(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
    return assertInstanceOf(NotAdmittedException.class, e.getCause());
  }

  @Test
  void membersWithTheSecretTalkAndItSurvivesAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("team.secret");
    TEAM.writeNew(file);
    assertEquals(TEAM, GroupSecret.load(file));
    Recorder ra = new Recorder();
    try (PeerNode a = Nodes.local("ana").groupSecret(GroupSecret.load(file)).listener(ra).build().start();
         PeerNode b = Nodes.local("bob").groupSecret(TEAM).build().start()) {
      Peer toA = b.connect(a.localAddress()).get(10, TimeUnit.SECONDS);
      assertEquals(a.identity().id(), toA.id());
      b.send(toA, "members only").get(10, TimeUnit.SECONDS);
      Await.until("message", () -> ra.texts().contains("members only"));
      assertEquals("GroupSecret[32 bytes]", TEAM.toString());
    }
  }

  @Test
  void anotherSecretIsRefusedOnBothSidesAndLearnsNoName() throws Exception {
    Recorder ra = new Recorder();
    Recorder rs = new Recorder();
    try (PeerNode a = Nodes.local("ana-member").group("secret-club").groupSecret(TEAM).listener(ra).build().start();
         PeerNode stranger = Nodes.local("mallory").group("secret-club").groupSecret(GroupSecret.generate())
             .listener(rs).build().start()) {
      NotAdmittedException e = refused(stranger.connect(a.localAddress()));
      assertEquals(DisconnectReason.Kind.NOT_ADMITTED, e.reason().kind());
      assertTrue(e.getMessage().contains("proved another group secret"), e.getMessage());
      assertFalse(e.getMessage().contains("ana-member"), e.getMessage());
      Await.until("ana counts the refusal", () -> a.stats().rejected(DisconnectReason.Kind.NOT_ADMITTED) == 1);
      assertEquals(List.of(), a.peers());
      assertEquals(List.of(), stranger.peers());
      assertTrue(ra.connected.isEmpty() && rs.connected.isEmpty());
    }
  }

  @Test
  void aNodeWithoutTheSecretAndAnOpenNodeAreRefusedAtOnceSayingWhichSideHasOne() throws Exception {
    try (PeerNode member = Nodes.local("ana").groupSecret(TEAM).build().start();
         PeerNode open = Nodes.local("bob").build().start()) {
      NotAdmittedException e = refused(open.connect(member.localAddress()));
      assertTrue(e.getMessage().contains("the acceptor") && e.getMessage().contains("admits only nodes with its group "
          + "secret, and the initiator"), e.getMessage());
      NotAdmittedException f = refused(member.connect(open.localAddress()));
      assertTrue(f.getMessage().contains("the initiator") && f.getMessage().contains("has none"), f.getMessage());
      Await.until("both refusals counted on the member", () ->
          member.stats().rejected(DisconnectReason.Kind.NOT_ADMITTED) == 2);
    }
  }

  @Test
  void anAllowlistAdmitsOnlyTheKeysOnIt() throws Exception {
    NodeKey friend = NodeKey.generate();
    // As a person types it: lower case, no dashes.
    String typed = friend.fingerprint().replace("-", "").toLowerCase(Locale.ROOT);
    try (PeerNode a = Nodes.local("ana").allowKeys(typed).build().start();
         PeerNode f = Nodes.local("friend").key(friend).build().start();
         PeerNode other = Nodes.local("other").build().start()) {
      assertEquals(a.identity().id(), f.connect(a.localAddress()).get(10, TimeUnit.SECONDS).id());
      NotAdmittedException e = refused(other.connect(a.localAddress()));
      assertTrue(e.getMessage().contains("is not on the acceptor's allowlist"), e.getMessage());
      assertTrue(e.getMessage().contains(other.identity().key().orElseThrow().fingerprint()), e.getMessage());
      NotAdmittedException back = refused(a.connect(other.localAddress()));
      assertTrue(back.getMessage().contains("is not on the initiator's allowlist"), back.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Nodes.local("x").allowKeys("not-a-fingerprint"));
  }

  @Test
  void scannersSeeASecretGroupsNodeAsNotAdmittedUnlessTheyShareTheSecret() throws Exception {
    try (PeerNode member = Nodes.local("ana").groupSecret(TEAM).build().start();
         PeerNode colleague = Nodes.local("bob").groupSecret(TEAM).build().start();
         PeerNode stranger = Nodes.local("eve").build().start()) {
      ScanOptions options = ScanOptions.builder().timeout(Duration.ofSeconds(2)).autoConnect(false).build();
      Ports port = Ports.of(member.localAddress().getPort());
      ScanReport found = colleague.scan(Targets.parse("127.0.0.1"), port, options).report().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(member.identity().id()), found.peers().stream().map(ScanResult::id).toList(),
          found.toString());
      ScanReport seen = stranger.scan(Targets.parse("127.0.0.1"), port, options).report().get(10, TimeUnit.SECONDS);
      assertEquals(List.of(), seen.peers(), seen.toString());
      assertEquals(List.of(ScanStatus.NOT_ADMITTED), seen.notPeers().stream().map(ScanResult::status).toList(),
          seen.toString());
    }
  }

  @Test
  void addressListsRefuseSourcesBeforeAByteIsSent() throws Exception {
    try (PeerNode guarded = Nodes.local("ana").bindAddress("127.0.0.1").allowAddresses("127.0.0.0/8")
            .denyAddresses("127.0.31.7").build().start();
         PeerNode friend = Nodes.local("bob").bindAddress("127.0.31.8").build().start();
         PeerNode denied = Nodes.local("eve").bindAddress("127.0.31.7").build().start()) {
      assertEquals(guarded.identity().id(), friend.connect(guarded.localAddress()).get(10, TimeUnit.SECONDS).id());
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> denied.connect(guarded.localAddress()).get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof VecinoException, e.toString());
      Await.until("the refusal counted", () -> guarded.stats().rejected(DisconnectReason.Kind.NOT_ADMITTED) == 1);
      assertEquals(1, guarded.peers().size());
    }
    try (java.net.Socket raw = new java.net.Socket()) {
      try (PeerNode onlyTen = Nodes.local("carl").bindAddress("127.0.0.1").allowAddresses("127.0.32.0/24").build()
          .start()) {
        raw.bind(new java.net.InetSocketAddress("127.0.33.1", 0));
        raw.connect(onlyTen.localAddress(), 5_000);
        raw.setSoTimeout(5_000);
        assertEquals(-1, raw.getInputStream().read(), "closed without a byte: not even the pre-HELLO");
      }
    }
  }

  @Test
  void aPlaintextNodeTakesNoSecretOrAllowlist() {
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> Nodes.plain("x").groupSecret(TEAM).build());
    assertTrue(e.getMessage().contains("secure node"), e.getMessage());
    assertThrows(ConfigurationException.class,
        () -> Nodes.local("y").codec(dev.vecino.p2p.codec.Codec.line()).groupSecret(TEAM).build());
  }

  @Test
  void aPassphraseDerivesTheSameSecretForTheSameGroupOnly() {
    char[] words = "correct horse battery staple".toCharArray();
    assertEquals(GroupSecret.fromPassphrase(words, "vecino"), GroupSecret.fromPassphrase(words, "vecino"));
    assertFalse(GroupSecret.fromPassphrase(words, "vecino").equals(GroupSecret.fromPassphrase(words, "other")));
    assertFalse(new String(words).getBytes(StandardCharsets.UTF_8).length == 0);
  }
}
