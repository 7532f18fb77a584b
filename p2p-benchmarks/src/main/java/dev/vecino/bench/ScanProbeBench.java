package dev.vecino.bench;

import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Probe throughput on loopback (issue 17): one scan of 127.77.4.0/22 (1,022 addresses) per
 * invocation, one of them a peer, the rest closed ports that refuse at once, so the figure is
 * the scanner's own cost per probe (connect, classify, report), in probes per second. The scan
 * verifies the peer by handshake and does not keep the connection.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class ScanProbeBench {

  private static final int ADDRESSES = 1022;

  private String cidr = "127.77.4.0/22";
  private PeerNode peer;
  private PeerNode scanner;
  private Targets targets;
  private Ports port;
  private ScanOptions options;

  /** Starts a peer inside the range and the scanning node. */
  @Setup(Level.Trial)
  public void setUp() {
    peer = Loopback.builder("peer", true, new PeerListener() { }).bindAddress("127.77.5.9").build().start();
    scanner = Loopback.builder("scanner", true, new PeerListener() { }).build().start();
    targets = Targets.parse(cidr);
    port = Ports.of(peer.localAddress().getPort());
    options = ScanOptions.builder().autoConnect(false).timeout(Duration.ofSeconds(5)).build();
  }

  /** Closes both nodes. */
  @TearDown(Level.Trial)
  public void tearDown() {
    scanner.close();
    peer.close();
  }

  /**
   * Scans the /22 and waits for the report.
   *
   * @return the report
   * @throws Exception if the scan fails or misses the peer
   */
  @Benchmark
  @OperationsPerInvocation(ADDRESSES)
  public ScanReport scanSlash22() throws Exception {
    ScanReport r = scanner.scan(targets, port, options).report()
        .get(Loopback.WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    if (r.peers().size() != 1 || r.probed() != ADDRESSES) {
      throw new IllegalStateException("the scan missed the peer: " + r);
    }
    return r;
  }
}
