package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.transport.EventLoop;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session stage of codecs without a handshake (line, classic, third-party): a peer is its
 * address, and the rules are the codec's, through the {@link Codec} SPI (docs/PROTOCOL.md 2, 3).
 *
 * <ul>
 *   <li>First bytes that are a framed Vecino HELLO are refused at once: a framed node is no
 *       peer of this codec, whatever the codec would make of them.
 *   <li>On a connection this node opened, a codec that {@linkplain Codec#greets() greets} says
 *       whether the first read is a greeting ({@link Codec#isGreeting}): a scan counts only
 *       those as peers.
 *   <li>The connection is announced (registered as a peer) when the other side first says
 *       something (a frame, or a name through {@link FrameSink#onRemoteName}), or once the
 *       codec's {@link Codec#announceDelay()} (or the observer's wait) passed: a scanner's probe
 *       that closes sooner never shows up as a peer.
 * </ul>
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; every method runs there.
 */
final class AnnounceSession extends SessionStage {

  /** The connection's logger: these are its log lines, and logging configuration names it. */
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  private final Codec codec;
  private EventLoop.Timer timer;
  /** Whether the first read was a greeting (codecs that greet, connections this node opened). */
  private boolean greeted;
  private boolean announced;

  AnnounceSession(Connection connection, Dispatch dispatch, Codec codec) {
    super(connection, dispatch);
    this.codec = codec;
  }

  @Override
  void open(EventLoop loop, CodecSession encoder) {
    connection.enter(PeerState.CONNECTED);
    long wait = connection.observer().recognitionWaitNanos(codec.announceDelay().toNanos());
    timer = loop.schedule(() -> announce(null), wait, TimeUnit.NANOSECONDS);
  }

  @Override
  boolean firstRead(ByteBuffer data) {
    if (Hello.isFramedHelloHeader(data, data.position(), data.limit())) {
      refuseFramedNode();
      return false;
    }
    if (connection.direction == Direction.OUTBOUND && codec.greets()) {
      // The first read must be a plausible greeting (docs/PROTOCOL.md, 3), stricter than the
      // name the codec makes of it, so a framed HELLO or a banner is no peer.
      greeted = codec.isGreeting(data);
    }
    return true;
  }

  /**
   * The first bytes are a framed HELLO (a framed acceptor greets with it), so the other side
   * is a framed Vecino node, not a peer of this codec. Refused as a stranger is, not named
   * after the HELLO's bytes.
   */
  private void refuseFramedNode() {
    DisconnectReason reason = DisconnectReason.of(Kind.NOT_A_PEER, "a framed Vecino node, not a " + codec.name()
        + " peer (it sent a framed HELLO); use the framed codec");
    connection.observer().rejected(connection, reason);
    connection.failConnect(reason);
    connection.close(reason, false);
  }

  @Override
  public void onFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    if (announced || announce(null)) {
      dispatch.onFrame(type, buf, offset, length);
    }
  }

  @Override
  public void onRemoteName(String name) {
    if (announced) {
      dispatch.onRemoteName(name);
    } else {
      announce(name);
    }
  }

  /**
   * Registers the peer, named {@code name} or after its address, unless the observer ended
   * the connection on what it recognised.
   *
   * @return whether the peer is registered
   */
  private boolean announce(String name) {
    if (announced || connection.publicState() != PeerState.CONNECTED) {
      return announced;
    }
    stopWaiting();
    ScanStatus verdict = greeted ? ScanStatus.PEER : ScanStatus.NOT_A_PEER;
    if (!connection.observer().recognised(connection, verdict, standInHello(name))) {
      return false;
    }
    announced = true;
    // Announced: it no longer holds a pending-handshake slot (a probe does until it closes).
    connection.owner.handshakeEnded(connection);
    connection.owner.registerWithoutHandshake(connection, name);
    connection.sessionDone();
    return true;
  }

  /** A HELLO that stands in for the one this codec lacks: identity by address, the greeting's name. */
  private Hello standInHello(String name) {
    InetSocketAddress a = connection.remoteAddress();
    return new Hello(Hello.MIN_VERSION, Hello.VERSION, PeerRegistry.addressId(a), a.getPort(),
        name != null ? name : Node.format(a), connection.node.config().group(), List.of());
  }

  @Override
  Goodbye goodbye(PeerState state) {
    return Goodbye.FLUSH;
  }

  @Override
  void stopWaiting() {
    if (timer != null) {
      timer.cancel();
    }
  }

  @Override
  void closedUnregistered(DisconnectReason reason, DisconnectReason closeReason) {
    if (closeReason != null && closeReason.kind() == Kind.NOT_A_PEER) {
      return;
    }
    // Closed before it said a word or was announced: a scanner's probe, not an error.
    log.debug("{}: {} connection {} closed without a word (a probe?): {}", connection.node.logName(),
        connection.direction, Node.format(connection.remoteAddress()), reason);
    connection.failConnect(reason.kind() == Kind.CLOSED_LOCALLY ? reason : DisconnectReason.of(Kind.NOT_A_PEER,
        "closed the connection before saying anything (" + reason + ")"));
  }
}
