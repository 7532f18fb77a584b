package dev.vecino.bench;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ping-pong round trip of a 64-byte message between two nodes on loopback (SampleTime: JMH
 * reports p50/p90/p99/p99.9/p99.99).
 *
 * <p>The echo node answers from its listener with {@code trySend}. In {@code direct} mode both
 * nodes run listeners on their I/O threads; in {@code executor} mode on the default callback
 * thread, which adds a thread hand-off per hop. The benchmark thread waits for the reply by
 * spinning briefly, then yielding (two cores: a pure spin would starve the I/O threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class PingPongBench {

  /** Payload size in bytes. */
  @Param({"64"})
  public int size;

  /** {@code direct}: callbacks on the I/O thread; {@code executor}: the default executor. */
  @Param({"direct", "executor"})
  public String callbacks;

  private PeerNode client;
  private PeerNode echo;
  private Peer peer;
  private byte[] payload;
  private final AtomicLong replies = new AtomicLong();
  private long sent;

  /** Starts the client and the echo node and connects them. */
  @Setup(Level.Trial)
  public void setUp() {
    boolean direct = "direct".equals(callbacks);
    payload = new byte[size];
    EchoListener echoListener = new EchoListener();
    echo = Loopback.builder("echo", direct, echoListener).build().start();
    echoListener.node = echo;
    client = Loopback.builder("client", direct, new PeerListener() {
      @Override
      public void onMessage(Message message) {
        replies.lazySet(replies.get() + 1);
      }
    }).build().start();
    peer = Loopback.connect(client, echo);
  }

  /** Closes both nodes. */
  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    echo.close();
  }

  /**
   * Sends one message and waits for its echo.
   *
   * @return the reply count
   */
  @Benchmark
  public long roundTrip() {
    long want = ++sent;
    Loopback.sendRetrying(client, peer, payload);
    AtomicLong r = replies;
    Loopback.await(() -> r.get() >= want, "echo");
    return want;
  }
}
