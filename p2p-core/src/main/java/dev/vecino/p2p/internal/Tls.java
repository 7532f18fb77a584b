package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.internal.tls.NodeTls;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLEngine;

/**
 * A secure node's TLS parts (docs/PROTOCOL.md 1.8): its key and TLS context ({@link NodeTls}), the bounded
 * executor that runs the engines' delegated tasks, and the pre-HELLO an acceptor sends in
 * clear. It makes one {@link TlsStage} per connection.
 *
 * <p><b>Protocol versions:</b> a secure node speaks version {@value #VERSION} only (TLS
 * required); a plaintext node speaks version 1, as every node did before. The version ranges
 * never overlap, so each side refuses the other at once with the ordinary "unsupported
 * version" reason, plus a hint saying which side wants TLS.
 *
 * <p><b>Thread safety:</b> immutable but for the executor, which is thread-safe; {@link #close}
 * once, when the node stops.
 */
final class Tls implements AutoCloseable {

  /** The protocol version of the TLS tunnel: pre-HELLO in clear, TLS 1.3, then the HELLO inside. */
  static final int VERSION = 2;
  /** The HELLO extension that carries the security flags (docs/PROTOCOL.md 1.2). */
  static final int SECURITY_EXTENSION = 0x0001;
  /** Security flag: this node requires TLS. */
  static final int TLS_REQUIRED = 0x01;
  /** The name and group of a pre-HELLO: fixed, so it says nothing of who sent it. */
  static final String PRE_HELLO_NAME = "tls-required";
  /** New handshakes' first steps waiting for the executor before further new ones are refused. */
  static final int MAX_QUEUED_TASKS = 256;

  /**
   * A batch of one engine's delegated tasks. Steps of handshakes already under way run before
   * the first step of a new one (an acceptor's answer to a ClientHello), then in order: when
   * handshakes arrive faster than the CPU can finish them, the ones begun complete, and the
   * newest wait or are refused, instead of all of them slowing down together until every one
   * misses its handshake timeout.
   */
  static final class Step implements Runnable, Comparable<Step> {
    private static final AtomicLong SEQUENCE = new AtomicLong();
    final boolean continues;
    private final long seq = SEQUENCE.incrementAndGet();
    private final Runnable work;
    private Runnable started;

    /**
     * @param continues whether the handshake is under way: anything but an acceptor's first step
     * @param work the tasks, and what follows them
     */
    Step(boolean continues, Runnable work) {
      this.continues = continues;
      this.work = work;
    }

    /**
     * The step that runs {@code engine}'s delegated tasks, then {@code then}; nothing when
     * {@code dropped} says the connection closed while it waited (a handshake that timed out
     * in the queue, under a storm: its crypto would only keep the thread from live ones).
     */
    static Step delegated(boolean continues, SSLEngine engine, BooleanSupplier dropped, Runnable then) {
      return new Step(continues, () -> {
        if (dropped.getAsBoolean()) {
          return;
        }
        Runnable t;
        while ((t = engine.getDelegatedTask()) != null) {
          t.run();
        }
        then.run();
      });
    }

    @Override
    public void run() {
      Runnable s = started;
      if (s != null) {
        s.run();
      }
      work.run();
    }

    @Override
    public int compareTo(Step o) {
      if (continues != o.continues) {
        return continues ? -1 : 1;
      }
      return Long.compare(seq, o.seq);
    }
  }

  private static final Hello PRE_HELLO = new Hello(VERSION, VERSION, new PeerId(0, 0), 0, PRE_HELLO_NAME,
      PRE_HELLO_NAME, List.of(new Hello.Extension(SECURITY_EXTENSION, new byte[] {TLS_REQUIRED})));
  private static final byte[] PRE_HELLO_BODY = PRE_HELLO.encode();

  private final NodeTls keys;
  private final ThreadPoolExecutor pool;
  /** New handshakes' first steps queued and not started. */
  private final AtomicInteger firstSteps = new AtomicInteger();
  /**
   * Runs {@link Step}s, bounded for new handshakes only: those under way are bounded by the
   * pending-handshake limits (inbound) and the connection limit (outbound).
   */
  private final Executor tasks = this::execute;
  private final long lingerNanos;
  private final long closeNanos;

  /**
   * @param keys the node's key, certificate and TLS 1.3 context
   * @param suffix ends the executor's thread names, as the node's other threads' names end
   * @param lingerNanos how long a closing connection waits for records already counted as written
   * @param closeNanos how long a closing connection waits for the peer to close after close_notify
   */
  Tls(NodeTls keys, String suffix, long lingerNanos, long closeNanos) {
    this.keys = keys;
    this.lingerNanos = lingerNanos;
    this.closeNanos = closeNanos;
    AtomicInteger n = new AtomicInteger();
    // Key exchange and signatures take ~1 ms each, here and not on the I/O threads. One thread
    // runs them, so handshakes, a flood of them included, take at most one core and leave the
    // rest to the I/O threads. Two threads were measured: no more handshakes per second with
    // both ends on 2 cores, and a friend's round trips through a ClientHello flood 2 to 3 times
    // slower at the median. The queue orders steps (see Step); its bound is execute's.
    this.pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new PriorityBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "vecino-tls-" + n.incrementAndGet() + "-" + suffix);
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
    this.pool.allowCoreThreadTimeOut(true);
  }

  /** Queues a {@link Step}; refuses a new handshake's first one while {@value #MAX_QUEUED_TASKS} wait. */
  private void execute(Runnable r) {
    if (!(r instanceof Step step)) {
      throw new IllegalArgumentException("the TLS executor runs Steps");
    }
    if (!step.continues) {
      if (firstSteps.incrementAndGet() > MAX_QUEUED_TASKS) {
        firstSteps.decrementAndGet();
        throw new RejectedExecutionException("too many new TLS handshakes waiting");
      }
      step.started = firstSteps::decrementAndGet;
    }
    try {
      pool.execute(step);
    } catch (RejectedExecutionException e) {
      if (!step.continues) {
        firstSteps.decrementAndGet();
      }
      throw e;
    }
  }

  /**
   * The TLS parts of a node with {@code config}, or null for a plaintext one. A closing
   * connection holds records already counted as written as long as the kernel would hold a
   * plaintext socket's bytes for a live peer: up to the write-stall timeout (a peer that takes
   * nothing for that long is dropped anyway), else the close timeout.
   */
  static Tls of(NodeConfig config, String suffix) {
    if (config.tls() == null) {
      return null;
    }
    java.time.Duration stall = config.writeStallTimeout();
    long closeNanos = config.closeTimeout().toNanos();
    return new Tls(config.tls(), suffix, stall.isZero() ? closeNanos : stall.toNanos(), closeNanos);
  }

  /** Stops {@code tls}'s executor, if there is one. */
  static void close(Tls tls) {
    if (tls != null) {
      tls.close();
    }
  }

  /** The pre-HELLO as a HELLO record (versions {@value #VERSION}, the TLS flag, nothing identifying). */
  static Hello preHello() {
    return PRE_HELLO;
  }

  /** The pre-HELLO's body, to be framed by the connection's codec. */
  static byte[] preHelloBody() {
    return PRE_HELLO_BODY.clone();
  }

  /** Whether {@code hello} is a pre-HELLO: it asks for TLS. */
  static boolean requiresTls(Hello hello) {
    for (Hello.Extension e : hello.extensions()) {
      if (e.type() == SECURITY_EXTENSION && e.value().length > 0 && (e.value()[0] & TLS_REQUIRED) != 0) {
        return true;
      }
    }
    return false;
  }

  /** The id a peer's certificate proves: derived from its public key. */
  static PeerId idOf(X509Certificate peer) {
    return PeerId.of(peer.getPublicKey());
  }

  /** A connection's TLS stage, in front of it; {@code listener} (its session) hears how the tunnel goes. */
  TlsStage stage(Connection connection, TlsStage.Listener listener) {
    boolean client = connection.direction == Direction.OUTBOUND;
    SSLEngine engine = client ? keys.clientEngine() : keys.serverEngine();
    return new TlsStage(connection, engine, listener, tasks, lingerNanos, closeNanos);
  }

  /** The executor of the engines' delegated tasks: it runs {@link Step}s. */
  Executor tasks() {
    return tasks;
  }

  /** This node's certificate. */
  X509Certificate certificate() {
    return keys.certificate();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
