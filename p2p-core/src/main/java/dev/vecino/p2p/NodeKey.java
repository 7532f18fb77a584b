package dev.vecino.p2p;

import dev.vecino.p2p.internal.tls.OwnerOnlyFiles;
import dev.vecino.p2p.internal.tls.P256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's key pair, which is what the node is: its {@link PeerId} is derived from the public key
 * ({@link PeerId#of(PublicKey)}), and TLS proves that a peer holds the private key, so no node
 * can claim another's id.
 *
 * <p>The algorithm is ECDSA on NIST P-256 ({@code secp256r1}). Its TLS 1.3 signature scheme,
 * {@code ecdsa_secp256r1_sha256}, is one every TLS 1.3 implementation must support (RFC 8446,
 * section 9.1), so every JDK from 17 on (SunEC and SunJSSE), FIPS-configured providers and
 * non-Java implementations of the protocol accept it; Ed25519 is optional in TLS 1.3 and missing
 * from some providers.
 *
 * <p>The {@link #fingerprint()} is the SHA-256 of the public key's SubjectPublicKeyInfo, written
 * as Syncthing writes device ids (base32 in 8 groups of 7 with 4 check characters), for people
 * to compare over the phone; the id is its first 16 bytes. Both stay the same for as long as the
 * key does: the TLS certificate is made anew from the key at each start and does not enter them.
 *
 * <p><b>Key file.</b> {@link #loadOrCreate(Path)} keeps the key in a PEM file: a comment line, the
 * private key as PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, which {@code openssl pkey} reads)
 * and the public key as SubjectPublicKeyInfo ({@code -----BEGIN PUBLIC KEY-----}). It is created
 * readable and writable by its owner only ({@code 0600}), and, as ssh does with its keys, a key
 * file the group or others can access is refused with the {@code chmod} that fixes it. On a file
 * system without POSIX permissions it is used with a logged warning. Rotating the key means
 * deleting (or moving away) the file: the next start creates a new key, and so a new id and
 * fingerprint that peers who pinned the old one must accept again.
 *
 * <p>Thread safety: immutable. {@link #toString()} shows the id and fingerprint, never the
 * private key; equality is by public key.
 */
public final class NodeKey {

  private static final Logger log = LoggerFactory.getLogger(NodeKey.class);
    private static final String WHAT = "key file";

  private final KeyPair keys;
  private final PeerId id;
  private final String fingerprint;

  private NodeKey(KeyPair keys) {
    this.keys = keys;
    byte[] digest = PeerId.spkiSha256(keys.getPublic());
    this.id = PeerId.ofDigest(digest);
    this.fingerprint = Fingerprints.format(digest);
  }

  /**
   * Returns a new key pair, held in memory only (from {@link SecureRandom}).
   *
   * @return a new key
   */
  public static NodeKey generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(P256.CURVE), new SecureRandom());
      return new NodeKey(generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      // Java SE requires P-256; a trimmed runtime (jlink, --limit-modules) may have left its provider out.
      throw new IllegalStateException("this Java runtime has no EC keys on " + P256.CURVE + ", which secure "
          + "nodes need: on JDK 17 to 21 add the module jdk.crypto.ec (jlink --add-modules jdk.crypto.ec), or build "
          + "a plaintext node", e);
    }
  }

  /**
   * Returns the key saved in {@code file}, or creates a new one, saves it owner-only and returns
   * it. Safe against a concurrent start using the same file: one key is created, and both use it.
   *
   * @param file the key file (created with its parent directories if missing)
   * @return the loaded or created key
   * @throws ConfigurationException if the file exists but others may access it (the message
   *     names the {@code chmod} that fixes it), or it holds no valid P-256 key pair
   * @throws UncheckedIOException if the file cannot be read or written
   */
  public static NodeKey loadOrCreate(Path file) {
    Objects.requireNonNull(file, "file");
    if (Files.exists(file)) {
      return load(file);
    }
    NodeKey key = generate();
    try {
      if (!OwnerOnlyFiles.createNew(file, key.encode(), WHAT)) {
        return load(file); // another process created it first
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + WHAT + " " + file, e);
    }
    log.info("{} created node key file {} (fingerprint {})", key.id.shortId(), file, key.fingerprint);
    return key;
  }

  /**
   * Loads a key saved by {@link #loadOrCreate(Path)}.
   *
   * @param file the key file
   * @return the key
   * @throws ConfigurationException if others may access the file (the message names the {@code
   *     chmod} that fixes it), or it holds no valid P-256 key pair
   * @throws UncheckedIOException if the file cannot be read
   */
  public static NodeKey load(Path file) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = OwnerOnlyFiles.read(file, WHAT);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + WHAT + " " + file, e);
    }
    byte[] pkcs8 = OwnerOnlyFiles.unpem(text, "PRIVATE KEY", file, WHAT);
    byte[] spki = OwnerOnlyFiles.unpem(text, "PUBLIC KEY", file, WHAT);
    KeyPair keys;
    try {
      KeyFactory factory = KeyFactory.getInstance("EC");
      keys = new KeyPair(factory.generatePublic(new X509EncodedKeySpec(spki)),
          factory.generatePrivate(new PKCS8EncodedKeySpec(pkcs8)));
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(WHAT + " " + file + " holds no EC key pair", e);
    }
    if (!P256.holds(keys.getPublic()) || !P256.holds(keys.getPrivate())) {
      throw new ConfigurationException(WHAT + " " + file + " holds a key on another curve than P-256");
    }
    if (!matches(keys)) {
      throw new ConfigurationException(WHAT + " " + file + " holds a public key that does not belong to its "
          + "private key");
    }
    return new NodeKey(keys);
  }

  /**
   * Returns the id derived from the public key, {@link PeerId#of(PublicKey)}.
   *
   * @return the node's id
   */
  public PeerId id() {
    return id;
  }

  /**
   * Returns the fingerprint: the public key's SHA-256 as 8 dash-separated groups of 7
   * characters, e.g. {@code P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2}
   * (format in the class comment).
   *
   * @return the fingerprint, 63 characters
   */
  public String fingerprint() {
    return fingerprint;
  }

  /**
   * Returns the public key.
   *
   * @return the public key (an EC key on P-256)
   */
  public PublicKey publicKey() {
    return keys.getPublic();
  }

  /**
   * Returns the fingerprint of any public key, e.g. a peer's from its certificate, in the form
   * {@link #fingerprint()} has.
   *
   * @param key a public key with a SubjectPublicKeyInfo encoding
   * @return its fingerprint
   * @throws IllegalArgumentException if the key has no SubjectPublicKeyInfo encoding
   */
  public static String fingerprintOf(PublicKey key) {
    return Fingerprints.format(PeerId.spkiSha256(key));
  }

  /**
   * Returns a typed fingerprint in the canonical form {@link #fingerprint()} returns, after
   * checking its check characters: dashes and spaces are optional, case is ignored.
   *
   * @param typed a fingerprint as a person typed or pasted it
   * @return the canonical form
   * @throws IllegalArgumentException if it has the wrong length or alphabet, or a check
   *     character does not match (a typo), naming which group
   */
  public static String parseFingerprint(String typed) {
    return Fingerprints.normalize(Objects.requireNonNull(typed, "typed"));
  }

  /** The key pair, for the node's TLS context; never leaves the API package but to internal. */
  KeyPair keyPair() {
    return keys;
  }

  /**
   * Saves this key to {@code file}, owner-only, unless the file holds it already.
   *
   * @throws ConfigurationException if the file holds another key (a key file is never
   *     replaced), or others may access it
   * @throws UncheckedIOException if the file cannot be read or written
   */
  void saveTo(Path file) {
    boolean created;
    try {
      created = OwnerOnlyFiles.createNew(file, encode(), WHAT);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + WHAT + " " + file, e);
    }
    if (!created && !load(file).equals(this)) {
      throw new ConfigurationException(WHAT + " " + file + " holds another key (id " + load(file).id()
          + "); Vecino never replaces a key file: move it away first");
    }
  }

  /** The key file's text. */
  private String encode() {
    return "# Vecino node key (ECDSA P-256). Whoever has this file is this node: keep it owner-only.\n"
        + OwnerOnlyFiles.pem("PRIVATE KEY", keys.getPrivate().getEncoded())
        + OwnerOnlyFiles.pem("PUBLIC KEY", keys.getPublic().getEncoded());
  }

  /** Whether the public key verifies a signature the private key made. */
  private static boolean matches(KeyPair keys) {
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(P256.SIGNATURE);
      signer.initSign(keys.getPrivate());
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(P256.SIGNATURE);
      verifier.initVerify(keys.getPublic());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a key the provider cannot use does not match
    }
  }

  /** Equal when the public keys are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof NodeKey && ((NodeKey) o).keys.getPublic().equals(keys.getPublic());
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Returns {@code NodeKey[id=..., fingerprint=...]}; never the private key. */
  @Override
  public String toString() {
    return "NodeKey[id=" + id + ", fingerprint=" + fingerprint + "]";
  }
}
