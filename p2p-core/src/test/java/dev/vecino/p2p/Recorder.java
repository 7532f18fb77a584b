package dev.vecino.p2p;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that records every event, for assertions (shared by the codec test packages). */
public class Recorder implements PeerListener {
  public final List<Peer> connected = new CopyOnWriteArrayList<>();
  public final List<Message> messages = new CopyOnWriteArrayList<>();
  public final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();
  public final List<Peer> disconnected = new CopyOnWriteArrayList<>();
  public final List<String> threads = new CopyOnWriteArrayList<>();

  @Override
  public void onConnected(Peer peer) {
    threads.add(Thread.currentThread().getName());
    connected.add(peer);
  }

  @Override
  public void onMessage(Message message) {
    messages.add(message);
  }

  @Override
  public void onDisconnected(Peer peer, DisconnectReason reason) {
    disconnected.add(peer);
    disconnects.add(reason);
  }

  /** Every received payload, as text, in order. */
  public List<String> texts() {
    return messages.stream().map(Message::text).toList();
  }

  /** The received payloads of one kind, as text, in order. */
  public List<String> texts(MessageKind kind) {
    return messages.stream().filter(m -> m.kind() == kind).map(Message::text).toList();
  }

  /** All received text, joined. */
  public String allText() {
    StringBuilder b = new StringBuilder();
    messages.forEach(m -> b.append(m.text()));
    return b.toString();
  }
}
