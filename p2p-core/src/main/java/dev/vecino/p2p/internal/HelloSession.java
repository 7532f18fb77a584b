package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.transport.EventLoop;
import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session stage of codecs with the HELLO handshake (docs/PROTOCOL.md 1.3, 1.4): the
 * acceptor sends its HELLO at once; each side checks the other's (version, self, group), tells
 * the observer what it found, and refuses it with a BYE or hands it to the
 * {@link ConnectionOwner}, which applies the duplicate rules and establishes the connection. On a
 * secure connection a name pinned to another key is refused too ({@link Pins#checkName})
 * ({@link Connection#establish}). Until then only a HELLO, no larger than
 * {@link Hello#MAX_HELLO_FRAME}, or a BYE is acceptable; nothing within the wait is a timeout.
 *
 * <p>A newcomer claiming a connected peer's id may be <em>held</em> while a check of the older
 * connection runs ({@link #hold}): frames that arrive meanwhile are kept and handed on once it
 * is accepted ({@link #replayHeld}).
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; every method runs there.
 */
final class HelloSession extends SessionStage implements TlsStage.Listener {

  /** The connection's logger: these are its log lines, and logging configuration names it. */
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  /** A frame that arrived while the handshake was held, replayed once the connection is accepted. */
  private record HeldFrame(FrameType type, byte[] body) {}

  private final Node node;
  private EventLoop.Timer timer;
  private long waitNanos;
  private boolean byeSupported;
  private boolean held;
  /** Frames that arrived while held (reading is paused, so at most the rest of one read); null when none. */
  private List<HeldFrame> heldFrames;
  /** The connection's encoder, for the pre-HELLO. */
  private CodecSession encoder;
  /** A secure connection's admission, before the HELLOs; null for plaintext. */
  private AdmitExchange admit;

  HelloSession(Connection connection, Dispatch dispatch) {
    super(connection, dispatch);
    this.node = connection.node;
  }

  @Override
  void open(EventLoop loop, CodecSession encoder) {
    this.encoder = encoder;
    byeSupported = encoder.supports(FrameType.BYE);
    // One session throughout; until the handshake is done, the reader caps what it buffers.
    connection.enter(PeerState.HANDSHAKING);
    waitNanos = connection.observer().recognitionWaitNanos(node.config().handshakeTimeout().toNanos());
    timer = loop.schedule(this::timedOut, waitNanos, TimeUnit.NANOSECONDS);
    if (connection.tls() != null) {
      admit = new AdmitExchange(connection, this::admitted, this::extendWait);
    }
    if (connection.direction == Direction.INBOUND && connection.tls() == null) {
      // The acceptor speaks first, so a scanner can verify us without sending a byte.
      connection.sendControl(FrameType.HELLO, node.localHello(), false);
    }
  }

  // ---- the TLS tunnel (a secure connection's TlsStage reports here) ----

  /** The tunnel is up: admission first (the acceptor speaks first inside it too). */
  @Override
  public void secured(X509Certificate peer) {
    if (connection.publicState() == PeerState.HANDSHAKING) {
      admitted(admit.start());
    }
  }

  @Override
  public void tlsFailed(String reason) {
    DisconnectReason r = DisconnectReason.of(Kind.PROTOCOL_ERROR, reason);
    if (connection.publicState() == PeerState.HANDSHAKING) {
      connection.handshakeFailed(r, false);
    } else {
      node.logBudget.log(LogBudget.Topic.PROTOCOL_VIOLATION, "{}: TLS with {} failed: {}", node.logName(),
          Node.format(connection.remoteAddress()), reason);
      connection.close(r, false);
    }
  }

  @Override
  public byte[] preHelloFrame() {
    if (connection.isClosingOrClosed() || encoder == null) {
      return null;
    }
    byte[] body = Tls.preHelloBody();
    try {
      ByteBuffer frame = ByteBuffer.allocate(encoder.encodedLength(FrameType.HELLO, body.length));
      encoder.encode(FrameType.HELLO, body, 0, body.length, frame);
      return Arrays.copyOf(frame.array(), frame.position());
    } catch (CodecException e) {
      throw new IllegalStateException("the codec cannot encode a HELLO", e);
    }
  }

  /** Pairing: a person decides, which takes longer than a handshake; the wait gets a new deadline. */
  private void extendWait(long nanos) {
    stopWaiting();
    waitNanos = nanos;
    timer = connection.eventLoop().schedule(this::timedOut, nanos, TimeUnit.NANOSECONDS);
  }

  /** After an admission step: refuses, or once admitted the acceptor says HELLO. */
  private void admitted(DisconnectReason refusal) {
    if (refusal != null) {
      if (connection.observer().recognised(connection, ScanStatus.NOT_ADMITTED, null)) {
        connection.handshakeFailed(refusal, true);
      }
      return;
    }
    if (admit.admitted() && connection.direction == Direction.INBOUND) {
      connection.sendControl(FrameType.HELLO, node.localHello(), false);
      // The initiator registers us on this HELLO and answers at once. A tunnel that took most of
      // the wait must not time out in the round trip the answer needs: the initiator would
      // have sent messages into a connection we then drop. The wait restarts here, as a
      // plaintext acceptor's starts with its HELLO.
      extendWait(node.config().handshakeTimeout().toNanos());
    }
  }

  @Override
  public void onFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    switch (connection.publicState()) {
      case HANDSHAKING -> handshakeFrame(type, buf, offset, length);
      case CONNECTED, CLOSING -> {
        // Established by a frame earlier in this read: the rest is the peer's.
        if (connection.handle() != null) {
          dispatch.onFrame(type, buf, offset, length);
        }
      }
      default -> {
        // CLOSED: the rest of the read is discarded.
      }
    }
  }

  private void handshakeFrame(FrameType type, ByteBuffer buf, int offset, int length) throws CodecException {
    if (type == FrameType.BYE) {
      byeInHandshake(buf, offset, length);
      return;
    }
    if (held) {
      // The peer thinks the handshake is done and may talk already: keep it for later.
      byte[] body = new byte[length];
      buf.get(offset, body);
      if (heldFrames == null) {
        heldFrames = new ArrayList<>();
      }
      heldFrames.add(new HeldFrame(type, body));
      return;
    }
    if (type == FrameType.ADMIT && admit != null && connection.tls().isSecured()) {
      admitted(admit.onAdmit(buf, offset, length));
      return;
    }
    if (admit != null && connection.tls().isSecured() && !admit.admitted()) {
      throw new CodecException("expected ADMIT, got " + type);
    }
    if (type != FrameType.HELLO || !Hello.hasMagic(buf, offset, length)) {
      throw new CodecException("expected HELLO, got " + type);
    }
    Hello hello = Hello.decode(buf, offset, length);
    TlsStage tls = connection.tls();
    if (tls != null && tls.awaitsStart() && Tls.requiresTls(hello) && node.localHelloRecord().negotiate(hello) >= 0) {
      // The acceptor's pre-HELLO (docs/PROTOCOL.md 1.8): the real HELLO comes inside the tunnel.
      // A Vecino node answered: a scan probe's short wait grows to a handshake's, as a cold or
      // busy peer's first TLS handshake takes longer than a probe waits for a first word.
      extendWait(Math.max(waitNanos, node.config().handshakeTimeout().toNanos()));
      tls.startClient();
      return;
    }
    checkHello(hello);
  }

  private void byeInHandshake(ByteBuffer buf, int offset, int length) {
    Kind kind = Bye.kind(Bye.decodeCode(buf, offset, length));
    String text = Bye.decodeText(buf, offset, length);
    DisconnectReason reason = DisconnectReason.of(kind == Kind.CLOSED_BY_PEER ? Kind.CLOSED_BY_PEER : kind, text);
    // A scanner's probe, a duplicate or a self connection: ordinary, not an error.
    log.debug("{}: {} said BYE during the handshake: {}", node.logName(), Node.format(connection.remoteAddress()),
        Names.printable(reason.toString()));
    if (kind == Kind.NOT_ADMITTED && !connection.observer().recognised(connection, ScanStatus.NOT_ADMITTED, null)) {
      // A scan probe: it reported the secure node that did not admit it, and ends quietly.
      return;
    }
    if (kind == Kind.OTHER_GROUP || kind == Kind.VERSION_UNSUPPORTED || kind == Kind.NOT_ADMITTED) {
      connection.observer().rejected(connection, reason);
    }
    connection.failConnect(reason);
    connection.closedByPeer(reason);
  }

  /**
   * Checks a HELLO (docs/PROTOCOL.md 1.4: version, self, group), tells the observer what it
   * found, then refuses it with a BYE saying why or hands it to the owner, which applies the
   * duplicate rules.
   */
  private void checkHello(Hello hello) {
    DisconnectReason refusal = refusal(hello);
    ScanStatus verdict = refusal == null ? ScanStatus.PEER : switch (refusal.kind()) {
      case VERSION_UNSUPPORTED, PROTOCOL_ERROR -> ScanStatus.INCOMPATIBLE;
      case SELF_CONNECTION -> ScanStatus.SELF;
      case NOT_ADMITTED -> ScanStatus.NOT_ADMITTED;
      default -> ScanStatus.OTHER_GROUP;
    };
    if (!connection.observer().recognised(connection, verdict, hello)) {
      return;
    }
    if (refusal != null) {
      connection.handshakeFailed(refusal, true);
      return;
    }
    connection.owner.onHello(connection, hello);
  }

  /**
   * Why this node refuses {@code hello} (version, self, group, then on a secure connection a name
   * pinned to another key), or null.
   */
  private DisconnectReason refusal(Hello hello) {
    Hello local = node.localHelloRecord();
    String at = Node.format(connection.remoteAddress());
    TlsStage tls = connection.tls();
    if (local.negotiate(hello) < 0 || (tls != null && !tls.isSecured())) {
      return DisconnectReason.of(Kind.VERSION_UNSUPPORTED, "protocol version " + hello.minVersion() + ".."
          + hello.maxVersion() + " unsupported; this node speaks " + local.minVersion() + ".." + local.maxVersion()
          + (tls != null ? " (" + at + " is a plaintext or older Vecino node; this node requires TLS)"
              : Tls.requiresTls(hello) ? " (" + at + " is a secure Vecino node; this node is plaintext)" : ""));
    }
    if (tls != null && !hello.id().equals(Tls.idOf(tls.peerCertificate()))) {
      // The HELLO inside the tunnel must carry the id the peer's key proves: no one claims another's id.
      return DisconnectReason.of(Kind.PROTOCOL_ERROR, "HELLO id " + hello.id().shortId() + " from " + at
          + " does not match the key of its TLS certificate (id " + Tls.idOf(tls.peerCertificate()).shortId() + ")");
    }
    if (hello.id().equals(node.identity().id())) {
      return DisconnectReason.of(Kind.SELF_CONNECTION, at + " is this node");
    }
    String group = node.config().group();
    if (!hello.group().equals(group)) {
      // The name is the peer's choice: escaped, like everything a peer says that reaches a log.
      return DisconnectReason.of(Kind.OTHER_GROUP, "'" + Names.printable(hello.name()) + "' ("
          + hello.id().shortId() + ") at " + at + " is in group '" + Names.printable(hello.group())
          + "', this node in '" + group + "'");
    }
    return tls != null ? node.pins().checkName(connection, hello, admit.pairedFingerprint()) : null;
  }

  private void timedOut() {
    if (connection.publicState() == PeerState.HANDSHAKING) {
      connection.handshakeFailed(DisconnectReason.of(Kind.HANDSHAKE_TIMEOUT,
          "no HELLO within " + TimeUnit.NANOSECONDS.toMillis(waitNanos) + " ms"), false);
    }
  }

  @Override
  Goodbye goodbye(PeerState state) {
    return switch (state) {
      case HANDSHAKING -> byeSupported ? Goodbye.BYE : Goodbye.NONE;
      case CONNECTED -> Goodbye.BYE;
      default -> Goodbye.NONE;
    };
  }

  @Override
  public boolean helloOnly() {
    return !held && connection.publicState() == PeerState.HANDSHAKING;
  }

  @Override
  void stopWaiting() {
    if (timer != null) {
      timer.cancel();
    }
  }

  @Override
  void closed() {
    stopWaiting();
    heldFrames = null;
    if (admit != null) {
      admit.closed();
    }
  }

  /**
   * Holds the handshake after a valid HELLO while a check of the peer's older connection
   * decides whether this one may take its place (docs/PROTOCOL.md 1.4): the wait stops (the
   * check is bounded), reading pauses, and frames already read are kept. Ends with
   * {@link Connection#acceptHeld} or a close.
   */
  @Override
  void hold() {
    held = true;
    stopWaiting();
    connection.pauseReading(true);
  }

  @Override
  boolean isHeld() {
    return held && connection.publicState() == PeerState.HANDSHAKING;
  }

  @Override
  void acceptHeld() {
    held = false;
  }

  /** Hands on the frames that arrived while the handshake was held, as if read now. */
  @Override
  void replayHeld() {
    List<HeldFrame> frames = heldFrames;
    heldFrames = null;
    if (frames == null) {
      return;
    }
    try {
      for (HeldFrame f : frames) {
        if (connection.publicState() == PeerState.CLOSED) {
          break;
        }
        onFrame(f.type(), ByteBuffer.wrap(f.body()), 0, f.body().length);
      }
    } catch (CodecException e) {
      protocolViolation(Kind.PROTOCOL_ERROR, e.getMessage());
    } finally {
      dispatch.flushInbound();
    }
  }
}
