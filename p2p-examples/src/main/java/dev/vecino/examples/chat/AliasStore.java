package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.PeerId;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The aliases a user gave to peers, kept by peer id in a properties file
 * ({@code aliases.properties} in the config directory) so they survive reconnects and restarts
 * of either side. Aliases are the chat's own: the library never sees them, and they are never
 * sent over the wire.
 *
 * <p>An alias follows the rules of a peer's name: 1 to 255 UTF-8 bytes, no control characters
 * and no bidirectional embeddings, overrides or isolates (U+202A to U+202E, U+2066 to U+2069),
 * which would show the alias and the rest of its line reversed.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread: the input thread sets
 * aliases, the node's callback thread and the completion reads them. Methods are synchronized;
 * a change is saved before {@link #put} returns.
 */
public final class AliasStore {

  /** The longest alias, in UTF-8 bytes: as long as a peer's name may be. */
  static final int MAX_BYTES = 255;

  /** Where changes are saved; null for a store that lives in memory only. */
  private final Path file;
  private final Map<PeerId, String> aliases = new TreeMap<>();

  private AliasStore(Path file) {
    this.file = file;
  }

  /**
   * Loads the aliases from {@code file}; a missing file means none. Lines whose key is not a
   * peer id, or whose alias breaks the rules (a hand-edited file), are skipped.
   *
   * @param file the properties file
   * @return the store
   * @throws UncheckedIOException if the file exists but cannot be read
   */
  public static AliasStore load(Path file) {
    AliasStore store = new AliasStore(file);
    if (!Files.exists(file)) {
      return store;
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(Text.get("alias.cannotRead", file), e);
    }
    for (String key : p.stringPropertyNames()) {
      String alias = p.getProperty(key).strip();
      if (alias.isEmpty()) {
        continue;
      }
      try {
        check(alias);
        store.aliases.put(PeerId.parse(key.strip()), alias);
      } catch (IllegalArgumentException e) {
        // A hand-edited line with a bad key or alias: ignore it rather than refuse to start.
        continue;
      }
    }
    return store;
  }

  /**
   * Returns a store that starts with {@code initial} and never writes anywhere: for a chat that
   * runs with a temporary id beside another chat that owns the config directory, so the two
   * never overwrite each other's aliases.
   *
   * @param initial the aliases to start with
   * @return the store
   */
  public static AliasStore inMemory(Map<PeerId, String> initial) {
    AliasStore store = new AliasStore(null);
    initial.values().forEach(AliasStore::check);
    store.aliases.putAll(initial);
    return store;
  }

  /**
   * Returns every alias, by peer id.
   *
   * @return an immutable copy
   */
  public synchronized Map<PeerId, String> all() {
    return Map.copyOf(aliases);
  }

  /**
   * Returns the alias of one peer.
   *
   * @param id the peer
   * @return the alias, or null if none is set
   */
  public synchronized String get(PeerId id) {
    return aliases.get(id);
  }

  /**
   * Sets or clears one alias and saves the file at once (if the store has one).
   *
   * @param id the peer (need not be connected)
   * @param alias the alias, or null to clear it
   * @throws IllegalArgumentException if the alias breaks the rules (see the class comment);
   *     nothing changes then
   * @throws UncheckedIOException if the file cannot be written
   */
  public synchronized void put(PeerId id, String alias) {
    Objects.requireNonNull(id, "id");
    if (alias == null) {
      aliases.remove(id);
    } else {
      check(alias);
      aliases.put(id, alias);
    }
    save();
  }

  /**
   * Checks an alias against the rules in the class comment.
   *
   * @param alias the alias
   * @throws IllegalArgumentException naming what is wrong
   */
  static void check(String alias) {
    if (alias.isEmpty()) {
      throw new IllegalArgumentException(Text.get("alias.empty"));
    }
    if (alias.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException(Text.get("alias.long", MAX_BYTES));
    }
    for (int i = 0; i < alias.length(); i++) {
      char c = alias.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(Text.get("alias.control", ChatFormat.clean(alias)));
      }
      if ((c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
        throw new IllegalArgumentException(Text.get("alias.bidi",
            String.format(java.util.Locale.ROOT, "U+%04X", (int) c), ChatFormat.clean(alias)));
      }
    }
  }

  /** Writes the file. Called with the lock held. */
  private void save() {
    if (file == null) {
      return;
    }
    Properties p = new Properties();
    aliases.forEach((id, alias) -> p.setProperty(id.toString(), alias));
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".aliases", ".tmp");
      try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(out, "Vecino peer aliases: peer id = alias");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(Text.get("alias.cannotWrite", file), e);
    }
  }
}
