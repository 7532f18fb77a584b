package dev.vecino.examples.chat;

import dev.vecino.p2p.Identity;
import dev.vecino.p2p.PeerId;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The chat's side of the one-time move to ids derived from keys (docs/security.md, section 4).
 * A config directory from before keys holds {@code identity.properties} with a random id and no
 * {@code identity.key}; loading it ({@code Identity.loadOrCreate}) creates the key, and the node's
 * id becomes the key's. The library logs that as a warning, which the chat's quiet logs hide, so
 * the chat says it once, at that start.
 *
 * <p>Nothing else the chat keeps is keyed by its own id: the aliases are keyed by the peers' ids
 * and carry over unchanged, and the history is plain lines. What cannot be carried is a peer's
 * own move: when a peer gets its key, its new id is unknown until it connects, so an alias given
 * to its old id no longer finds it; the note says to name it again.
 *
 * <p><b>Thread safety:</b> immutable.
 */
final class KeyMigration {

  /** The chat's identity file in its config directory. */
  static final String IDENTITY_FILE = "identity.properties";
  /** The key file the library keeps next to it. */
  static final String KEY_FILE = "identity.key";

  /** The id of an identity file that has no key file yet, or null when nothing migrates. */
  private final String oldId;

  private KeyMigration(String oldId) {
    this.oldId = oldId;
  }

  /**
   * Looks at a config directory before its identity is loaded.
   *
   * @param dir the chat's config directory
   * @return what will migrate (possibly nothing)
   */
  static KeyMigration check(Path dir) {
    Path identity = dir.resolve(IDENTITY_FILE);
    if (!Files.isRegularFile(identity) || Files.exists(dir.resolve(KEY_FILE))) {
      return new KeyMigration(null);
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(identity, StandardCharsets.UTF_8)) {
      p.load(in);
    } catch (IOException | IllegalArgumentException e) {
      // Unreadable: loading the identity reports it; there is no old id to name here.
      return new KeyMigration(null);
    }
    String id = p.getProperty("id", "").strip();
    return new KeyMigration(id.isEmpty() ? null : id);
  }

  /**
   * Returns the notes to print once the identity is loaded: none unless the id changed.
   *
   * @param now the loaded identity
   * @param aliases how many aliases the chat keeps
   * @return the notes
   */
  List<String> notes(Identity now, int aliases) {
    List<String> notes = new ArrayList<>();
    if (oldId == null || oldId.equalsIgnoreCase(now.id().toString())) {
      return notes;
    }
    notes.add("note: this node now has a key (" + KEY_FILE + ", keep it private) and a new id "
        + now.id().shortId() + " derived from it (was " + shortId(oldId) + "); peers that knew the"
        + " old id meet a new peer");
    if (aliases > 0) {
      notes.add("note: your aliases stay with the ids peers had; a peer that got a key too has a"
          + " new id, unknown until it connects: name it again with /name");
    }
    return notes;
  }

  private static String shortId(String id) {
    try {
      return PeerId.parse(id).shortId();
    } catch (IllegalArgumentException e) {
      return id;
    }
  }
}
