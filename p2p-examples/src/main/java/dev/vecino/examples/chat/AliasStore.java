package dev.vecino.examples.chat;

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
import java.util.Properties;
import java.util.TreeMap;

/**
 * The aliases a user gave to peers, kept by peer id in a properties file
 * ({@code aliases.properties} in the config directory) so they survive restarts of either
 * side.
 *
 * <p><b>Thread safety:</b> not thread-safe; the chat's input thread owns it.
 */
public final class AliasStore {

  /** Where changes are saved; null for a store that lives in memory only. */
  private final Path file;
  private final Map<PeerId, String> aliases = new TreeMap<>();

  private AliasStore(Path file) {
    this.file = file;
  }

  /**
   * Loads the aliases from {@code file}; a missing file means none. Lines whose key is not a
   * peer id are skipped.
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
      throw new UncheckedIOException("cannot read aliases file " + file, e);
    }
    for (String key : p.stringPropertyNames()) {
      String alias = p.getProperty(key).strip();
      if (alias.isEmpty()) {
        continue;
      }
      try {
        store.aliases.put(PeerId.parse(key.strip()), alias);
      } catch (IllegalArgumentException e) {
        // A hand-edited line with a bad key: ignore it rather than refuse to start.
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
    store.aliases.putAll(initial);
    return store;
  }

  /**
   * Returns every alias, by peer id.
   *
   * @return an immutable copy
   */
  public Map<PeerId, String> all() {
    return Map.copyOf(aliases);
  }

  /**
   * Sets or clears one alias and saves the file at once (if the store has one).
   *
   * @param id the peer
   * @param alias the alias, or null to clear it
   * @throws UncheckedIOException if the file cannot be written
   */
  public void put(PeerId id, String alias) {
    if (alias == null) {
      aliases.remove(id);
    } else {
      aliases.put(id, alias);
    }
    save();
  }

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
      throw new UncheckedIOException("cannot write aliases file " + file, e);
    }
  }
}
