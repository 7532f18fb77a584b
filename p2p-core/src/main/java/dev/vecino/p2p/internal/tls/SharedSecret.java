package dev.vecino.p2p.internal.tls;

import dev.vecino.p2p.ConfigurationException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's shared secret and the proof of knowing it that admission exchanges.
 *
 * <p><b>Where it comes from.</b> {@link #generate()}: 32 random bytes (256 bits), written with
 * {@link #writeNew(Path)} to an owner-only secret file and copied to each member's machine. Or,
 * discouraged, {@link #fromPassphrase(char[], String)}: PBKDF2-HMAC-SHA256 over a human
 * passphrase with the group name as salt and {@value #PBKDF2_ITERATIONS} iterations, logged as a
 * warning, because whoever records one proof (a node that scans connects to strangers) can test
 * passphrases offline at the cost of the iterations each, and human passphrases are few.
 *
 * <p><b>File.</b> UTF-8 text: comment lines, then the secret in base64 between {@code -----BEGIN
 * VECINO GROUP SECRET-----} and {@code -----END VECINO GROUP SECRET-----}; 16 to 64 bytes are
 * accepted. Owner-only as the key file ({@link OwnerOnlyFiles}).
 *
 * <p><b>Proof.</b> {@code HMAC-SHA256(secret, label || 0x00 || nonce_initiator ||
 * nonce_acceptor || u32(len(cert_initiator)) || cert_initiator || u32(len(cert_acceptor)) ||
 * cert_acceptor)}, with {@code u32} big-endian, nonces of {@value #NONCE_BYTES} bytes, the
 * certificates' DER as each side sees them on its own TLS session (channel binding: a proof made
 * for one session verifies on no other, so a captured proof cannot be replayed and a man in the
 * middle, who has two sessions with two different certificate pairs, cannot relay it), and the
 * label {@value #INITIATOR_LABEL} or {@value #ACCEPTOR_LABEL} by the prover's role, so one
 * direction's proof never passes for the other's. The acceptor proves second, after it has
 * verified the initiator's proof, so a stranger who connects learns nothing to guess against.
 *
 * <p>Thread safety: immutable. {@link #toString()} never shows the secret.
 */
public final class SharedSecret {

  /** Random bytes in a generated secret. */
  public static final int SECRET_BYTES = 32;

  /** Bytes in each side's nonce. */
  public static final int NONCE_BYTES = 32;

  /** PBKDF2-HMAC-SHA256 iterations for a passphrase: OWASP's 2023 recommendation. */
  public static final int PBKDF2_ITERATIONS = 600_000;

  /** The initiator's proof label. */
  public static final String INITIATOR_LABEL = "vecino/1 group proof: initiator";

  /** The acceptor's proof label. */
  public static final String ACCEPTOR_LABEL = "vecino/1 group proof: acceptor";

  static final String PEM_LABEL = "VECINO GROUP SECRET";
  private static final String WHAT = "secret file";
  private static final int MIN_BYTES = 16;
  private static final int MAX_BYTES = 64;
  private static final Logger log = LoggerFactory.getLogger(SharedSecret.class);

  /** Which side of the connection proves. */
  public enum Role {
    /** The side that connected; proves first. */
    INITIATOR(INITIATOR_LABEL),
    /** The side that accepted; proves second. */
    ACCEPTOR(ACCEPTOR_LABEL);

    private final byte[] label;

    Role(String label) {
      this.label = label.getBytes(StandardCharsets.US_ASCII);
    }
  }

  private final byte[] secret;

  private SharedSecret(byte[] secret) {
    if (secret.length < MIN_BYTES || secret.length > MAX_BYTES) {
      throw new IllegalArgumentException("a group secret has " + MIN_BYTES + " to " + MAX_BYTES + " bytes, not "
          + secret.length);
    }
    this.secret = secret.clone();
  }

  /**
   * Returns a new secret of {@value #SECRET_BYTES} random bytes.
   *
   * @return the secret
   */
  public static SharedSecret generate() {
    byte[] bytes = new byte[SECRET_BYTES];
    new SecureRandom().nextBytes(bytes);
    return new SharedSecret(bytes);
  }

  /**
   * Returns the secret of the given bytes (test vectors; a secret read elsewhere).
   *
   * @param bytes 16 to 64 bytes, copied
   * @return the secret
   * @throws IllegalArgumentException if the length is out of range
   */
  public static SharedSecret of(byte[] bytes) {
    return new SharedSecret(bytes);
  }

  /**
   * Derives a secret from a passphrase with PBKDF2-HMAC-SHA256, the UTF-8 of {@code
   * "vecino/1 group secret: " + group} as salt, {@value #PBKDF2_ITERATIONS} iterations and 32
   * bytes of output; takes about a second of one core. Logs a warning that a generated secret file is
   * safer.
   *
   * @param passphrase the passphrase (not kept; the caller may clear it)
   * @param group the group name, so that one passphrase gives each group another secret
   * @return the derived secret
   * @throws IllegalArgumentException if the passphrase is empty
   */
  public static SharedSecret fromPassphrase(char[] passphrase, String group) {
    Objects.requireNonNull(group, "group");
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("a group passphrase must not be empty");
    }
    log.warn("group {}: the secret comes from a passphrase; one recorded proof lets anyone guess passphrases "
        + "offline, so prefer a generated secret file", group);
    return new SharedSecret(pbkdf2(passphrase, ("vecino/1 group secret: " + group).getBytes(StandardCharsets.UTF_8),
        PBKDF2_ITERATIONS, SECRET_BYTES));
  }

  /** PBKDF2-HMAC-SHA256, also for the RFC 7914 test vector. */
  static byte[] pbkdf2(char[] passphrase, byte[] salt, int iterations, int bytes) {
    PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, bytes * 8);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform has PBKDF2WithHmacSHA256", e);
    } finally {
      spec.clearPassword();
    }
  }

  /**
   * Loads a secret file written by {@link #writeNew(Path)} (or by hand in its format).
   *
   * @param file the secret file
   * @return the secret
   * @throws ConfigurationException if others may access the file (naming the {@code chmod}
   *     that fixes it), or it holds no secret of 16 to 64 bytes
   * @throws UncheckedIOException if the file cannot be read
   */
  public static SharedSecret load(Path file) {
    String text;
    try {
      text = OwnerOnlyFiles.read(file, WHAT);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + WHAT + " " + file, e);
    }
    byte[] bytes = OwnerOnlyFiles.unpem(text, PEM_LABEL, file, WHAT);
    try {
      return new SharedSecret(bytes);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(WHAT + " " + file + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * Writes this secret to a new owner-only file; never replaces one.
   *
   * @param file the file to create, with its parent directories
   * @throws ConfigurationException if the file exists
   * @throws UncheckedIOException if it cannot be written
   */
  public void writeNew(Path file) {
    String text = "# Vecino group secret. Whoever has it may join the group: keep it owner-only and give it\n"
        + "# to members only, never on a command line.\n" + OwnerOnlyFiles.pem(PEM_LABEL, secret);
    try {
      if (!OwnerOnlyFiles.createNew(file, text, WHAT)) {
        throw new ConfigurationException(WHAT + " " + file + " exists; Vecino never replaces one: move it away first");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + WHAT + " " + file, e);
    }
  }

  /**
   * Returns the proof that {@code role} knows this secret, bound to both nonces and both
   * certificates (format in the class comment).
   *
   * @param role the prover's role
   * @param nonceInitiator the initiator's nonce, {@value #NONCE_BYTES} bytes
   * @param nonceAcceptor the acceptor's nonce, {@value #NONCE_BYTES} bytes
   * @param certInitiator the initiator's certificate DER
   * @param certAcceptor the acceptor's certificate DER
   * @return the 32-byte proof
   * @throws IllegalArgumentException if a nonce has the wrong length
   */
  public byte[] proof(Role role, byte[] nonceInitiator, byte[] nonceAcceptor, byte[] certInitiator,
      byte[] certAcceptor) {
    checkNonce(nonceInitiator, "initiator");
    checkNonce(nonceAcceptor, "acceptor");
    ByteArrayOutputStream message = new ByteArrayOutputStream(160 + certInitiator.length + certAcceptor.length);
    message.writeBytes(role.label);
    message.write(0);
    message.writeBytes(nonceInitiator);
    message.writeBytes(nonceAcceptor);
    writeWithLength(message, certInitiator);
    writeWithLength(message, certAcceptor);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(message.toByteArray());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform has HmacSHA256", e);
    }
  }

  /**
   * Whether {@code proof} is {@link #proof} for these inputs, compared in constant time.
   *
   * @param proof the proof received (any length; a wrong length is false)
   * @param role the prover's role
   * @param nonceInitiator the initiator's nonce
   * @param nonceAcceptor the acceptor's nonce
   * @param certInitiator the initiator's certificate DER
   * @param certAcceptor the acceptor's certificate DER
   * @return true if the prover knows this secret and made the proof for this session
   */
  public boolean verify(byte[] proof, Role role, byte[] nonceInitiator, byte[] nonceAcceptor, byte[] certInitiator,
      byte[] certAcceptor) {
    return MessageDigest.isEqual(proof(role, nonceInitiator, nonceAcceptor, certInitiator, certAcceptor), proof);
  }

  /**
   * Returns a fresh random nonce of {@value #NONCE_BYTES} bytes.
   *
   * @return the nonce
   */
  public static byte[] nonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    new SecureRandom().nextBytes(nonce);
    return nonce;
  }

  static void checkNonce(byte[] nonce, String whose) {
    if (nonce.length != NONCE_BYTES) {
      throw new IllegalArgumentException("the " + whose + "'s nonce has " + NONCE_BYTES + " bytes, not " + nonce.length);
    }
  }

  private static void writeWithLength(ByteArrayOutputStream out, byte[] bytes) {
    int n = bytes.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.writeBytes(bytes);
  }

  /** Equal when the secrets are (compared in constant time). */
  @Override
  public boolean equals(Object o) {
    return o instanceof SharedSecret && MessageDigest.isEqual(((SharedSecret) o).secret, secret);
  }

  @Override
  public int hashCode() {
    return secret.length; // deliberately weak: a hash of the secret would be an oracle in dumps
  }

  /** Returns {@code GroupSecret[n bytes]}, never the secret. */
  @Override
  public String toString() {
    return "GroupSecret[" + secret.length + " bytes]";
  }
}
