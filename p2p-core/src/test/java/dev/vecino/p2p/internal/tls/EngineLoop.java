package dev.vecino.p2p.internal.tls;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * Two {@link SSLEngine}s wired back to back in memory: each side's outgoing records are the
 * other's incoming bytes. {@link #run()} steps both until neither can move, so a handshake
 * completes, or fails with the alert delivered to the other side. Bounded: at most {@value
 * #MAX_STEPS} rounds.
 *
 * <p>Thread safety: one test thread.
 */
public final class EngineLoop {

  static final int MAX_STEPS = 500;
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  /** One engine with its buffers and the failure it threw, if any. */
  public static final class Side {
    final SSLEngine engine;
    final ByteBuffer out;
    final ByteBuffer app;
    Side peer;
    SSLException failure;
    long produced;

    Side(SSLEngine engine) {
      this.engine = engine;
      this.out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize() * 4);
      this.app = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
    }

    /** The exception this side's engine threw, or null. */
    public SSLException failure() {
      return failure;
    }

    /** The engine. */
    public SSLEngine engine() {
      return engine;
    }

    /** The bytes of records this side's engine made while {@link EngineLoop#run} stepped it. */
    public long produced() {
      return produced;
    }

    /** Wraps application text into records for the peer. */
    public void send(String text) throws SSLException {
      SSLEngineResult r = engine.wrap(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), out);
      if (r.getStatus() != SSLEngineResult.Status.OK) {
        throw new IllegalStateException("wrap: " + r);
      }
    }

    /** Unwraps what the peer sent and returns the application text received so far. */
    public String received() throws SSLException {
      ByteBuffer in = peer.out;
      in.flip();
      while (in.hasRemaining()) {
        SSLEngineResult r = engine.unwrap(in, app);
        if (r.getStatus() != SSLEngineResult.Status.OK || r.bytesConsumed() == 0) {
          break;
        }
      }
      in.compact();
      return new String(app.array(), 0, app.position(), StandardCharsets.UTF_8);
    }

    /** One move; returns whether anything happened. */
    boolean step() {
      try {
        HandshakeStatus status = engine.getHandshakeStatus();
        if (status == HandshakeStatus.NEED_TASK) {
          for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
          }
          return true;
        }
        if (status == HandshakeStatus.NEED_WRAP) {
          SSLEngineResult r = engine.wrap(EMPTY, out);
          produced += r.bytesProduced();
          return r.bytesProduced() > 0 || r.getHandshakeStatus() != status;
        }
        ByteBuffer in = peer.out;
        if (in.position() == 0 || engine.isInboundDone()) {
          return false;
        }
        in.flip();
        try {
          SSLEngineResult r = engine.unwrap(in, app);
          return r.bytesConsumed() > 0 || r.getHandshakeStatus() != status;
        } finally {
          in.compact();
        }
      } catch (SSLException e) {
        if (failure == null) {
          failure = e;
        }
        return true;
      }
    }
  }

  private final Side client;
  private final Side server;

  /**
   * Wires two engines; neither has begun its handshake.
   *
   * @param client the engine in client mode
   * @param server the engine in server mode
   */
  public EngineLoop(SSLEngine client, SSLEngine server) {
    this.client = new Side(client);
    this.server = new Side(server);
    this.client.peer = this.server;
    this.server.peer = this.client;
  }

  /** The client side. */
  public Side client() {
    return client;
  }

  /** The server side. */
  public Side server() {
    return server;
  }

  /**
   * Begins both handshakes and steps both engines until neither moves.
   *
   * @return this
   * @throws SSLException if an engine cannot begin
   */
  public EngineLoop run() throws SSLException {
    client.engine.beginHandshake();
    server.engine.beginHandshake();
    for (int i = 0; i < MAX_STEPS; i++) {
      boolean moved = client.step();
      moved |= server.step();
      if (!moved) {
        return this;
      }
    }
    throw new AssertionError("engines still busy after " + MAX_STEPS + " rounds");
  }

  /** Whether both engines finished the handshake without failing. */
  public boolean handshaken() {
    return client.failure == null && server.failure == null
        && client.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
        && server.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING;
  }
}
