package dev.vecino.p2p;

import dev.vecino.p2p.internal.Names;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's identity: its {@link PeerId}, its display name and, for a node that speaks TLS, its
 * {@link NodeKey}, from which the id is derived.
 *
 * <p>An identity <b>with a key</b> ({@link #of(NodeKey, String)}, {@link #random(String)}, {@link
 * #loadOrCreate(Path, String)}) has the id of its key, which no other node can claim. An identity
 * <b>without a key</b> ({@link #Identity(PeerId, String)}) may have any id, and is for plaintext
 * nodes only: a node that speaks TLS needs the key.
 *
 * <p><b>Files.</b> {@link #loadOrCreate(Path, String)} keeps the name (and, for reading only, the
 * id) in a small properties file and the key in a key file next to it, named after it with the
 * extension {@code .key} ({@code identity.properties} → {@code identity.key}), owner-only (see
 * {@link NodeKey}). So a node keeps its id across restarts and other nodes recognise it by that
 * id.
 *
 * <p><b>Migration.</b> An identity file written before keys existed holds a random id and has no
 * key file: {@link #loadOrCreate(Path, String)} creates the key, and the node's id becomes the
 * key's, a new id (logged as a warning, the old id kept in the file as {@code previous-id}).
 * Peers that knew the old id meet a new peer. Deleting the key file is how a key is rotated, with
 * the same effect.
 *
 * <pre>{@code
 * Identity me = Identity.loadOrCreate(Path.of(System.getProperty("user.home"), ".vecino", "identity.properties"), "ana");
 * PeerNode node = PeerNode.builder().identity(me).build().start();
 * System.out.println(me.id() + " " + me.key().orElseThrow().fingerprint());
 * }</pre>
 *
 * <p>Thread safety: immutable. Equal when id, name and key (or the lack of one) are;
 * {@link #toString()} never shows the private key.
 */
public final class Identity {

  /** The longest display name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = Names.MAX_BYTES;

  private static final Logger log = LoggerFactory.getLogger(Identity.class);

  private final PeerId id;
  private final String name;
  private final NodeKey key; // null: a plaintext-only identity

  /**
   * Creates an identity without a key, for a plaintext node: any id is allowed, so nothing
   * proves it to peers.
   *
   * @param id the node's id
   * @param name the display name, 1 to {@value #MAX_NAME_BYTES} bytes of UTF-8, no control
   *     characters and no bidirectional controls (U+202A to U+202E, U+2066 to U+2069)
   * @throws IllegalArgumentException if the name is empty, too long or has control characters
   *     or bidirectional controls
   */
  public Identity(PeerId id, String name) {
    this(Objects.requireNonNull(id, "id"), name, null);
  }

  private Identity(PeerId id, String name, NodeKey key) {
    checkName(name, "name");
    this.id = id;
    this.name = name;
    this.key = key;
  }

  /**
   * Returns the identity of a key: the key's id, and the name.
   *
   * @param key the node's key
   * @param name the display name (rules as in {@link #Identity(PeerId, String)})
   * @return the identity
   * @throws IllegalArgumentException if the name is invalid
   */
  public static Identity of(NodeKey key, String name) {
    Objects.requireNonNull(key, "key");
    return new Identity(key.id(), name, key);
  }

  /**
   * Returns a new identity with a new key held in memory only ({@link NodeKey#generate()}), and
   * so a new id each time.
   *
   * @param name the display name
   * @return a new identity
   * @throws IllegalArgumentException if the name is invalid
   */
  public static Identity random(String name) {
    return of(NodeKey.generate(), name);
  }

  /**
   * Returns the identity saved at {@code file}, or creates one, saves it and returns it. The key
   * comes from the key file next to {@code file} ({@link NodeKey#loadOrCreate(Path)}: created if
   * missing, refused if others can read it); the id is the key's. When the file's name differs
   * from {@code name} it is replaced and saved; when its id differs from the key's (a file from
   * before keys, or a rotated key) the id changes, with a warning (see the class comment).
   *
   * @param file the properties file (created with its parent directories if missing)
   * @param name the display name to use
   * @return the loaded or created identity, with its key
   * @throws UncheckedIOException if a file cannot be read or written
   * @throws ConfigurationException if the key file is accessible by others or holds no valid key
   * @throws IllegalArgumentException if the name is invalid
   */
  public static Identity loadOrCreate(Path file, String name) {
    Objects.requireNonNull(file, "file");
    checkName(name, "name");
    Path keyFile = keyFile(file);
    NodeKey key = NodeKey.loadOrCreate(keyFile);
    Identity identity = of(key, name);
    if (!Files.exists(file)) {
      identity.write(file, null);
      return identity;
    }
    Properties saved = read(file);
    String savedId = saved.getProperty("id", "").trim();
    String previous = saved.getProperty("previous-id");
    if (!savedId.isEmpty() && !savedId.equalsIgnoreCase(key.id().toString())) {
      previous = savedId;
      log.warn("{} identity {}: the node's id changes from {} to {}, the id of its key {} (fingerprint {}); peers "
          + "that knew the old id meet a new peer", key.id().shortId(), file, savedId, key.id(), keyFile,
          key.fingerprint());
    }
    if (!name.equals(saved.getProperty("name")) || !key.id().toString().equals(savedId)) {
      identity.write(file, previous);
    }
    return identity;
  }

  /**
   * Loads an identity saved by {@link #save(Path)} or {@link #loadOrCreate(Path, String)}, with
   * the key from the key file next to it if there is one (its id then is the key's), else
   * without a key and with the id in the file. Creates nothing.
   *
   * @param file the properties file
   * @return the identity
   * @throws UncheckedIOException if a file cannot be read
   * @throws ConfigurationException if the key file is accessible by others or holds no valid key
   * @throws IllegalArgumentException if the file holds no valid id or name
   */
  public static Identity load(Path file) {
    Properties p = read(file);
    String id = p.getProperty("id");
    String name = p.getProperty("name");
    if (id == null || name == null) {
      throw new IllegalArgumentException("identity file " + file + " lacks 'id' or 'name'");
    }
    Path keyFile = keyFile(file);
    return Files.exists(keyFile) ? of(NodeKey.load(keyFile), name) : new Identity(PeerId.parse(id.trim()), name);
  }

  /**
   * Saves this identity to {@code file} atomically (write to a sibling, then move), and its key,
   * if it has one, to the key file next to it, owner-only, unless that file holds the key
   * already.
   *
   * @param file the properties file; parent directories are created
   * @throws UncheckedIOException if a file cannot be written
   * @throws ConfigurationException if the key file exists and holds another key (it is never
   *     replaced: move it away first), or is accessible by others
   */
  public void save(Path file) {
    if (key != null) {
      key.saveTo(keyFile(file));
    }
    write(file, null);
  }

  /**
   * Returns the node's id.
   *
   * @return the id; the key's id when there is a key
   */
  public PeerId id() {
    return id;
  }

  /**
   * Returns the display name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the node's key, which a node needs to speak TLS.
   *
   * @return the key, or empty for an identity made with {@link #Identity(PeerId, String)} (or
   *     loaded from a file without a key file)
   */
  public Optional<NodeKey> key() {
    return Optional.ofNullable(key);
  }

  /** The key file that belongs to an identity file: the same name with the extension {@code .key}. */
  static Path keyFile(Path file) {
    String fileName = file.getFileName().toString();
    int dot = fileName.lastIndexOf('.');
    String keyName = (dot > 0 ? fileName.substring(0, dot) : fileName) + ".key";
    return file.resolveSibling(keyName.equals(fileName) ? fileName + ".key" : keyName);
  }

  private static Properties read(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read identity file " + file, e);
    }
    return p;
  }

  private void write(Path file, String previousId) {
    Properties p = new Properties();
    p.setProperty("id", id.toString());
    p.setProperty("name", name);
    if (previousId != null) {
      p.setProperty("previous-id", previousId);
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".identity", ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        p.store(new OutputStreamWriter(out, StandardCharsets.UTF_8), key != null
            ? "Vecino node identity; the id is the key's, from the key file next to this one"
            : "Vecino node identity");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write identity file " + file, e);
    }
  }

  static void checkName(String name, String what) {
    Names.check(name, what);
  }

  /** Equal when id, name and key are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Identity && ((Identity) o).id.equals(id) && ((Identity) o).name.equals(name)
        && Objects.equals(((Identity) o).key, key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, name);
  }

  /** Returns {@code Identity[id=..., name=..., key=<fingerprint or none>]}. */
  @Override
  public String toString() {
    return "Identity[id=" + id + ", name=" + name + ", key=" + (key != null ? key.fingerprint() : "none") + "]";
  }
}
