package dev.vecino.p2p.classic;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records a node's listener events for assertions. */
public final class Recorder implements PeerListener {

  public final List<Peer> connected = new CopyOnWriteArrayList<>();
  public final List<Peer> disconnected = new CopyOnWriteArrayList<>();
  public final List<Message> messages = new CopyOnWriteArrayList<>();

  @Override
  public void onConnected(Peer peer) {
    connected.add(peer);
  }

  @Override
  public void onMessage(Message message) {
    messages.add(message);
  }

  @Override
  public void onDisconnected(Peer peer, DisconnectReason reason) {
    disconnected.add(peer);
  }

  /** All received payloads of a kind, as text, in order. */
  public List<String> texts(MessageKind kind) {
    return messages.stream().filter(m -> m.kind() == kind).map(Message::text).toList();
  }

  /** All received text joined. */
  public String allText() {
    StringBuilder b = new StringBuilder();
    messages.forEach(m -> b.append(m.text()));
    return b.toString();
  }
}
