package dev.vecino.bench;

import dev.vecino.p2p.discovery.RangeScanDiscovery;
import dev.vecino.p2p.scan.NetworkScope;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.Targets;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The scan path without sockets (issue 17): producing the targets of a /16, the candidates a
 * range discovery hands the scanner, and the network-scope check each probe passes; per
 * address. Nothing is sent: the addresses (198.18.0.0/16, the benchmarking range) are only
 * generated. The baseline feeds the same number of longs to the blackhole.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class ScanTargetsBench {

  private static final int ADDRESSES = 65_534;

  private String spec = "198.18.0.0/16";
  private Targets targets;
  private RangeScanDiscovery discovery;
  private NetworkScope scope;
  private InetAddress[] sample;

  /** Parses the targets and the scope, and materialises the addresses for the scope check. */
  @Setup(Level.Trial)
  public void setUp() {
    targets = Targets.parse(spec);
    discovery = RangeScanDiscovery.of(targets, Ports.of(9999));
    scope = NetworkScope.parse("127.0.0.0/8,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,198.18.0.0/15");
    sample = new InetAddress[ADDRESSES];
    Iterator<InetAddress> it = targets.addresses();
    for (int i = 0; i < ADDRESSES; i++) {
      sample[i] = it.next();
    }
  }

  /**
   * Walks every address of the /16, lazily.
   *
   * @param bh the sink
   */
  @Benchmark
  @OperationsPerInvocation(ADDRESSES)
  public void targetAddresses(Blackhole bh) {
    for (Iterator<InetAddress> it = targets.addresses(); it.hasNext(); ) {
      bh.consume(it.next());
    }
  }

  /**
   * Walks the scanner's candidates (address and port) of the /16.
   *
   * @param bh the sink
   */
  @Benchmark
  @OperationsPerInvocation(ADDRESSES)
  public void discoveryCandidates(Blackhole bh) {
    for (Iterator<InetSocketAddress> it = discovery.candidates(0); it.hasNext(); ) {
      bh.consume(it.next());
    }
  }

  /**
   * Checks every address against a five-block scope (the last block matches).
   *
   * @param bh the sink
   */
  @Benchmark
  @OperationsPerInvocation(ADDRESSES)
  public void scopeCheck(Blackhole bh) {
    for (InetAddress a : sample) {
      bh.consume(scope.allows(a));
    }
  }

  /**
   * Parses a /16 target expression: the cost paid once per scan.
   *
   * @return the targets
   */
  @Benchmark
  public Targets parseTargets() {
    return Targets.parse(spec);
  }

  /**
   * Feeds as many longs to the blackhole: the loop's own cost.
   *
   * @param bh the sink
   */
  @Benchmark
  @OperationsPerInvocation(ADDRESSES)
  public void baseline(Blackhole bh) {
    for (long i = 0; i < ADDRESSES; i++) {
      bh.consume(i);
    }
  }
}
