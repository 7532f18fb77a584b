package dev.vecino.bench;

import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
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
 * One-way throughput between two nodes on loopback, counted at the receiver.
 *
 * <p><b>Why a batch per invocation:</b> {@code trySend} returns once a message is queued, so
 * timing it alone measures how fast the queue fills, not how fast messages arrive. Each
 * invocation queues {@value #BATCH} messages (retrying on {@code QUEUE_FULL}) and then waits
 * until the receiver's listener has counted every one of them ({@code trySendMore}: queues
 * them corked and flushes once at the end); JMH divides by
 * {@value #BATCH}, so the score is messages <em>received</em> per second. The pipeline drains
 * once per batch (a few hundred microseconds in a batch of several milliseconds).
 *
 * <p>Aux counters: {@code queueFull} (retries after {@code QUEUE_FULL}, per second; divide by
 * the score for retries per message). At the end of each trial the bytes allocated per message
 * on the send path (benchmark thread + sender's threads) and on the receive path (receiver's
 * threads) are printed; {@code -prof gc} gives the JVM-wide {@code gc.alloc.rate.norm} per
 * message (both paths together, since both nodes share the JVM).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class DispatchBench {

  /** Messages per invocation. */
  public static final int BATCH = 32_768;

  /** Two nodes, connected over loopback; the receiver counts. */
  @State(Scope.Benchmark)
  public static class Pair {
    /** Payload size in bytes. */
    @Param({"64", "1024"})
    public int size;

    /** {@code direct}: receiver callbacks on its I/O thread; {@code executor}: the default. */
    @Param({"direct", "executor"})
    public String callbacks;

    /**
     * {@code trySend}: every message asks to leave now; {@code trySendMore}: the batch is
     * corked ({@code trySendMore}) and flushed once at its end.
     */
    @Param({"trySend", "trySendMore"})
    public String send;

    PeerNode sender;
    PeerNode receiver;
    Peer peer;
    MessageCounter counter;
    byte[] payload;
    long expected;
    AllocProbe sendPath;
    AllocProbe receivePath;
    long messagesAtBegin;

    /** Starts both nodes and connects them. */
    @Setup(Level.Trial)
    public void setUp() {
      counter = new MessageCounter();
      boolean direct = "direct".equals(callbacks);
      receiver = Loopback.builder("receiver", direct, counter).build().start();
      sender = Loopback.builder("sender", direct, new MessageCounter()).build().start();
      peer = Loopback.connect(sender, receiver);
      payload = new byte[size];
      String s = sender.identity().id().shortId();
      String r = receiver.identity().id().shortId();
      Thread bench = Thread.currentThread();
      sendPath = new AllocProbe(t -> t == bench || AllocProbe.nodeThreads(s, s).test(t));
      receivePath = new AllocProbe(AllocProbe.nodeThreads(r, r));
    }

    /** Starts the allocation probes at the beginning of each measured iteration. */
    @Setup(Level.Iteration)
    public void beginIteration() {
      sendPath.begin();
      receivePath.begin();
      messagesAtBegin = counter.messages();
    }

    /** Prints bytes per message for each path (visible in the JMH log). */
    @TearDown(Level.Iteration)
    public void endIteration() {
      long n = counter.messages() - messagesAtBegin;
      if (n > 0) {
        System.out.printf("[alloc] send path %.2f B/msg (%d threads), receive path %.2f B/msg"
                + " (%d threads)%n",
            (double) sendPath.allocatedSinceBegin() / n, sendPath.threads(),
            (double) receivePath.allocatedSinceBegin() / n, receivePath.threads());
      }
    }

    /** Closes both nodes. */
    @TearDown(Level.Trial)
    public void tearDown() {
      sender.close();
      receiver.close();
    }
  }

  /** Retries after {@code QUEUE_FULL}, reported per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Retries {
    /** Queue-full retries in this iteration. */
    public long queueFull;

    /** Resets the counter. */
    @Setup(Level.Iteration)
    public void reset() {
      queueFull = 0;
    }
  }

  /**
   * Queues {@value #BATCH} messages with {@code trySend} and waits until all were received.
   *
   * @param p the nodes
   * @param r the retry counter
   * @return the receiver's message count
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long oneWay(Pair p, Retries r) {
    // A hand loop on purpose: the unit of work is "BATCH messages delivered", see class doc.
    PeerNode sender = p.sender;
    Peer peer = p.peer;
    byte[] payload = p.payload;
    long full = 0;
    if ("trySendMore".equals(p.send)) {
      for (int i = 0; i < BATCH; i++) {
        full += Loopback.sendMoreRetrying(sender, peer, payload);
      }
      sender.flush(peer);
    } else {
      for (int i = 0; i < BATCH; i++) {
        full += Loopback.sendRetrying(sender, peer, payload);
      }
    }
    r.queueFull += full;
    long target = p.expected += BATCH;
    MessageCounter c = p.counter;
    Loopback.await(() -> c.messages() >= target, "receiver to count the batch");
    return c.messages();
  }
}
