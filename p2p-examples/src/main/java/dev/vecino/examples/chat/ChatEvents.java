package dev.vecino.examples.chat;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerListener;
import java.net.InetSocketAddress;

/**
 * Prints the node's peer events as chat lines: joins, leaves with their reason, messages, calls
 * (with the terminal bell), and a peer's move to another connection (which stands out when it
 * comes from another address: docs/reliability.md lists it among the signs to watch for).
 *
 * <p><b>Threads:</b> called on the node's callback thread; it only prints, through the
 * thread-safe {@link Console#println}.
 */
final class ChatEvents implements PeerListener {

  private final Console console;
  private final ChatFormat format;

  ChatEvents(Console console, ChatFormat format) {
    this.console = console;
    this.format = format;
  }

  @Override
  public void onConnected(Peer peer) {
    console.println(format.joined(peer.snapshot()));
  }

  @Override
  public void onMessage(Message message) {
    PeerInfo from = message.sender().snapshot();
    switch (message.kind()) {
      case TEXT -> console.println(format.message(from, message.text()));
      case CALL -> {
        console.println(format.call(from, message.text()));
        console.bell();
      }
      case BINARY -> console.println(format.event(format.label(from) + " sent "
          + message.size() + " bytes of binary data"));
      default -> console.println(format.event(format.label(from) + " sent a "
          + message.kind() + " message"));
    }
  }

  @Override
  public void onConnectionReplaced(Peer peer, InetSocketAddress oldRemote,
      InetSocketAddress newRemote) {
    console.println(format.replaced(peer.snapshot(), oldRemote, newRemote));
  }

  @Override
  public void onDisconnected(Peer peer, DisconnectReason reason) {
    console.println(format.left(peer.snapshot(), reason));
  }
}
