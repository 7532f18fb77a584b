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
 * meanwhile. Once the handshake is done the session hears {@link Listener#secured}, with the
 * peer's certificate. Writes before that take nothing (the writer waits for
 * {@link #onWritable}, which this stage calls once the tunnel is up). Inbound records may be
 * cut anywhere by reads, and reads may hold many records; outbound, one write becomes as many
 * records as it needs, written together. {@link #shutdownOutput} sends close_notify after the
 * last record.
 *
 * <h2>Design and hazards</h2>
 * <table>
 * <caption>State: who owns it</caption>
 * <tr><th>state</th><th>owner</th></tr>
 * <tr><td>{@code netIn}, {@code appIn}, {@code tasksRunning}, {@code paused},
 * {@code sniffed}</td><td>the I/O thread</td></tr>
 * <tr><td>{@code netOut}, {@code pendingError}, {@code shutdownWanted}, every
 * {@code engine.wrap}</td><td>whoever holds {@code out}: the write-turn holder (the I/O
 * thread or a sender), or the I/O thread for the handshake's and the engine's own messages
 * (a KeyUpdate answer), which the turn does not cover</td></tr>
 * <tr><td>{@code mode}</td><td>written on the I/O thread, read by writers (volatile)</td></tr>
 * </table>
 * <p>Invariants: (1) every byte written after the pre-HELLO and before the tunnel starts is a
 * refusal (a BYE), never identifying; (2) {@code engine.wrap} runs under {@code out}, so
 * records leave in the order the engine made them; {@code unwrap} runs on the I/O thread, which
 * JSSE allows concurrently with a wrap; (3) what {@link #write} took is encrypted and held in
 * {@code netOut} or written: {@code netOut} holds at most {@link #NET_OUT_RECORDS} records.
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
  /** Records {@code netOut} holds, so one write of a whole batch becomes one socket write. */
  static final int NET_OUT_RECORDS = 8;

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

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
  private final Object out = new Object();
  private volatile Mode mode;

  // Guarded by out.
  private ByteBuffer netOut;
  private IOException pendingError;
  private boolean shutdownWanted;
  /** The writer waits for the tunnel (or the socket): tell it when writes are taken again. */
  private boolean writerWaits;

  // I/O thread.
  private ByteBuffer netIn;
  private ByteBuffer appIn;
  private boolean tasksRunning;
  private boolean paused;
  private X509Certificate peer;

  /**
   * @param engine a fresh engine in the right mode ({@code getUseClientMode()} says which side)
   * @param tasks runs the engine's delegated tasks; may refuse them (the handshake then fails)
   */
  TlsStage(ChannelHandler upstream, SSLEngine engine, Listener listener, Executor tasks) {
    super(upstream);
    this.engine = engine;
    this.listener = listener;
    this.tasks = tasks;
    this.client = engine.getUseClientMode();
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
    return client && mode == Mode.CLEAR && netOut == null;
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
    synchronized (out) {
      netOut = ByteBuffer.allocate(NET_OUT_RECORDS * engine.getSession().getPacketBufferSize());
    }
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
      case HANDSHAKE, OPEN -> unwrap(data);
      case FAILED -> data.position(data.limit());
    }
  }

  /** Unwraps what arrived, and what an earlier read left, as far as it goes. */
  private void unwrap(ByteBuffer data) {
    append(data);
    unwrapBuffered();
  }

  /** Adds {@code data} to the records not yet unwrapped. */
  private void append(ByteBuffer data) {
    if (netIn.remaining() < data.remaining()) {
      // Reads hold many records; held back (tasks running, reading paused) they wait here.
      ByteBuffer bigger = ByteBuffer.allocate(netIn.position() + data.remaining());
      netIn.flip();
      bigger.put(netIn);
      netIn = bigger;
    }
    netIn.put(data);
  }

  private void unwrapBuffered() {
    netIn.flip();
    try {
      while (mode == Mode.HANDSHAKE || mode == Mode.OPEN) {
        if (appIn == null) {
          break; // closed by what was delivered (onClosed dropped the buffers)
        }
        if (tasksRunning || (paused && mode == Mode.OPEN) || !netIn.hasRemaining()) {
          break;
        }
        SSLEngineResult r = engine.unwrap(netIn, appIn);
        SSLEngineResult.Status s = r.getStatus();
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
          hs = wrapOwn();
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
    boolean wake;
    synchronized (out) {
      wake = writerWaits;
      writerWaits = false;
    }
    if (wake && mode == Mode.OPEN) {
      upstream.onWritable();
    }
  }

  /** Runs the engine's delegated tasks on the executor, then carries on here. */
  private void runTasks() {
    tasksRunning = true;
    Channel ch = downstream;
    try {
      tasks.execute(() -> {
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
          t.run();
        }
        ch.eventLoop().execute(this::tasksDone);
      });
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
    try {
      if (afterEngineStep(engine.getHandshakeStatus()) && netIn != null) {
        unwrapBuffered();
      }
    } catch (SSLException e) {
      fail("TLS failed: " + e.getMessage());
    }
  }

  /** The handshake's next step from the I/O thread (the initiator's first flight). */
  private void handshake() {
    try {
      afterEngineStep(engine.getHandshakeStatus());
    } catch (SSLException e) {
      fail("TLS handshake failed: " + e.getMessage());
    }
  }

  // ---- writing ----

  /**
   * Wraps what the engine itself must send (handshake messages, an alert, a KeyUpdate
   * answer) and writes it. I/O thread.
   *
   * @return the handshake status after, or null when the socket is full (the rest goes on
   *     {@link #onWritable})
   */
  private HandshakeStatus wrapOwn() throws SSLException {
    synchronized (out) {
      if (netOut == null) {
        return null;
      }
      HandshakeStatus hs;
      while (true) {
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
          if (!flushLocked()) {
            downstream.requestWritable();
            return null;
          }
          continue;
        }
        hs = r.getHandshakeStatus();
        if (hs != HandshakeStatus.NEED_WRAP) {
          break;
        }
      }
      if (!flushLocked()) {
        downstream.requestWritable();
        return null;
      }
      return hs;
    }
  }

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
    synchronized (out) {
      if (netOut == null) {
        throw new SSLException("the TLS connection is closed");
      }
      if (pendingError != null) {
        IOException e = pendingError;
        pendingError = null;
        throw e;
      }
      if (m != Mode.OPEN || !flushLocked()) {
        // The tunnel is not up yet, or records wait for the socket: take nothing now.
        writerWaits = true;
        return 0;
      }
      int taken = 0;
      try {
        while (src.hasRemaining()) {
          if (netOut.remaining() < engine.getSession().getPacketBufferSize() && !flushLocked()) {
            break;
          }
          SSLEngineResult r = engine.wrap(src, netOut);
          taken += r.bytesConsumed();
          if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            if (taken == 0) {
              throw new SSLException("TLS output closed");
            }
            break;
          }
        }
        flushLocked();
      } catch (IOException e) {
        if (taken == 0) {
          throw e;
        }
        // Like a socket: a write that took bytes returns their count; the error comes next.
        pendingError = e;
      }
      return taken;
    }
  }

  /** Writes the records in {@code netOut}; true when none are left. Lock held. */
  private boolean flushLocked() throws SSLException {
    if (netOut.position() == 0) {
      return true;
    }
    netOut.flip();
    try {
      while (netOut.hasRemaining()) {
        if (downstream.write(netOut) == 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new SSLException("write failed: " + e.getMessage(), e);
    } finally {
      netOut.compact();
    }
  }

  @Override
  public void requestWritable() {
    synchronized (out) {
      if (mode == Mode.HANDSHAKE) {
        // The writer waits for the tunnel: secured() wakes it.
        writerWaits = true;
        return;
      }
    }
    downstream.requestWritable();
  }

  @Override
  public void onWritable() {
    boolean handshaking = mode == Mode.HANDSHAKE;
    try {
      synchronized (out) {
        if (netOut != null && !flushLocked()) {
          downstream.requestWritable();
          return;
        }
        if (shutdownWanted) {
          shutdownWanted = false;
          downstream.shutdownOutput();
        }
      }
    } catch (IOException e) {
      downstream.close();
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
    synchronized (out) {
      if (netOut == null) {
        return;
      }
      engine.closeOutbound();
      // close_notify, then the TCP half-close.
      while (!engine.isOutboundDone()) {
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && !flushLocked()) {
          break;
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
          break;
        }
      }
      if (flushLocked()) {
        downstream.shutdownOutput();
      } else {
        shutdownWanted = true;
        downstream.requestWritable();
      }
    }
  }

  @Override
  public void pauseReading(boolean pause) {
    boolean resumed = paused && !pause;
    paused = pause;
    downstream.pauseReading(pause);
    if (resumed && netIn != null && netIn.position() > 0) {
      // Records read before the pause: unwrapped on the loop, after the caller is done.
      downstream.eventLoop().execute(() -> {
        if (!paused && netIn != null && (mode == Mode.OPEN || mode == Mode.HANDSHAKE)) {
          unwrapBuffered();
        }
      });
    }
  }

  // ---- failing and closing ----

  /** The tunnel failed: tells the session (which closes with the reason) and drops what is held. I/O thread. */
  private void fail(String reason) {
    if (mode == Mode.FAILED) {
      return;
    }
    mode = Mode.FAILED;
    // The engine's alert, if it has one, tells the peer why.
    synchronized (out) {
      if (netOut != null) {
        try {
          engine.closeOutbound();
          engine.wrap(EMPTY, netOut);
          flushLocked();
        } catch (SSLException | RuntimeException ignored) {
          // The alert is a courtesy; the close below is what matters.
        }
      }
    }
    listener.tlsFailed(reason);
  }

  @Override
  public void onClosed(IOException cause) {
    synchronized (out) {
      netOut = null;
    }
    netIn = null;
    appIn = null;
    upstream.onClosed(cause);
  }
}
