package dev.vecino.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Measures the bytes allocated and the CPU time used by a chosen set of threads, to split a
 * node's allocation and work into the send path (the sending thread plus the sender's I/O
 * thread) and the receive path (the receiver's I/O and callback threads). JMH's
 * {@code -prof gc} only reports the whole JVM, and process CPU time hides which thread is the
 * bottleneck.
 *
 * <p>Uses HotSpot's {@code com.sun.management.ThreadMXBean}; where it is missing, every reading
 * is -1. <b>Thread safety:</b> none; one thread uses a probe.
 */
public final class AllocProbe {

  private final com.sun.management.ThreadMXBean mx;
  private final Predicate<Thread> include;
  private long[] ids = new long[0];
  private long start;
  private long cpuStart;

  /**
   * Creates a probe over every live thread that {@code include} accepts (re-evaluated at each
   * {@link #begin()}).
   *
   * @param include selects threads, usually by name
   */
  public AllocProbe(Predicate<Thread> include) {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    this.mx = bean instanceof com.sun.management.ThreadMXBean m
        && m.isThreadAllocatedMemorySupported() ? m : null;
    this.include = include;
  }

  /** Picks the threads and reads their allocation counters. */
  public void begin() {
    select();
    start();
  }

  /**
   * Picks the threads, without reading their counters yet: picking allocates on the calling
   * thread, so a caller that measures its own thread picks for every probe first.
   */
  public void select() {
    List<Long> list = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (include.test(t)) {
        list.add(t.getId());
      }
    }
    ids = list.stream().mapToLong(Long::longValue).toArray();
  }

  /** Reads the counters of the threads {@link #select()} picked: the start of the window. */
  public void start() {
    cpuStart = cpu();
    start = total();
  }

  /**
   * Returns the bytes the selected threads allocated since {@link #begin()}.
   *
   * @return bytes, or -1 if unsupported
   */
  public long allocatedSinceBegin() {
    return mx == null ? -1 : total() - start;
  }

  /**
   * Returns how many threads were selected at {@link #begin()}.
   *
   * @return the count
   */
  public int threads() {
    return ids.length;
  }

  /**
   * Returns the CPU time the selected threads used since {@link #begin()}.
   *
   * @return nanoseconds, or -1 if unsupported
   */
  public long cpuNanosSinceBegin() {
    long now = cpu();
    return now < 0 || cpuStart < 0 ? -1 : now - cpuStart;
  }

  private long cpu() {
    if (mx == null || !mx.isThreadCpuTimeSupported() || !mx.isThreadCpuTimeEnabled()) {
      return -1;
    }
    long sum = 0;
    for (long id : ids) {
      long t = mx.getThreadCpuTime(id);
      if (t > 0) {
        sum += t;
      }
    }
    return sum;
  }

  private long total() {
    if (mx == null) {
      return -1;
    }
    long sum = 0;
    for (long a : mx.getThreadAllocatedBytes(ids)) {
      if (a > 0) {
        sum += a;
      }
    }
    return sum;
  }

  /**
   * Selects the threads a node started: names start with {@code vecino-} and contain the
   * node's id in full or short form.
   *
   * @param fullId the node id's string form
   * @param shortId the node id's short form
   * @return the predicate
   */
  public static Predicate<Thread> nodeThreads(String fullId, String shortId) {
    return t -> t.getName().startsWith("vecino-")
        && (t.getName().contains(fullId) || t.getName().contains(shortId));
  }
}
