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
 * that answers one), the idle check and the write-stall check.
 *
 * <p>One timer serves all three, at the shortest of their periods; it runs when any of them is
 * on. A peer silent for three heartbeat intervals is timed out ({@link Connection#timedOut});
 * a connection that moved no message for the idle timeout is closed with a BYE; a peer that
 * took no byte of a non-empty queue for the write-stall timeout is dropped as a slow consumer
 * with BYE "limit exceeded". The stall clock is sampled at each tick, so a stall is
 * reported between one timeout and one timeout plus a period after it began, never before.
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
  /** The write-stall timeout, 0 when off. */
  private long stallNanos;
  /** Bytes written at the last tick, -1 before the first. */
  private long lastWritten = -1;
  /** When a tick first saw frames waiting and nothing written since the tick before; -1 when not stalled. */
  private long stalledSinceNanos = -1;
  /** The tick's settings, set once by {@link #start}; the tick is one task, not a lambda per tick. */
  private EventLoop loop;
  private long period;
  private long interval;
  private long idle;
  private final Runnable tickTask = this::tick;
  private static final byte[] EMPTY = new byte[0];

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

  /** Starts heartbeats, the idle check and the write-stall check, whichever are configured. I/O thread. */
  void start(EventLoop loop, CodecSession encoder) {
    long interval = node.config().heartbeatInterval().toNanos();
    long idle = node.config().idleTimeout().toNanos();
    boolean pings = interval > 0 && encoder.supports(FrameType.PING) && node.config().codec().handshake();
    long period = pings ? interval : 0;
    if (idle > 0) {
      period = period == 0 ? Math.max(idle / 4, TimeUnit.MILLISECONDS.toNanos(10)) : Math.min(period, Math.max(idle / 4, TimeUnit.MILLISECONDS.toNanos(10)));
    }
    stallNanos = node.config().writeStallTimeout().toNanos();
    if (stallNanos > 0) {
      long stallPeriod = Math.max(stallNanos / 4, TimeUnit.MILLISECONDS.toNanos(10));
      period = period == 0 ? stallPeriod : Math.min(period, stallPeriod);
    }
    if (period > 0) {
      idleSinceNanos = System.nanoTime();
      this.loop = loop;
      this.period = period;
      this.interval = pings ? interval : 0;
      this.idle = idle;
      heartbeatTimer = loop.schedule(tickTask, period, TimeUnit.NANOSECONDS);
    }
  }

  /** Stops the timer. I/O thread. */
  void stop() {
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
    }
  }

  /**
   * Whether frames have waited for the write-stall timeout with no byte written; if so, drops
   * the peer. Every write moves the clock back to zero, so a peer that reads slowly but reads
   * is not dropped. I/O thread.
   */
  private boolean writeStalled(long now) {
    long written = connection.writtenBytes();
    if (written != lastWritten || connection.queuedBytes() == 0) {
      lastWritten = written;
      stalledSinceNanos = -1;
      return false;
    }
    if (stalledSinceNanos < 0) {
      stalledSinceNanos = now;
      return false;
    }
    if (now - stalledSinceNanos < stallNanos) {
      return false;
    }
    // Dropped with BYE "limit exceeded", queued behind what it does not read, so it sees it
    // only if it resumes within the close timeout; its sends fail when the channel closes.
    node.logBudget.log(LogBudget.Topic.SLOW_CONSUMER, "{}: dropping slow consumer {}: {}", node.logName(),
        Node.format(connection.remoteAddress()), "no byte written for "
        + TimeUnit.NANOSECONDS.toMillis(now - stalledSinceNanos) + " ms or more, " + connection.queuedBytes()
        + " bytes queued (writeStallTimeout " + TimeUnit.NANOSECONDS.toMillis(stallNanos) + " ms)");
    connection.close(DisconnectReason.of(Kind.LIMIT_EXCEEDED, "slow consumer"), true);
    return true;
  }

  private void tick() {
    if (connection.publicState() != PeerState.CONNECTED) {
      return;
    }
    long now = System.nanoTime();
    if (readPaused) {
      lastHeardNanos = now;
    }
    if (stallNanos > 0 && writeStalled(now)) {
      return;
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
        connection.sendControl(FrameType.PING, EMPTY, false);
      }
    }
    if (idle > 0) {
      long messages = connection.messagesIn() + connection.messagesOut();
      if (messages != lastIdleMessages) {
        lastIdleMessages = messages;
        idleSinceNanos = now;
      } else if (now - idleSinceNanos >= idle) {
        log.debug("{}: closing idle connection to {}", node.logName(), Node.format(connection.remoteAddress()));
        connection.close(DisconnectReason.of(Kind.TIMED_OUT, "idle for " + TimeUnit.NANOSECONDS.toMillis(now - idleSinceNanos) + " ms"), true);
        return;
      }
    }
    heartbeatTimer = loop.schedule(tickTask, period, TimeUnit.NANOSECONDS);
  }
}
