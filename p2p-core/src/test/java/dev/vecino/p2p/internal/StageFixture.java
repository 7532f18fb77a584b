package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.Recorder;
import dev.vecino.p2p.embedded.EmbeddedChannel;
import dev.vecino.p2p.embedded.EmbeddedEventLoop;
import dev.vecino.p2p.embedded.ManualTransport;
import dev.vecino.p2p.scan.ScanStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * Runs one {@link Connection}, with the stages its codec chooses, on an {@link EmbeddedChannel}
 * of its own loop, reporting to a {@link RecordingOwner} instead of a node's registry: the
 * session and dispatch stages under test, and nothing of the node but its configuration and
 * listeners (a started node on a {@link ManualTransport}, with direct callbacks, so messages
 * reach {@link #recorder} on the test thread).
 */
final class StageFixture implements AutoCloseable {

  final EmbeddedEventLoop loop = new EmbeddedEventLoop();
  final Recorder recorder = new Recorder();
  final RecordingOwner owner = new RecordingOwner();
  final Node node;
  private int nextPort = 40_000;

  StageFixture(UnaryOperator<PeerNodeBuilder> options) {
    PeerNodeBuilder b = PeerNode.builder().plaintext(true).name("local").bindAddress("127.0.0.1").transport(new ManualTransport())
        .directCallbacks(true).heartbeatInterval(java.time.Duration.ZERO).listener(recorder);
    this.node = (Node) options.apply(b).build().start();
    loop.claim();
  }

  /** A new connection in {@code direction}, watched by {@code observer} (null: the owner). */
  Connection connection(Direction direction, SessionObserver observer) {
    InetSocketAddress remote = new InetSocketAddress("127.0.0.2", nextPort++);
    // An outbound connection has a connect future: the owner hears when it fails.
    CompletableFuture<Peer> future = direction == Direction.OUTBOUND ? new CompletableFuture<>() : null;
    return new Connection(node, owner, observer == null ? owner : observer, direction, remote, future);
  }

  /** Opens {@code c} on an embedded channel: the connection's first event. */
  EmbeddedChannel open(Connection c) {
    return new EmbeddedChannel(loop, c, c.target).open();
  }

  @Override
  public void close() {
    node.close();
  }

  /** A {@link ConnectionOwner} that records each report and registers peers with handles of its own. */
  final class RecordingOwner implements ConnectionOwner {
    final List<Hello> hellos = new CopyOnWriteArrayList<>();
    final List<String> registered = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> rejections = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> connectFailures = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> closes = new CopyOnWriteArrayList<>();
    final List<Connection> ended = new CopyOnWriteArrayList<>();
    /** Whether a HELLO handed over is accepted (the connection is established). */
    boolean accept = true;
    private long sequence;

    @Override
    public boolean track(Connection c) {
      return true;
    }

    @Override
    public void handshakeEnded(Connection c) {
      ended.add(c);
    }

    @Override
    public void onHello(Connection c, Hello hello) {
      hellos.add(hello);
      if (accept) {
        PeerHandle h = new PeerHandle(node, hello.id(), hello.name(), hello.listenPort(), ++sequence, c);
        c.handshakeDone(h, c.direction == Direction.OUTBOUND);
      }
    }

    @Override
    public void registerWithoutHandshake(Connection c, String name) {
      registered.add(String.valueOf(name));
      String key = Node.format(c.remoteAddress());
      c.attachWithoutHandshake(new PeerHandle(node, PeerRegistry.addressId(c.remoteAddress()),
          name != null ? name : key, 0, ++sequence, c));
    }

    @Override
    public void rejected(Connection c, DisconnectReason reason) {
      rejections.add(reason);
    }

    @Override
    public void failConnect(Connection c, DisconnectReason reason) {
      connectFailures.add(reason);
    }

    @Override
    public void connectFailed(Connection c, IOException cause) {
      connectFailures.add(DisconnectReason.of(DisconnectReason.Kind.CONNECTION_LOST, String.valueOf(cause)));
    }

    @Override
    public void closed(Connection c, DisconnectReason reason) {
      closes.add(reason);
    }
  }

  /**
   * A {@link SessionObserver} that records what the session recognised; it ends the connection
   * itself (as a scan probe that keeps nothing does) unless {@link #goOn}.
   */
  static final class RecordingObserver implements SessionObserver {
    final List<ScanStatus> verdicts = new CopyOnWriteArrayList<>();
    final List<Hello> hellos = new CopyOnWriteArrayList<>();
    final List<DisconnectReason> rejections = new CopyOnWriteArrayList<>();
    final long waitNanos;
    boolean goOn;
    boolean done;
    boolean closedEarly;

    RecordingObserver(long waitNanos, boolean goOn) {
      this.waitNanos = waitNanos;
      this.goOn = goOn;
    }

    @Override
    public long recognitionWaitNanos(long usualNanos) {
      return waitNanos;
    }

    @Override
    public boolean recognised(Connection c, ScanStatus verdict, Hello hello) {
      verdicts.add(verdict);
      hellos.add(hello);
      if (!goOn) {
        c.closeQuietly(DisconnectReason.of(DisconnectReason.Kind.CLOSED_LOCALLY, "probe"), 1_000_000);
      }
      return goOn;
    }

    @Override
    public void rejected(Connection c, DisconnectReason reason) {
      rejections.add(reason);
    }

    @Override
    public void sessionDone() {
      done = true;
    }

    @Override
    public void sessionClosed(boolean opened, IOException cause, boolean droppedWithoutAWord) {
      closedEarly = true;
    }
  }
}
