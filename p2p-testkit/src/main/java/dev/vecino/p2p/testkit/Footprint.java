package dev.vecino.p2p.testkit;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Locale;

/**
 * What this JVM holds at one moment, for attack tests that must show an attack costs a bounded
 * amount: the heap that survives a full garbage collection, the direct memory in use, and the
 * live {@code vecino-*} threads. Take one before the attack ({@link #measure()}), then check
 * one while it runs and one after it against that ({@link #awaitWithin}).
 *
 * <pre>{@code
 * Footprint before = Footprint.measure();
 * // ... the attack, in full swing ...
 * Footprint during = Footprint.awaitWithin(before, DURING, "during the flood");
 * // ... the attack over, its connections closed ...
 * Footprint after = Footprint.awaitWithin(before, AFTER, "after the flood");
 * }</pre>
 *
 * <p><b>Heap after a full GC, and why it is deterministic enough.</b> {@code System.gc()} runs
 * a full collection on HotSpot's collectors (unless {@code -XX:+DisableExplicitGC} is set,
 * which the builds do not). The heap figure is then the
 * sum of the heap pools' {@linkplain MemoryPoolMXBean#getCollectionUsage() collection usage}:
 * what survived that collection, not counting what threads allocate after it returns (which
 * the used heap would count, a few MiB of fresh allocation buffers on a busy node). What
 * survives is what is reachable: the nodes' bounded state (queues, per-connection buffers,
 * undelivered messages), the test's own data, and a few hundred KiB of heap objects that class
 * loading and the JIT add as new code runs. So the figure moves by little between two
 * measurements of the same state, while a leak that grows with an attack's volume (an object
 * per frame, a queue past its bound) moves it by tens of MiB. Allowances of a few MiB,
 * documented per test, separate the two. Checks are awaited (collecting again until within,
 * or a deadline): after an attack connections close and callbacks drain asynchronously, and
 * during one the direct memory freed by a collection is released just after it (below).
 *
 * <p><b>Direct memory</b> is the JDK's {@code direct} buffer pool. A closed connection's
 * buffers stay in it until a collection finds them unreachable (direct memory does not trigger
 * collections: 10,000 connect/close cycles left over 100 MiB there), and for a moment after,
 * until the JDK's reference handler has run their cleaners; hence a collection before each
 * measurement, and awaiting. A figure is thus an upper bound: it may still count buffers
 * being freed (a second measurement of the same state is often lower). It also counts the temporary direct buffers the JDK caches per
 * thread for blocking socket I/O with heap arrays ({@link HostilePeer} does that on the test's
 * threads: at most a few hundred KiB per thread).
 *
 * <p><b>Threads:</b> a node has a fixed set of {@code vecino-*} threads; an attack must add
 * none, ever (no thread per connection), so the thread count has no allowance. Take the first
 * footprint after every node of the test is started. Not counted: a secure node's TLS
 * handshake pool ({@code vecino-tls-*}), which starts its threads on the first handshake and
 * ends them when idle, at most two per node however many connections there are ({@link
 * #tlsThreadCount()} counts them, for tests that check that bound).
 *
 * @param heapAfterGc bytes of heap that survived the last full collection
 * @param directBytes bytes of direct buffers in use
 * @param vecinoThreads live threads whose name starts with {@code vecino-}, every node of this
 *     JVM, but for the TLS handshake pools' ({@code vecino-tls-*})
 */
public record Footprint(long heapAfterGc, long directBytes, int vecinoThreads) {

  /** How long {@link #awaitWithin} waits for the JVM to come back within the allowance. */
  public static final Duration AWAIT = Await.DEFAULT;

  private static final String TLS_POOL = "vecino-tls-";

  /**
   * How much a footprint may exceed the one taken before the attack.
   *
   * @param heapBytes extra heap after a full collection
   * @param directBytes extra direct memory
   */
  public record Allowance(long heapBytes, long directBytes) {

    /**
     * Validates the figures.
     *
     * @throws IllegalArgumentException if a figure is negative
     */
    public Allowance {
      if (heapBytes < 0 || directBytes < 0) {
        throw new IllegalArgumentException("allowances must be >= 0: " + heapBytes + ", " + directBytes);
      }
    }

    /**
     * An allowance in MiB.
     *
     * @param heapMiB extra heap after a full collection, in MiB
     * @param directMiB extra direct memory, in MiB
     * @return the allowance
     */
    public static Allowance mebibytes(long heapMiB, long directMiB) {
      return new Allowance(heapMiB << 20, directMiB << 20);
    }

    /**
     * This allowance with more direct memory, e.g. the documented per-peer bound of the
     * peers whose queues an attack fills.
     *
     * @param bytes the extra direct memory
     * @return a new allowance
     */
    public Allowance plusDirect(long bytes) {
      return new Allowance(heapBytes, directBytes + bytes);
    }

    /**
     * This allowance with more heap, e.g. the documented inbound bound of the peers an attack
     * floods.
     *
     * @param bytes the extra heap
     * @return a new allowance
     */
    public Allowance plusHeap(long bytes) {
      return new Allowance(heapBytes + bytes, directBytes);
    }
  }

  /**
   * Collects garbage (a full collection), then measures.
   *
   * @return the footprint now
   */
  public static Footprint measure() {
    System.gc();
    long heap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterGc = pool.getCollectionUsage();
      if (pool.getType() == MemoryType.HEAP && afterGc != null) {
        heap += afterGc.getUsed();
      }
    }
    long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    return new Footprint(heap, direct, vecinoThreadCount());
  }

  /**
   * Counts the live {@code vecino-*} threads of every node in this JVM, without collecting
   * garbage.
   *
   * @return the count
   */
  public static int vecinoThreadCount() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("vecino-") && !t.getName().startsWith(TLS_POOL)).count();
  }

  /**
   * Counts the live threads of the secure nodes' TLS handshake pools ({@code vecino-tls-*}) in
   * this JVM: at most two per node.
   *
   * @return the count
   */
  public static int tlsThreadCount() {
    return (int) Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith(TLS_POOL)).count();
  }

  /**
   * Whether this footprint is within {@code allowance} of {@code base}: heap and direct memory
   * at most the allowance above, and no {@code vecino-*} thread more.
   *
   * @param base the footprint before the attack
   * @param allowance what the attack may add
   * @return true if within
   */
  public boolean isWithin(Footprint base, Allowance allowance) {
    return heapAfterGc - base.heapAfterGc <= allowance.heapBytes()
        && directBytes - base.directBytes <= allowance.directBytes()
        && vecinoThreads <= base.vecinoThreads;
  }

  /**
   * Measures until the footprint is within {@code allowance} of {@code base}: the check during
   * an attack (direct buffers are freed just after the collection that finds them) and after
   * it (connections close and callbacks drain asynchronously). Collects garbage on every try,
   * so tries are spaced by at least a collection; fails after {@link #AWAIT}.
   *
   * @param base the footprint before the attack
   * @param allowance what may remain after the attack
   * @param when when the check is made, for the failure message
   * @return the first footprint within the allowance
   * @throws AssertionError if none is within after {@link #AWAIT}
   */
  public static Footprint awaitWithin(Footprint base, Allowance allowance, String when) {
    Footprint[] last = {measure()};
    if (last[0].isWithin(base, allowance)) {
      return last[0];
    }
    try {
      Await.until(when, AWAIT, () -> (last[0] = measure()).isWithin(base, allowance));
    } catch (AssertionError e) {
      throw new AssertionError(last[0].failure(base, allowance, when + ", awaited " + AWAIT.toMillis() + " ms"), e);
    }
    return last[0];
  }

  private String failure(Footprint base, Allowance allowance, String when) {
    return String.format(Locale.ROOT, "footprint %s: %s; before: %s; allowed: heap +%s, direct +%s, no vecino thread more",
        when, this, base, mib(allowance.heapBytes()), mib(allowance.directBytes()));
  }

  /**
   * This footprint's growth over {@code base}, for a report line.
   *
   * @param base the footprint before the attack
   * @return e.g. {@code heap +1.20 MiB, direct +0.25 MiB, vecino threads +0}
   */
  public String growthOver(Footprint base) {
    return String.format(Locale.ROOT, "heap %s%s, direct %s%s, vecino threads %+d",
        heapAfterGc >= base.heapAfterGc ? "+" : "-", mib(Math.abs(heapAfterGc - base.heapAfterGc)),
        directBytes >= base.directBytes ? "+" : "-", mib(Math.abs(directBytes - base.directBytes)),
        vecinoThreads - base.vecinoThreads);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.2f MiB", bytes / (1024.0 * 1024.0));
  }

  @Override
  public String toString() {
    return "heap after GC " + mib(heapAfterGc) + ", direct " + mib(directBytes) + ", " + vecinoThreads
        + " vecino threads";
  }
}
