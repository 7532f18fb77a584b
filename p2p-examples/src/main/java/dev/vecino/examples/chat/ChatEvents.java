package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
  private final int maxRetries;
  /** What each peer that left was called, for the reconnect lines that name it by id only. */
  private final Map<PeerId, String> labels = new ConcurrentHashMap<>();

  ChatEvents(Console console, ChatFormat format) {
    this(console, format, 0);
  }

  /**
   * Creates the listener.
   *
   * @param maxRetries the retries the chat's backoff allows, for "retry 2 of 6"; 0 for no limit
   */
  ChatEvents(Console console, ChatFormat format, int maxRetries) {
    this.console = console;
    this.format = format;
    this.maxRetries = maxRetries;
  }

  @Override
  public void onReconnecting(InetSocketAddress address, PeerId lastId, int attempt, Duration delay) {
    String n = maxRetries > 0 ? Text.get("events.attemptOf", attempt, maxRetries)
        : String.valueOf(attempt);
    String in = String.format(Locale.ROOT, "%.1f s", delay.toMillis() / 1000.0);
    if (lastId == null) {
      // A connect the user asked for that found nobody yet; the give-up line comes with its cause.
      console.println(format.event(Text.get("events.noAnswer", ChatFormat.address(address), n, in)));
    } else {
      console.println(format.event(Text.get("events.reconnecting", lastPeer(lastId),
          ChatFormat.address(address), in, n)));
    }
  }

  @Override
  public void onReconnectFailed(InetSocketAddress address, PeerId lastId, int attempts) {
    if (lastId != null) {
      console.error(Text.plural("events.gaveUp", attempts, lastPeer(lastId),
          ChatFormat.address(address)));
    }
  }

  private String lastPeer(PeerId id) {
    String label = labels.get(id);
    return (label != null ? label + " " : "") + Text.get("format.id", id.shortId());
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
      case BINARY -> console.println(format.event(Text.get("events.binary", format.label(from),
          message.size())));
      default -> console.println(format.event(Text.get("events.other", format.label(from),
          message.kind())));
    }
  }

  @Override
  public void onConnectionReplaced(Peer peer, InetSocketAddress oldRemote,
      InetSocketAddress newRemote) {
    console.println(format.replaced(peer.snapshot(), oldRemote, newRemote, peer.keyFingerprint().isPresent()));
  }

  @Override
  public void onDisconnected(Peer peer, DisconnectReason reason) {
    labels.put(peer.id(), format.label(peer));
    console.println(format.left(peer.snapshot(), reason));
  }
}
