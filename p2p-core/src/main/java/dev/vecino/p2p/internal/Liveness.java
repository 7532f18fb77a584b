package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.PeerState;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.transport.EventLoop;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's liveness: when the peer was last heard, heartbeats (PING, and the PONG
 * that answers one), and the idle check.
 *
 * <p>One timer serves both checks, at the shorter of their periods. A peer silent for three
 * heartbeat intervals is timed out ({@link Connection#timedOut}); a connection that moved no
 * message for the idle timeout is closed with a BYE.
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; everything but
 * {@link #lastHeard()} runs there. {@code lastHeardNanos} is volatile for that reader.
 */
final class Liveness {

  /** The connection's logger: these are its log lines, and logging configuration names it. */
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  private final Connection connection;
  private final Node node;
  private volatile long lastHeardNanos = System.nanoTime();
  private long lastIdleMessages = -1;
  private long idleSinceNanos;
  private long lastPingNanos;
  /** Reading is paused for the listeners to catch up; silence then is ours, not the peer's. */
  private boolean readPaused;
  private EventLoop.Timer heartbeatTimer;

  Liveness(Connection connection, Node node) {
    this.connection = connection;
    this.node = node;
  }

  /** Something arrived from the peer. I/O thread. */
  void heard() {
    lastHeardNanos = System.nanoTime();
  }

  /** Converts the monotonic last-heard time to wall-clock time. Any thread. */
  Instant lastHeard() {
    long ago = System.nanoTime() - lastHeardNanos;
    return Instant.now().minusNanos(Math.max(0, ago));
  }

  /** Reading was paused or resumed; a resumed connection counts as just heard. I/O thread. */
  void readPaused(boolean paused) {
    readPaused = paused;
    if (!paused) {
      lastHeardNanos = System.nanoTime();
    }
  }

  /** Answers a PING with a PONG carrying the same body. I/O thread. */
  void onPing(ByteBuffer buf, int offset, int length) {
    byte[] body = new byte[length];
    buf.get(offset, body);
    connection.sendControl(FrameType.PONG, body, false);
  }

  /** Starts heartbeats and the idle check, whichever are configured. I/O thread. */
  void start(EventLoop loop, CodecSession encoder) {
    long interval = node.config().heartbeatInterval().toNanos();
    long idle = node.config().idleTimeout().toNanos();
    boolean pings = interval > 0 && encoder.supports(FrameType.PING) && node.config().codec().handshake();
    long period = pings ? interval : 0;
    if (idle > 0) {
      period = period == 0 ? Math.max(idle / 4, TimeUnit.MILLISECONDS.toNanos(10)) : Math.min(period, Math.max(idle / 4, TimeUnit.MILLISECONDS.toNanos(10)));
    }
    if (period > 0) {
      idleSinceNanos = System.nanoTime();
      long p = period;
      heartbeatTimer = loop.schedule(() -> tick(loop, p, pings ? interval : 0, idle), p, TimeUnit.NANOSECONDS);
    }
  }

  /** Stops the timer. I/O thread. */
  void stop() {
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
    }
  }

  private void tick(EventLoop loop, long period, long interval, long idle) {
    if (connection.publicState() != PeerState.CONNECTED) {
      return;
    }
    long now = System.nanoTime();
    if (readPaused) {
      lastHeardNanos = now;
    }
    if (interval > 0) {
      long silent = now - lastHeardNanos;
      if (silent > 3 * interval) {
        connection.timedOut("nothing heard for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms (heartbeat every "
            + TimeUnit.NANOSECONDS.toMillis(interval) + " ms)");
        return;
      }
      if (now - lastPingNanos >= interval - period / 10) {
        lastPingNanos = now;
        connection.sendControl(FrameType.PING, new byte[0], false);
      }
    }
    if (idle > 0) {
      long messages = connection.messagesIn() + connection.messagesOut();
      if (messages != lastIdleMessages) {
        lastIdleMessages = messages;
        idleSinceNanos = now;
      } else if (now - idleSinceNanos >= idle) {
        log.debug("{}: closing idle connection to {}", node.logName(), connection.remoteAddress());
        connection.close(DisconnectReason.of(Kind.TIMED_OUT, "idle for " + TimeUnit.NANOSECONDS.toMillis(now - idleSinceNanos) + " ms"), true);
        return;
      }
    }
    heartbeatTimer = loop.schedule(() -> tick(loop, period, interval, idle), period, TimeUnit.NANOSECONDS);
  }
}
