package dev.vecino.examples.chat;

import dev.vecino.p2p.PeerNode;

/** Small helpers shared by the chat tests. */
final class ChatFormatTestSupport {

  private ChatFormatTestSupport() {}

  /** A node's listening address as {@code host:port}. */
  static String address(PeerNode node) {
    return ChatFormat.address(node.localAddress());
  }
}
