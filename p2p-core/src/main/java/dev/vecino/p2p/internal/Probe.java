package dev.vecino.p2p.internal;

import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.transport.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;

/**
 * One scan probe: an outbound connection that goes through the ordinary connection and session
 * code, watched by a {@link ProbeSession} that reports what the session found instead of
 * failing a connect future, and closes quietly unless it is kept as the peer's connection.
 *
 * <p><b>Thread safety:</b> created by the scanner; the outcome and release are reported on the
 * probe channel's I/O thread, once each; {@link #cancel()} may be called from any thread.
 */
final class Probe {

  /** Receives a probe's outcome and release. I/O thread of the probe's channel. */
  interface Callback {
    /**
     * What the probe found; called once, except for a cancelled probe (not called).
     *
     * @param probe the probe
     * @param status the outcome
     * @param hello the HELLO received, or null
     * @param newPeer for {@link ScanStatus#PEER}: the peer was not connected before
     */
    void onOutcome(Probe probe, ScanStatus status, Hello hello, boolean newPeer);

    /**
     * The probe holds no socket any more: it closed, or it became a peer's connection.
     * Called once, after {@link #onOutcome}.
     *
     * @param probe the probe
     */
    void onReleased(Probe probe);
  }

  final InetSocketAddress target;
  final int attempt;
  final long connectTimeoutNanos;
  final long helloWaitNanos;
  /** How long a probe that said BYE waits for the other side to close first. */
  final long lingerNanos;
  final boolean keep;
  /** The discovery stage whose candidate this is (issue 17). */
  final String stage;
  private final Callback callback;
  private final long startNanos = System.nanoTime();
  private volatile long connectedNanos = -1;
  private volatile Channel channel;
  private volatile boolean cancelled;
  private boolean reported;
  private boolean released;
  private boolean handedOver;
  private boolean droppedWithoutAWord;

  /**
   * Creates a probe; start it with {@link Scanning#probe(Probe)}.
   *
   * @param target the address to probe
   * @param attempt 1 for the first probe of a target, more for retries
   * @param connectTimeoutNanos the TCP connect timeout
   * @param helloWaitNanos how long to wait for the HELLO once connected
   * @param keep whether a verified new peer keeps this connection
   * @param stage the discovery stage whose candidate this is
   * @param callback receives the outcome
   */
  Probe(InetSocketAddress target, int attempt, long connectTimeoutNanos, long helloWaitNanos, boolean keep,
      String stage, Callback callback) {
    this.target = target;
    this.attempt = attempt;
    this.connectTimeoutNanos = connectTimeoutNanos;
    this.helloWaitNanos = helloWaitNanos;
    this.lingerNanos = helloWaitNanos;
    this.keep = keep;
    this.stage = stage;
    this.callback = callback;
  }

  /** Returns 1 for the first probe of a target, more for retries. */
  public int attempt() {
    return attempt;
  }

  /**
   * Returns whether the target accepted, then closed before sending a byte: a service that
   * hangs up at once, or a Vecino node at its pending-handshake limit. Outcome thread.
   */
  public boolean droppedWithoutAWord() {
    return droppedWithoutAWord;
  }

  /** Returns the probed address. */
  public InetSocketAddress target() {
    return target;
  }

  /** Returns the connect round-trip time in nanoseconds, or -1 if not connected. */
  public long rttNanos() {
    long c = connectedNanos;
    return c < 0 ? -1 : c - startNanos;
  }

  /** Returns the nanoseconds since the probe was created. */
  public long ageNanos() {
    return System.nanoTime() - startNanos;
  }

  /** Closes the probe's socket (a pending connect too) unless it became a peer connection. Any thread. */
  public void cancel() {
    cancelled = true;
    Channel ch = channel;
    if (ch != null) {
      // On the channel's own thread, so a probe that just became a peer connection is spared.
      ch.eventLoop().execute(() -> {
        if (!handedOver) {
          ch.close();
        }
      });
    }
  }

  boolean isCancelled() {
    return cancelled;
  }

  // ---- called by ProbeSession and Scanning, on the I/O thread ----

  void connecting(Channel ch) {
    channel = ch;
    if (cancelled) {
      ch.close();
    }
  }

  void opened(Channel ch) {
    connectedNanos = System.nanoTime();
    channel = ch;
    if (cancelled) {
      ch.close();
    }
  }

  void outcome(ScanStatus status, Hello hello, boolean newPeer) {
    if (reported) {
      return;
    }
    reported = true;
    if (!cancelled || status == ScanStatus.PEER) {
      callback.onOutcome(this, status, hello, newPeer);
    }
  }

  /** The probe became the peer's connection: the scanner no longer owns its socket. */
  void handedOver() {
    handedOver = true;
    channel = null;
    release();
  }

  /**
   * The connection closed; {@code opened} tells whether the connect succeeded, {@code dropped}
   * whether the other side closed it before sending a byte.
   */
  void closed(boolean opened, IOException cause, boolean dropped) {
    droppedWithoutAWord = dropped;
    if (!opened) {
      if (cause == null || cancelled) {
        reported = true;
      } else {
        outcome(classify(cause), null, false);
      }
    } else {
      outcome(ScanStatus.NOT_A_PEER, null, false);
    }
    release();
  }

  private void release() {
    if (!released) {
      released = true;
      callback.onReleased(this);
    }
  }

  private static ScanStatus classify(IOException cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException || t instanceof NoRouteToHostException) {
        return ScanStatus.SILENT;
      }
    }
    return ScanStatus.CLOSED;
  }

  @Override
  public String toString() {
    return "Probe{" + target + "}";
  }
}
