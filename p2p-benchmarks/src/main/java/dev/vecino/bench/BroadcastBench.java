package dev.vecino.bench;

import dev.vecino.p2p.BroadcastResult;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.SendStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Broadcast fan-out: one node broadcasts 64-byte messages to 1, 8 or 64 connected nodes (all
 * in this JVM, direct callbacks so each receiver costs one I/O thread).
 *
 * <p>The score is broadcasts <em>fully delivered</em> per second: each invocation broadcasts
 * {@value #BATCH} times and waits until every receiver counted every copy; the aux counter
 * {@code deliveries} is copies received per second (score × peers). Peers whose queue was
 * full get the copy again with {@code trySend} until it is queued.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class BroadcastBench {

  /** Broadcasts per invocation. */
  public static final int BATCH = 1024;

  /** Number of receiving peers. */
  @Param({"1", "8", "64"})
  public int peers;

  /** Payload size in bytes. */
  @Param({"64"})
  public int size;

  private PeerNode sender;
  private final List<PeerNode> receivers = new ArrayList<>();
  private final List<MessageCounter> counters = new ArrayList<>();
  private final Map<PeerId, Peer> byId = new HashMap<>();
  private byte[] payload;
  private long expected;

  /** Copies delivered, per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Deliveries {
    /** Copies delivered in this iteration. */
    public long deliveries;
    /** Queue-full retries in this iteration. */
    public long queueFull;

    /** Resets the counters. */
    @Setup(Level.Iteration)
    public void reset() {
      deliveries = 0;
      queueFull = 0;
    }
  }

  /** Starts the sender and the receivers and connects them all. */
  @Setup(Level.Trial)
  public void setUp() {
    payload = new byte[size];
    sender = Loopback.builder("broadcaster", true, new MessageCounter()).build().start();
    for (int i = 0; i < peers; i++) {
      MessageCounter c = new MessageCounter();
      PeerNode r = Loopback.builder("r" + i, true, c).build().start();
      receivers.add(r);
      counters.add(c);
      Peer p = Loopback.connect(sender, r);
      byId.put(p.id(), p);
    }
  }

  /** Closes every node. */
  @TearDown(Level.Trial)
  public void tearDown() {
    sender.close();
    receivers.forEach(PeerNode::close);
  }

  /**
   * Broadcasts {@value #BATCH} messages and waits until every peer received every copy.
   *
   * @param d the delivery counters
   * @return total copies received
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long fanOut(Deliveries d) {
    for (int i = 0; i < BATCH; i++) {
      BroadcastResult result = sender.broadcast(payload);
      if (result.statuses().size() != peers) {
        throw new IllegalStateException("broadcast saw " + result.statuses().size() + " peers");
      }
      if (!result.allDelivered()) {
        for (Map.Entry<PeerId, SendStatus> e : result.statuses().entrySet()) {
          if (e.getValue() != SendStatus.OK) {
            d.queueFull += 1 + Loopback.sendRetrying(sender, byId.get(e.getKey()), payload);
          }
        }
      }
    }
    long target = expected += (long) BATCH * peers;
    Loopback.await(() -> total() >= target, "every receiver to count the batch");
    d.deliveries += (long) BATCH * peers;
    return target;
  }

  private long total() {
    long n = 0;
    for (int i = 0; i < counters.size(); i++) {
      n += counters.get(i).messages();
    }
    return n;
  }
}
