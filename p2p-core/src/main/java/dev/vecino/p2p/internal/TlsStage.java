package dev.vecino.p2p.internal;

import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The TLS 1.3 stage of a secure connection (docs/PROTOCOL.md 1.8): a {@link ByteStage} next to
 * the transport that runs a JSSE {@link SSLEngine} over non-blocking I/O.
 *
 * <p><b>Before the tunnel.</b> The acceptor speaks first, in clear: its pre-HELLO (a HELLO
 * frame that says "protocol 2, TLS required" and nothing identifying). The initiator's stage
 * passes it up unchanged, and the session, having checked it, calls {@link #startClient}. The
 * acceptor's stage then looks at the first byte it reads: a TLS handshake record ({@code 0x16})
 * starts the tunnel; anything else is a node that does not speak TLS, whose frames (a BYE that
 * says "unsupported version", say) go up in clear, and so do the session's refusals: this
 * stage is a pass-through until the tunnel starts, and the session never sends its HELLO
 * before it is {@link #isSecured secured}.
 *
 * <p><b>The tunnel.</b> Handshake messages are wrapped and unwrapped on the I/O thread; the
 * engine's delegated tasks (key exchange, signatures, the trust manager) run on the node's
 * bounded TLS executor, never on the I/O thread, which carries on with other connections
 * meanwhile; a handshake under way goes before a new one there ({@link Tls.Step}). One
 * exception: JSSE makes the initiator's ClientHello, with its two key shares (x25519 and
 * secp256r1, the JDK's default groups), inside {@code beginHandshake}, which runs
 * on the I/O thread (about a millisecond per outbound connection). Once the handshake is done
 * the session hears {@link Listener#secured}, with the peer's certificate. Writes before that
 * take nothing (the writer waits for {@link #onWritable}, which this stage calls once the
 * tunnel is up). Inbound records may be cut anywhere by reads, and reads may hold many records;
 * outbound, one write becomes as many records as it needs, written together.
 * {@link #shutdownOutput} sends close_notify after the last record.
 *
 * <h2>Design and hazards</h2>
 * <table>
 * <caption>State: who owns it</caption>
 * <tr><th>state</th><th>owner</th></tr>
 * <tr><td>{@code netIn}, {@code appIn}, {@code tasksRunning}, {@code stepped}, {@code closing},
 * {@code closeWhenDrained}, every {@code engine.unwrap}</td><td>the I/O thread</td></tr>
 * <tr><td>when the socket is read: the connection's pause, the turn's record budget, the end
 * of stream held for the writer's records</td><td>{@link TlsReadGate}, on the I/O thread</td></tr>
 * <tr><td>the outbound half: every {@code engine.wrap}, records not yet written, the end of the
 * stream</td><td>{@link TlsWriter}, under its lock: the write-turn holder (the I/O thread or a
 * sender), or the I/O thread for the engine's own messages, which the turn does not cover</td></tr>
 * <tr><td>{@code mode}</td><td>written on the I/O thread, read by writers (volatile)</td></tr>
 * <tr><td>{@code dropped}</td><td>written on the I/O thread when the connection closed, read by
 * its queued task step on the TLS thread (volatile)</td></tr>
 * </table>
 * <p>Invariants: (1) every byte written after the pre-HELLO and before the tunnel starts is a
 * refusal (a BYE), never identifying; (2) {@code unwrap} runs on the I/O thread, which JSSE
 * allows concurrently with a wrap; (3) at most {@link TlsReadGate#RECORDS_PER_TURN} records
 * are unwrapped per loop turn, and nothing while the connection paused reading. When the socket is read, and
 * why records read before a pause or before the peer's close_notify cannot be overtaken by its
 * end of stream, is {@link TlsReadGate}'s; the writer's invariants are {@link TlsWriter}'s.
 */
final class TlsStage extends ByteStage {

  /** What a TLS connection tells its session. I/O thread. */
  interface Listener {
    /** The tunnel is up: the peer proved it holds the key of {@code peer}. */
    void secured(X509Certificate peer);

    /** The tunnel failed (a handshake error, a TLS alert, the executor full): close with {@code reason}. */
    void tlsFailed(String reason);

    /** The acceptor's pre-HELLO, encoded by the connection's codec; null once the connection is closing. */
    byte[] preHelloFrame();
  }

  /** A TLS handshake record's first byte (content type 22). */
  static final int HANDSHAKE_RECORD = 0x16;

  private enum Mode {
    /** Initiator before {@link #startClient}, or a peer that does not speak TLS: bytes pass unchanged. */
    CLEAR,
    /** The acceptor sent its pre-HELLO and waits for the first byte. */
    SNIFF,
    HANDSHAKE,
    OPEN,
    FAILED
  }

  private final SSLEngine engine;
  private final Listener listener;
  private final Executor tasks;
  private final boolean client;
  private final long lingerNanos;
  private final long closeNanos;
  private final TlsWriter writer;
  private volatile Mode mode;
  /** The connection closed: its queued delegated tasks are skipped (see the table). */
  private volatile boolean dropped;

  // I/O thread.
  /** Closing: the peer's last records are read and dropped (see {@link #close}). */
  private boolean closing;
  /** Closing after the stream had ended: close as soon as the held records are out. */
  private boolean closeWhenDrained;
  private ByteBuffer netIn;
  private ByteBuffer appIn;
  private boolean tasksRunning;
  /** A batch of delegated tasks went to the executor already: the handshake is under way. */
  private boolean stepped;
  /** When the socket is read: the connection's pause, the turn's budget, the end of stream held. */
  private final TlsReadGate gate = new TlsReadGate(this);
  private X509Certificate peer;

  /**
   * @param engine a fresh engine in the right mode ({@code getUseClientMode()} says which side)
   * @param tasks runs the engine's delegated tasks; may refuse them (the handshake then fails)
   * @param lingerNanos how long a close waits for records already counted as written
   * @param closeNanos how long a close waits for the peer to close after our close_notify
   */
  TlsStage(ChannelHandler upstream, SSLEngine engine, Listener listener, Executor tasks, long lingerNanos,
      long closeNanos) {
    super(upstream);
    this.lingerNanos = lingerNanos;
    this.closeNanos = closeNanos;
    this.engine = engine;
    this.listener = listener;
    this.tasks = tasks;
    this.client = engine.getUseClientMode();
    this.writer = new TlsWriter(engine, () -> downstream);
    this.mode = client ? Mode.CLEAR : Mode.SNIFF;
  }

  /** Whether the tunnel is up. */
  boolean isSecured() {
    return mode == Mode.OPEN;
  }

  /** The peer's certificate once {@link #isSecured}, else null. I/O thread. */
  X509Certificate peerCertificate() {
    return peer;
  }

  /** The certificate this side presented, once {@link #isSecured}, else null. I/O thread. */
  X509Certificate localCertificate() {
    Certificate[] local = engine.getSession().getLocalCertificates();
    return local != null && local.length > 0 && local[0] instanceof X509Certificate x ? x : null;
  }

  /** Whether the initiator may still start the tunnel: nothing but the pre-HELLO has happened. I/O thread. */
  boolean awaitsStart() {
    return client && mode == Mode.CLEAR && netIn == null;
  }

  // ---- opening ----

  @Override
  public void onOpen(Channel channel) {
    downstream = channel;
    upstream.onOpen(this);
    if (!client && channel.isOpen()) {
      // After the connection opened (one over a limit is closed before anything is sent), and
      // on the loop's next turn, as the session's own first frame would be.
      channel.eventLoop().execute(this::sendPreHello);
    }
  }

  private void sendPreHello() {
    Channel channel = downstream;
    byte[] frame = listener.preHelloFrame();
    if (frame == null || mode != Mode.SNIFF || !channel.isOpen()) {
      return;
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(frame);
      while (b.hasRemaining() && channel.write(b) > 0) {
        // A fresh socket takes a few dozen bytes at once.
      }
      if (b.hasRemaining()) {
        fail("the socket took no pre-HELLO");
      }
    } catch (IOException e) {
      fail("the pre-HELLO could not be sent: " + e.getMessage());
    }
  }

  /** The initiator's session checked the acceptor's pre-HELLO: starts the handshake. I/O thread. */
  void startClient() {
    if (!awaitsStart()) {
      throw new IllegalStateException("the tunnel starts once, on the initiator, after the pre-HELLO");
    }
    begin();
    handshake();
  }

  private void begin() {
    writer.begin();
    netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    appIn = ByteBuffer.allocate(4 * engine.getSession().getApplicationBufferSize());
    mode = Mode.HANDSHAKE;
    try {
      engine.beginHandshake();
    } catch (SSLException e) {
      fail("TLS handshake failed: " + e.getMessage());
    }
  }

  // ---- reading (I/O thread) ----

  @Override
  public void onRead(ByteBuffer data) {
    switch (mode) {
      case CLEAR -> upstream.onRead(data);
      case SNIFF -> {
        if (!data.hasRemaining()) {
          return;
        }
        if ((data.get(data.position()) & 0xFF) != HANDSHAKE_RECORD) {
          // Not TLS: an older or plaintext node answering our pre-HELLO; its session refuses it.
          mode = Mode.CLEAR;
          upstream.onRead(data);
          return;
        }
        begin();
        unwrap(data);
      }
      case HANDSHAKE, OPEN -> {
        if (closing) {
          // The peer's last records after our close: read so the socket closes without a reset.
          data.position(data.limit());
        } else {
          unwrap(data);
        }
      }
      case FAILED -> data.position(data.limit());
    }
  }

  /** Unwraps what arrived, after what an earlier read left, as far as it goes. */
  private void unwrap(ByteBuffer data) {
    if (netIn.remaining() < data.remaining()) {
      // Reads hold many records; held back (tasks running, reading paused) they wait here.
      ByteBuffer bigger = ByteBuffer.allocate(netIn.position() + data.remaining());
      netIn.flip();
      bigger.put(netIn);
      netIn = bigger;
    }
    netIn.put(data);
    unwrapBuffered();
  }

  /** Unwraps the buffered records as far as the engine, the gate and the tasks let it. I/O thread. */
  void unwrapBuffered() {
    netIn.flip();
    try {
      while (mode == Mode.HANDSHAKE || mode == Mode.OPEN) {
        if (appIn == null) {
          break; // closed by what was delivered (onClosed dropped the buffers)
        }
        if (tasksRunning || (gate.connectionPaused() && mode == Mode.OPEN) || !netIn.hasRemaining()
            || !gate.mayUnwrap()) {
          break;
        }
        SSLEngineResult r = engine.unwrap(netIn, appIn);
        SSLEngineResult.Status s = r.getStatus();
        gate.unwrapped(r.bytesConsumed());
        if (s == SSLEngineResult.Status.BUFFER_OVERFLOW) {
          if (appIn.position() == 0) {
            appIn = ByteBuffer.allocate(Math.max(2 * appIn.capacity(), engine.getSession().getApplicationBufferSize()));
          } else {
            deliver();
          }
          continue;
        }
        if (s == SSLEngineResult.Status.CLOSED) {
          // close_notify: the peer's EOF follows; nothing more is read.
          netIn.position(netIn.limit());
          gate.closeNotified(writer.holding());
          break;
        }
        if (!afterEngineStep(r.getHandshakeStatus()) || s == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
          break;
        }
      }
    } catch (SSLException e) {
      fail("TLS failed: " + e.getMessage());
      return;
    } finally {
      if (netIn != null) {
        netIn.compact();
      }
    }
    deliver();
  }

  /** Whether records read from the socket wait to be unwrapped. I/O thread. */
  boolean inputBuffered() {
    return netIn != null && netIn.position() > 0;
  }

  /** Whether the stage closed and dropped its buffers. I/O thread. */
  boolean inputDropped() {
    return netIn == null;
  }

  /** Whether the engine unwraps: the handshake or the tunnel runs. */
  boolean unwrapping() {
    return mode == Mode.HANDSHAKE || mode == Mode.OPEN;
  }

  /** Whether {@link #close} began. I/O thread. */
  boolean isClosing() {
    return closing;
  }

  /** Hands what was decrypted up to the connection. */
  private void deliver() {
    // Held in a local: what goes up may close the connection (a BYE), and onClosed drops appIn.
    ByteBuffer in = appIn;
    if (in == null || in.position() == 0 || mode == Mode.FAILED) {
      return;
    }
    in.flip();
    try {
      upstream.onRead(in);
    } finally {
      in.clear();
    }
  }

  /**
   * Carries on after a wrap or unwrap whose handshake status is {@code hs}: runs tasks,
   * wraps what the engine must send, notices the handshake's end.
   *
   * @return false when the caller must stop (tasks run, or the stage failed)
   */
  private boolean afterEngineStep(HandshakeStatus hs) throws SSLException {
    while (true) {
      switch (hs) {
        case FINISHED -> {
          secured();
          hs = engine.getHandshakeStatus();
        }
        case NEED_TASK -> {
          runTasks();
          return false;
        }
        case NEED_WRAP -> {
          hs = writer.wrapOwn();
          if (hs == null) {
            return false;
          }
        }
        default -> {
          return mode != Mode.FAILED;
        }
      }
    }
  }

  private void secured() {
    if (mode != Mode.HANDSHAKE) {
      return;
    }
    try {
      Certificate[] chain = engine.getSession().getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate x)) {
        fail("TLS peer sent no certificate");
        return;
      }
      peer = x;
    } catch (SSLPeerUnverifiedException e) {
      fail("TLS peer not verified: " + e.getMessage());
      return;
    }
    mode = Mode.OPEN;
    listener.secured(peer);
    if (writer.takeWriterWaits() && mode == Mode.OPEN) {
      upstream.onWritable();
    }
  }

  /** Runs the engine's delegated tasks on the executor, then carries on here. */
  private void runTasks() {
    tasksRunning = true;
    Channel ch = downstream;
    // An acceptor's first step begins a handshake; anything else continues one, and goes first.
    boolean continues = client || stepped;
    stepped = true;
    try {
      tasks.execute(Tls.Step.delegated(continues, engine, () -> dropped,
          () -> ch.eventLoop().execute(this::tasksDone)));
    } catch (RejectedExecutionException e) {
      tasksRunning = false;
      fail("too many TLS handshakes in progress");
    }
  }

  private void tasksDone() {
    tasksRunning = false;
    if (mode != Mode.HANDSHAKE && mode != Mode.OPEN) {
      return;
    }
    if (handshake() && netIn != null) {
      unwrapBuffered();
    }
  }

  /** The engine's next step from the I/O thread; false when the caller must stop (tasks run, or it failed). */
  private boolean handshake() {
    try {
      return afterEngineStep(engine.getHandshakeStatus());
    } catch (SSLException e) {
      fail("TLS failed: " + e.getMessage());
      return false;
    }
  }

  // ---- writing ----

  @Override
  public int write(ByteBuffer src) throws IOException {
    Mode m = mode;
    if (m == Mode.CLEAR || m == Mode.SNIFF) {
      // Before the tunnel only the session's refusals are written, in clear (see the class doc).
      return downstream.write(src);
    }
    if (m == Mode.FAILED) {
      throw new SSLException("the TLS connection failed");
    }
    return writer.write(src, m == Mode.OPEN);
  }

  @Override
  public void requestWritable() {
    if (mode == Mode.HANDSHAKE) {
      // The writer waits for the tunnel: secured() wakes it.
      writer.writerWaits();
      return;
    }
    downstream.requestWritable();
  }

  @Override
  public void onWritable() {
    boolean handshaking = mode == Mode.HANDSHAKE;
    TlsWriter.Drained d;
    try {
      d = writer.drained();
    } catch (IOException e) {
      downstream.close();
      return;
    }
    if (d == TlsWriter.Drained.BLOCKED) {
      return;
    }
    gate.recordsOut(closing);
    if (closing) {
      if (d == TlsWriter.Drained.CLOSING) {
        finishOutput();
      } else if (closeWhenDrained) {
        // The stream had ended before this close: its held records are out, nothing is left.
        downstream.close();
      }
      return;
    }
    if (handshaking) {
      handshake();
    } else {
      upstream.onWritable();
    }
  }

  @Override
  public void shutdownOutput() throws IOException {
    if (mode != Mode.OPEN) {
      downstream.shutdownOutput();
      return;
    }
    writer.shutdown();
  }

  @Override
  public void pauseReading(boolean pause) {
    gate.pauseReading(pause);
  }

  // ---- failing and closing ----

  /**
   * Closes like a socket's {@code close}, with two differences a TLS stream needs. Records the
   * writer already counted as written go out first (the kernel, too, still sends a socket's
   * buffered bytes after {@code close}), within the write-stall timeout. And the output ends
   * with close_notify and a half-close, after which the peer's last records are read and dropped
   * until it closes (within the close timeout): a socket closed with unread bytes (the peer's
   * close_notify after its BYE) answers with a reset, which throws away what the peer has not
   * read of ours yet. A second close, or one after {@link #shutdownOutput}, closes at once. Any
   * thread.
   */
  @Override
  public void close() {
    Channel ch = downstream;
    if (ch.eventLoop().inEventLoop()) {
      closeOnLoop();
    } else {
      ch.eventLoop().execute(this::closeOnLoop);
    }
  }

  private void closeOnLoop() {
    if (closing && writer.holding()) {
      // Closed again while records counted as written still wait for the socket (a writer that
      // found the stage closing reports a write error, which closes): the first close's linger
      // bounds the wait; closing now would drop records whose sends already succeeded.
      return;
    }
    int held = writer.beginClose(mode == Mode.OPEN);
    closing = true;
    closeWhenDrained = held > 0 && writer.outputShut();
    if (held < 0) {
      downstream.close();
      return;
    }
    downstream.eventLoop().schedule(downstream::close, held > 0 ? lingerNanos : closeNanos,
        java.util.concurrent.TimeUnit.NANOSECONDS);
    gate.closing(held > 0);
    if (held > 0) {
      downstream.requestWritable();
    } else {
      finishOutput();
    }
  }

  /** Closing: close_notify and the half-close, once held records are out. I/O thread. */
  private void finishOutput() {
    try {
      writer.shutdown();
    } catch (IOException e) {
      downstream.close();
    }
  }

  /** The tunnel failed: tells the session (which closes with the reason) and drops what is held. I/O thread. */
  private void fail(String reason) {
    if (mode == Mode.FAILED) {
      return;
    }
    mode = Mode.FAILED;
    // The engine's alert, if it has one, tells the peer why.
    writer.alert();
    listener.tlsFailed(reason);
  }

  @Override
  public void onClosed(IOException cause) {
    dropped = true;
    writer.release();
    netIn = null;
    appIn = null;
    upstream.onClosed(cause);
  }
}
