package dev.vecino.examples.chat;

import dev.vecino.examples.cli.CodecChoice;
import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.NodeKey;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PinnedPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chat's lines about keys: the one after the start-up line that says whether the chat is
 * secure (and shows its own fingerprint), and {@code /keys}: this node's fingerprint and each
 * connected peer's, for people to compare over the phone (docs/security.md), then the keys this
 * chat has pinned (pairing, {@code /trust}).
 *
 * <p><b>Thread safety:</b> stateless.
 */
final class ChatKeys {

  /** The characters of a fingerprint besides dashes and spaces. */
  static final int FINGERPRINT_CHARS = 56;

  private ChatKeys() {}

  /**
   * Returns the line printed under the start-up line.
   *
   * @param me the node's identity
   * @param secure whether the node speaks TLS (framed codec without {@code --plaintext})
   * @param codec the codec
   * @return {@code key fingerprint XXXXXXX-...}, a plaintext warning for a framed
   *     {@code --plaintext} chat, or empty for the line and classic codecs (plaintext by nature)
   */
  static Optional<String> startLine(Identity me, boolean secure, CodecChoice codec) {
    if (secure) {
      return me.key().map(k -> Text.get("chat.keys.start", k.fingerprint()));
    }
    if (codec == CodecChoice.framed) {
      return Optional.of(Text.get("chat.keys.startPlaintext"));
    }
    return Optional.empty();
  }

  /**
   * Formats {@code /keys}: this node, then one line per connected peer, in {@code /peers} order
   * and under its number: {@code 1. bob [3f2a9c01]  127.0.0.1:5000  MFZWI3D-...}, or
   * {@code plaintext, no key} for a peer on a plaintext connection.
   *
   * Then the pinned keys, most recently seen first:
   * {@code   bob [3f2a9c01]  MFZWI3D-...  last seen 2025-05-01 10:56 at 127.0.0.1:5000}.
   *
   * @param me the node's identity
   * @param peers the connected peers
   * @param pinned the pinned peers
   * @param format the chat's formatter (numbers, aliases, time)
   * @return the lines
   */
  static List<String> lines(Identity me, List<Peer> peers, List<PinnedPeer> pinned, ChatFormat format) {
    List<String> lines = new ArrayList<>();
    lines.add(Text.get("chat.keys.you", ChatFormat.clean(me.name()), me.id().shortId(),
        me.key().map(NodeKey::fingerprint).orElse(Text.get("chat.keys.noKey"))));
    if (peers.isEmpty()) {
      lines.add(Text.get("chat.noPeers"));
    }
    for (Peer p : peers) {
      lines.add("  " + format.number(p.snapshot()) + ". "
          + ChatFormat.clean(format.aliasAndName(p.id(), p.name())) + " [" + p.id().shortId() + "]  "
          + ChatFormat.address(p.remoteAddress()) + "  " + p.keyFingerprint().orElse(Text.get("chat.keys.plaintextPeer")));
    }
    if (pinned.isEmpty()) {
      lines.add(Text.get("chat.keys.noPins"));
      return lines;
    }
    lines.add(Text.get("chat.keys.pinned"));
    for (PinnedPeer p : pinned) {
      String seen = p.addresses().isEmpty() ? Text.get("chat.keys.pinnedOnly", format.dateTime(p.firstSeen()))
          : Text.get("chat.keys.seen", format.dateTime(p.lastSeen()), ChatFormat.address(p.addresses().get(0)));
      lines.add("  " + who(p, format) + "  " + p.fingerprint() + "  " + seen);
    }
    return lines;
  }

  /**
   * Names a pinned peer: {@code bob [3f2a9c01]}, with its alias if it has one, or
   * {@code (name not seen yet) [3f2a9c01]} before it connected since it was pinned.
   *
   * @param p the pinned peer
   * @param format the chat's formatter (aliases)
   * @return the label
   */
  static String who(PinnedPeer p, ChatFormat format) {
    String name = p.name().isEmpty() ? null : p.name();
    String alias = format.alias(p.id());
    String label = name == null ? (alias == null ? Text.get("chat.keys.noName") : alias)
        : format.aliasAndName(p.id(), name);
    return ChatFormat.clean(label) + " [" + p.id().shortId() + "]";
  }
}
