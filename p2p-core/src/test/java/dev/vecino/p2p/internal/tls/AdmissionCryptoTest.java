package dev.vecino.p2p.internal.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.NodeKey;
import dev.vecino.p2p.internal.tls.SharedSecret.Role;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admission primitives against fixed vectors (computed independently with Python's hmac,
 * hashlib; the same vectors are in docs/PROTOCOL.md) and their properties.
 */
@Timeout(60)
class AdmissionCryptoTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SECRET = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  private static final byte[] NONCE_I = filled(0x11);
  private static final byte[] NONCE_A = filled(0x22);
  private static final byte[] CERT_I = HEX.parseHex("3003020101");
  private static final byte[] CERT_A = HEX.parseHex("3003020102");

  @Test
  void groupProofsMatchTheVectors() {
    SharedSecret secret = SharedSecret.of(SECRET);
    assertEquals("b8e54445db8cdb5c5f68091d79d84e904f07f95aa1e076e8e72da99686aed2e3",
        HEX.formatHex(secret.proof(Role.INITIATOR, NONCE_I, NONCE_A, CERT_I, CERT_A)));
    assertEquals("fc5e2efd910e48133dabd5503c3ea1e5b3232f29f865b26a84ac57b2567544fc",
        HEX.formatHex(secret.proof(Role.ACCEPTOR, NONCE_I, NONCE_A, CERT_I, CERT_A)));
  }

  @Test
  void aProofVerifiesOnlyForItsRoleSecretNoncesAndCertificates() {
    SharedSecret secret = SharedSecret.of(SECRET);
    byte[] proof = secret.proof(Role.INITIATOR, NONCE_I, NONCE_A, CERT_I, CERT_A);
    assertTrue(secret.verify(proof, Role.INITIATOR, NONCE_I, NONCE_A, CERT_I, CERT_A));
    assertFalse(secret.verify(proof, Role.ACCEPTOR, NONCE_I, NONCE_A, CERT_I, CERT_A), "reflected");
    assertFalse(SharedSecret.generate().verify(proof, Role.INITIATOR, NONCE_I, NONCE_A, CERT_I, CERT_A), "other secret");
    assertFalse(secret.verify(proof, Role.INITIATOR, filled(0x33), NONCE_A, CERT_I, CERT_A), "replayed nonce");
    assertFalse(secret.verify(proof, Role.INITIATOR, NONCE_I, filled(0x33), CERT_I, CERT_A), "replayed nonce");
    byte[] relayed = HEX.parseHex("3003020103");
    assertFalse(secret.verify(proof, Role.INITIATOR, NONCE_I, NONCE_A, relayed, CERT_A), "relayed: other cert");
    assertFalse(secret.verify(proof, Role.INITIATOR, NONCE_I, NONCE_A, CERT_I, relayed), "relayed: other cert");
    assertFalse(secret.verify(proof, Role.INITIATOR, NONCE_I, NONCE_A, CERT_A, CERT_I), "certificates swapped");
    assertFalse(secret.verify(Arrays.copyOf(proof, 16), Role.INITIATOR, NONCE_I, NONCE_A, CERT_I, CERT_A));
    assertFalse(secret.verify(new byte[0], Role.INITIATOR, NONCE_I, NONCE_A, CERT_I, CERT_A));
    assertThrows(IllegalArgumentException.class,
        () -> secret.proof(Role.INITIATOR, new byte[16], NONCE_A, CERT_I, CERT_A));
  }

  @Test
  void passphrasesGoThroughPbkdf2WithTheGroupAsSalt() {
    // RFC 7914, section 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64.
    assertEquals("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
        HEX.formatHex(SharedSecret.pbkdf2("passwd".toCharArray(), "salt".getBytes(StandardCharsets.US_ASCII), 1, 64)));
    SharedSecret derived = SharedSecret.fromPassphrase("correct horse battery staple".toCharArray(), "vecino");
    assertEquals(SharedSecret.of(HEX.parseHex("4cccf7690b3f9ea525843bf73a4ab4986258e8fc13efe55bbcdb3f2439ee27b6")), derived);
    assertThrows(IllegalArgumentException.class, () -> SharedSecret.fromPassphrase(new char[0], "vecino"));
  }

  @Test
  void secretFileRoundTripsOwnerOnlyAndIsNeverReplaced(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("group/secret");
    SharedSecret secret = SharedSecret.generate();
    secret.writeNew(file);
    assertEquals(secret, SharedSecret.load(file));
    assertNotEquals(secret, SharedSecret.generate());
    assertEquals("GroupSecret[32 bytes]", SharedSecret.of(SECRET).toString());
    String text = Files.readString(file);
    assertTrue(text.contains("-----BEGIN VECINO GROUP SECRET-----"), text);
    ConfigurationException exists = assertThrows(ConfigurationException.class, () -> SharedSecret.generate().writeNew(file));
    assertTrue(exists.getMessage().contains("never replaces"), exists.getMessage());
    assertEquals(secret, SharedSecret.load(file), "untouched");
    assumeTrue(Files.getFileAttributeView(file, PosixFileAttributeView.class) != null, "POSIX file system");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    ConfigurationException open = assertThrows(ConfigurationException.class, () -> SharedSecret.load(file));
    assertTrue(open.getMessage().contains("chmod 600 " + file), open.getMessage());
  }

  @Test
  void secretFileWithTooFewBytesIsRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("short");
    assertTrue(OwnerOnlyFiles.createNew(file, OwnerOnlyFiles.pem(SharedSecret.PEM_LABEL, new byte[15]), "secret file"));
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> SharedSecret.load(file));
    assertTrue(e.getMessage().contains("16 to 64 bytes"), e.getMessage());
    Path none = dir.resolve("none");
    assertTrue(OwnerOnlyFiles.createNew(none, "just text\n", "secret file"));
    assertThrows(ConfigurationException.class, () -> SharedSecret.load(none));
  }

  @Test
  void commitmentIsSha256OfTheNonceAndOpensOnlyWithIt() {
    byte[] commitment = Pairing.commitment(NONCE_I);
    assertEquals("02d449a31fbb267c8f352e9968a79e3e5fc95c1bbeaa502fd6454ebde5a4bedc", HEX.formatHex(commitment));
    assertTrue(Pairing.opens(commitment, NONCE_I));
    assertFalse(Pairing.opens(commitment, NONCE_A));
    assertFalse(Pairing.opens(commitment, new byte[5]));
  }

  @Test
  void pairingCodeMatchesTheVectorAndIsTheSameOnBothSides() {
    byte[] fpA = filled(0xaa);
    byte[] fpB = filled(0x55);
    assertEquals("734779", Pairing.code(fpA, NONCE_I, fpB, NONCE_A));
    assertEquals("734779", Pairing.code(fpB, NONCE_A, fpA, NONCE_I));
    assertNotEquals("734779", Pairing.code(fpA, NONCE_A, fpB, NONCE_I), "nonces belong to their keys");
    assertThrows(IllegalArgumentException.class, () -> Pairing.code(fpA, NONCE_I, fpA, NONCE_A));
    assertThrows(IllegalArgumentException.class, () -> Pairing.code(new byte[31], NONCE_I, fpB, NONCE_A));
  }

  @Test
  void pairingCodesOfRealKeysAreSixDigitsAndKeyDigestIsTheFingerprintsBytes() {
    NodeKey a = NodeKey.generate();
    NodeKey b = NodeKey.generate();
    byte[] digestA = Pairing.keyDigest(a.publicKey());
    assertEquals(a.id().toString(), HEX.formatHex(digestA, 0, 16));
    byte[] nonceA = SharedSecret.nonce();
    byte[] nonceB = SharedSecret.nonce();
    String code = Pairing.code(digestA, nonceA, Pairing.keyDigest(b.publicKey()), nonceB);
    assertTrue(code.matches("[0-9]{6}"), code);
    assertEquals(code, Pairing.code(Pairing.keyDigest(b.publicKey()), nonceB, digestA, nonceA));
  }

  private static byte[] filled(int b) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) b);
    return bytes;
  }
}
