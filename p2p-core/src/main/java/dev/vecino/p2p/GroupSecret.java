package dev.vecino.p2p;

import dev.vecino.p2p.internal.tls.SharedSecret;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A group's shared secret: with {@link PeerNodeBuilder#groupSecret(GroupSecret)}, a secure node
 * admits only nodes that prove they know the same secret, and proves it in turn, before either
 * side reveals its name, its group or a message (docs/security.md).
 *
 * <pre>{@code
 * GroupSecret.generate().writeNew(Path.of("team.secret"));   // once; copy the file to each member
 * PeerNode node = PeerNode.builder().name("ana")
 *     .groupSecret(GroupSecret.load(Path.of("team.secret")))
 *     .build().start();
 * }</pre>
 *
 * <p>A generated secret is 256 random bits, kept in an owner-only file (refused when others may
 * read it, as ssh refuses a key file). {@link #fromPassphrase} exists for humans who must type
 * it, and is discouraged: whoever records one proof (a node that scans talks to strangers) can
 * test passphrases offline.
 *
 * <p>Thread safety: immutable. {@link #toString()} never shows the secret.
 */
public final class GroupSecret {

  private final SharedSecret secret;

  private GroupSecret(SharedSecret secret) {
    this.secret = secret;
  }

  /**
   * Returns a new secret of 32 random bytes.
   *
   * @return the secret
   */
  public static GroupSecret generate() {
    return new GroupSecret(SharedSecret.generate());
  }

  /**
   * Loads a secret file written by {@link #writeNew(Path)}.
   *
   * @param file the secret file
   * @return the secret
   * @throws ConfigurationException if others may access the file (naming the {@code chmod}
   *     that fixes it), or it holds no secret of 16 to 64 bytes
   * @throws UncheckedIOException if the file cannot be read
   */
  public static GroupSecret load(Path file) {
    return new GroupSecret(SharedSecret.load(Objects.requireNonNull(file, "file")));
  }

  /**
   * Derives a secret from a passphrase (PBKDF2-HMAC-SHA256, 600,000 iterations, the group as
   * salt; about a second of one core) and logs a warning: a generated secret file is safer.
   *
   * @param passphrase the passphrase (not kept; the caller may clear it)
   * @param group the group the secret is for, so one passphrase gives each group another secret
   * @return the secret
   * @throws IllegalArgumentException if the passphrase is empty
   */
  public static GroupSecret fromPassphrase(char[] passphrase, String group) {
    return new GroupSecret(SharedSecret.fromPassphrase(passphrase, group));
  }

  /**
   * Writes this secret to a new owner-only file, with its parent directories; never replaces one.
   *
   * @param file the file to create
   * @throws ConfigurationException if the file exists
   * @throws UncheckedIOException if it cannot be written
   */
  public void writeNew(Path file) {
    secret.writeNew(Objects.requireNonNull(file, "file"));
  }

  /** The secret, for the node's admission. */
  SharedSecret shared() {
    return secret;
  }

  /** Equal when the secrets are (compared in constant time). */
  @Override
  public boolean equals(Object o) {
    return o instanceof GroupSecret g && g.secret.equals(secret);
  }

  @Override
  public int hashCode() {
    return secret.hashCode();
  }

  /** Returns {@code GroupSecret[n bytes]}, never the secret. */
  @Override
  public String toString() {
    return secret.toString();
  }
}
