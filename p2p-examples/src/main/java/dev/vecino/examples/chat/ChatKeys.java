package dev.vecino.examples.chat;

import dev.vecino.examples.cli.CodecChoice;
import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.NodeKey;
import dev.vecino.p2p.Peer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chat's lines about keys: the one after the start-up line that says whether the chat is
 * secure (and shows its own fingerprint), and {@code /keys}: this node's fingerprint and each
 * connected peer's, for people to compare over the phone (docs/security.md).
 *
 * <p><b>Thread safety:</b> stateless.
 */
final class ChatKeys {

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
   * @param me the node's identity
   * @param peers the connected peers
   * @param format the chat's formatter (numbers, aliases)
   * @return the lines
   */
  static List<String> lines(Identity me, List<Peer> peers, ChatFormat format) {
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
    return lines;
  }
}
