package dev.vecino.p2p;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that records every event, for assertions. */
class Recorder implements PeerListener {
  final List<Peer> connected = new CopyOnWriteArrayList<>();
  final List<Message> messages = new CopyOnWriteArrayList<>();
  final List<DisconnectReason> disconnects = new CopyOnWriteArrayList<>();
  final List<Peer> disconnected = new CopyOnWriteArrayList<>();
  final List<String> threads = new CopyOnWriteArrayList<>();

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

  List<String> texts() {
    return messages.stream().map(Message::text).toList();
  }
}
