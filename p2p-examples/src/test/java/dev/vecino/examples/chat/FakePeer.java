package dev.vecino.examples.chat;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerState;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;

/** A peer handle over a fixed snapshot, for formatting tests: no node, no connection. */
record FakePeer(PeerInfo info) implements Peer {

  @Override
  public PeerId id() {
    return info.id();
  }

  @Override
  public String name() {
    return info.name();
  }

  @Override
  public Optional<String> alias() {
    return Optional.ofNullable(info.alias());
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return info.remoteAddress();
  }

  @Override
  public int listenPort() {
    return info.listenPort();
  }

  @Override
  public Direction direction() {
    return info.direction();
  }

  @Override
  public PeerState state() {
    return info.state();
  }

  @Override
  public Instant connectedSince() {
    return info.connectedSince();
  }

  @Override
  public long queuedBytes() {
    return info.queuedBytes();
  }

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public Instant lastHeard() {
    return info.lastHeard();
  }

  @Override
  public PeerInfo snapshot() {
    return info;
  }
}
