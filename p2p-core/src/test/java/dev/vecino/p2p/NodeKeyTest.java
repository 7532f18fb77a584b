package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vecino.p2p.internal.tls.EngineLoop;
import dev.vecino.p2p.internal.tls.NodeTls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class NodeKeyTest {

  @Test
  void idIsTheFirstSixteenBytesOfTheSha256OfTheSubjectPublicKeyInfo() throws Exception {
    NodeKey key = NodeKey.generate();
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.publicKey().getEncoded());
    assertEquals(HexFormat.of().formatHex(digest, 0, 16), key.id().toString());
    assertEquals(key.id(), PeerId.of(key.publicKey()));
    assertEquals("EC", key.publicKey().getAlgorithm());
    assertNotEquals(key.id(), NodeKey.generate().id());
  }

  @Test
  void fingerprintIsTheWholeDigestInSyncthingsGroupedForm() throws Exception {
    NodeKey key = NodeKey.generate();
    assertTrue(key.fingerprint().matches("([A-Z2-7]{7}-){7}[A-Z2-7]{7}"), key.fingerprint());
    assertEquals(key.fingerprint(), NodeKey.fingerprintOf(key.publicKey()));
    byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.publicKey().getEncoded());
    String base32 = Fingerprints.base32(digest);
    String plain = key.fingerprint().replace("-", "");
    for (int q = 0; q < 4; q++) {
      assertEquals(base32.substring(q * 13, q * 13 + 13), plain.substring(q * 14, q * 14 + 13));
    }
    assertTrue(key.toString().contains(key.fingerprint()));
  }

  @Test
  void checkCharactersAreSyncthingsLuhn32() {
    // Check characters of Syncthing device ids, as other implementations test them.
    assertEquals('H', Fingerprints.luhn32("WG2IWWALPC2HZ"));
    assertEquals('K', Fingerprints.luhn32("KHQNO2S5QSILR"));
    assertEquals('C', Fingerprints.luhn32("MFZWI3DBONSGY"));
    // RFC 4648 section 10 test vector.
    assertEquals("MZXW6YTBOI", Fingerprints.base32("foobar".getBytes(StandardCharsets.US_ASCII)));
    byte[] digest = new byte[32];
    assertEquals("AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA", Fingerprints.format(digest));
  }

  @Test
  void parseFingerprintAcceptsAnyCaseAndSpacingAndCatchesTypos() {
    String f = NodeKey.generate().fingerprint();
    assertEquals(f, NodeKey.parseFingerprint(f.toLowerCase().replace("-", " ")));
    assertEquals(f, NodeKey.parseFingerprint(f.replace("-", "")));
    char c = f.charAt(3);
    String typo = f.substring(0, 3) + (c == 'A' ? 'B' : 'A') + f.substring(4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeKey.parseFingerprint(typo));
    assertTrue(e.getMessage().contains("check character"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NodeKey.parseFingerprint(f.substring(1)));
    assertThrows(IllegalArgumentException.class, () -> NodeKey.parseFingerprint(f.replace(f.charAt(0), '1')));
  }

  @Test
  void keyFileIsCreatedOwnerOnlyAndLoadsTheSameKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub/node.key");
    NodeKey created = NodeKey.loadOrCreate(file);
    NodeKey loaded = NodeKey.loadOrCreate(file);
    assertEquals(created, loaded);
    assertEquals(created.id(), loaded.id());
    assertEquals(created.fingerprint(), NodeKey.load(file).fingerprint());
    String text = Files.readString(file);
    assertTrue(text.contains("-----BEGIN PRIVATE KEY-----") && text.contains("-----BEGIN PUBLIC KEY-----"), text);
    if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
    try (var left = Files.list(file.getParent())) {
      assertEquals(1, left.count(), "no temporary file left behind");
    }
  }

  @Test
  void nodesStartingAtOnceOnOneKeyFileEndUpWithOneKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.key");
    int starters = 8;
    ExecutorService pool = Executors.newFixedThreadPool(starters);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<NodeKey>> keys = new ArrayList<>();
      for (int i = 0; i < starters; i++) {
        keys.add(pool.submit(() -> {
          go.await();
          return NodeKey.loadOrCreate(file);
        }));
      }
      go.countDown();
      NodeKey first = keys.get(0).get(30, TimeUnit.SECONDS);
      for (Future<NodeKey> key : keys) {
        assertEquals(first, key.get(30, TimeUnit.SECONDS));
      }
      assertEquals(first, NodeKey.load(file));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesAKeyFileOthersCanReadNamingTheFix(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("node.key");
    NodeKey.loadOrCreate(file);
    assumeTrue(Files.getFileAttributeView(file, PosixFileAttributeView.class) != null, "POSIX file system");
    for (String loose : new String[] {"rw-r--r--", "rw----r--", "rw--w----"}) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(loose));
      ConfigurationException e = assertThrows(ConfigurationException.class, () -> NodeKey.loadOrCreate(file));
      assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
      assertTrue(e.getMessage().contains(loose), e.getMessage());
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
    NodeKey.load(file); // read-only for the owner is fine
  }

  @Test
  void refusesKeyFilesThatAreNotAMatchingP256Pair(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.key");
    Path b = dir.resolve("b.key");
    NodeKey.loadOrCreate(a);
    NodeKey.loadOrCreate(b);
    String textA = Files.readString(a);
    String textB = Files.readString(b);
    String mixed = textA.substring(0, textA.indexOf("-----BEGIN PUBLIC KEY-----"))
        + textB.substring(textB.indexOf("-----BEGIN PUBLIC KEY-----"));
    Path bad = write(dir.resolve("mixed.key"), mixed);
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> NodeKey.load(bad));
    assertTrue(e.getMessage().contains("does not belong"), e.getMessage());
    Path truncated = write(dir.resolve("truncated.key"), textA.substring(0, textA.length() / 2));
    assertThrows(ConfigurationException.class, () -> NodeKey.load(truncated));
    Path garbage = write(dir.resolve("garbage.key"),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
    assertThrows(ConfigurationException.class, () -> NodeKey.load(garbage));
  }

  @Test
  void twoNodeKeysHandshakeAndEachSeesThePeersId() throws Exception {
    NodeKey ana = NodeKey.generate();
    NodeKey ben = NodeKey.generate();
    EngineLoop loop = new EngineLoop(NodeTls.create(ana.keyPair()).clientEngine(),
        NodeTls.create(ben.keyPair()).serverEngine()).run();
    assertTrue(loop.handshaken(), () -> "client: " + loop.client().failure() + ", server: " + loop.server().failure());
    assertEquals(ben.id(), NodeTls.peerId(loop.client().engine().getSession()));
    assertEquals(ana.id(), NodeTls.peerId(loop.server().engine().getSession()));
    assertEquals(ben.fingerprint(),
        NodeKey.fingerprintOf(NodeTls.peerCertificate(loop.client().engine().getSession()).getPublicKey()));
    assertFalse(loop.client().engine().getSession().getCipherSuite().isEmpty());
  }

  private static Path write(Path file, String text) throws Exception {
    Files.writeString(file, text);
    if (Files.getFileAttributeView(file, PosixFileAttributeView.class) != null) {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    return file;
  }
}
