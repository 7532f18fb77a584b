package dev.vecino.p2p;

import dev.vecino.p2p.internal.Names;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Properties;

/**
 * A node's identity: its {@link PeerId} and its display name.
 *
 * <p>An identity can be saved to and loaded from a small properties file, so a node keeps its
 * id across restarts and other nodes recognise it by that id.
 *
 * <pre>{@code
 * Identity me = Identity.loadOrCreate(Path.of(System.getProperty("user.home"), ".vecino", "id"), "ana");
 * PeerNode node = PeerNode.builder().identity(me).build().start();
 * }</pre>
 *
 * @param id the node's id
 * @param name the display name, 1 to {@value #MAX_NAME_BYTES} bytes of UTF-8, no control
 *     characters and no bidirectional controls (U+202A to U+202E, U+2066 to U+2069)
 */
public record Identity(PeerId id, String name) {

  /** The longest display name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = Names.MAX_BYTES;

  /**
   * Validates the components.
   *
   * @param id see the record component
   * @param name see the record component
   * @throws IllegalArgumentException if the name is empty, too long or has control characters
   *     or bidirectional controls
   */
  public Identity {
    Objects.requireNonNull(id, "id");
    checkName(name, "name");
  }

  /**
   * Returns a new identity with a random id.
   *
   * @param name the display name
   * @return a new identity
   */
  public static Identity random(String name) {
    return new Identity(PeerId.random(), name);
  }

  /**
   * Returns the identity saved in {@code file}, or creates one with a random id and the given
   * name, saves it, and returns it. When the file exists, its id is kept and its name is
   * replaced by {@code name} if that differs (and saved again).
   *
   * @param file the properties file (created with its parent directories if missing)
   * @param name the display name to use
   * @return the loaded or created identity
   * @throws UncheckedIOException if the file cannot be read or written
   * @throws IllegalArgumentException if the file exists but holds no valid id
   */
  public static Identity loadOrCreate(Path file, String name) {
    Objects.requireNonNull(file, "file");
    Identity identity;
    if (Files.exists(file)) {
      Identity saved = load(file);
      identity = saved.name().equals(name) ? saved : new Identity(saved.id(), name);
      if (identity == saved) {
        return saved;
      }
    } else {
      identity = random(name);
    }
    identity.save(file);
    return identity;
  }

  /**
   * Loads an identity saved by {@link #save(Path)}.
   *
   * @param file the properties file
   * @return the identity
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if the file holds no valid id or name
   */
  public static Identity load(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read identity file " + file, e);
    }
    String id = p.getProperty("id");
    String name = p.getProperty("name");
    if (id == null || name == null) {
      throw new IllegalArgumentException("identity file " + file + " lacks 'id' or 'name'");
    }
    return new Identity(PeerId.parse(id.trim()), name);
  }

  /**
   * Saves this identity to {@code file} atomically (write to a sibling, then move).
   *
   * @param file the properties file; parent directories are created
   * @throws UncheckedIOException if the file cannot be written
   */
  public void save(Path file) {
    Properties p = new Properties();
    p.setProperty("id", id.toString());
    p.setProperty("name", name);
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".identity", ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), "Vecino node identity");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write identity file " + file, e);
    }
  }

  static void checkName(String name, String what) {
    Names.check(name, what);
  }
}
