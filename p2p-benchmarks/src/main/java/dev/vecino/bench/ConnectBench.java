package dev.vecino.bench;

import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Connection set-up rate: TCP connect plus the HELLO handshake, until the connecting node's
 * future completes. The disconnect that makes room for the next connect runs in a per-call
 * teardown, outside the measured time (JMH times each call on its own when per-call fixtures
 * exist; a connect takes far longer than that timing costs).
 *
 * <p>Client ports go into TIME_WAIT; Linux reuses them on loopback ({@code tcp_tw_reuse}), and
 * the iterations are short, so the ephemeral range is never exhausted.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class ConnectBench {

  private PeerNode server;
  private PeerNode client;
  private Peer connected;

  /** Starts both nodes. */
  @Setup(Level.Trial)
  public void setUp() {
    server = Loopback.builder("server", true, new PeerListener() { }).build().start();
    client = Loopback.builder("client", true, new PeerListener() { }).build().start();
  }

  /** Closes both nodes. */
  @TearDown(Level.Trial)
  public void tearDown() {
    client.close();
    server.close();
  }

  /**
   * Connects and completes the handshake.
   *
   * @return the peer
   */
  @Benchmark
  public Peer connectAndHandshake() {
    connected = Loopback.connect(client, server);
    return connected;
  }

  /** Disconnects and waits until the server has also let go, so the next connect is fresh. */
  @TearDown(Level.Invocation)
  public void disconnect() throws Exception {
    if (connected != null) {
      client.disconnect(connected).get(Loopback.WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      connected = null;
      Loopback.await(() -> server.peers().isEmpty(), "server to drop the peer");
    }
  }
}
