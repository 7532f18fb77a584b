package dev.vecino.bench.compare;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Shared measurement mechanics: a throughput window sampled from a receiver's counter, a
 * paced sender for open-loop runs, and bounded waits.
 *
 * <p>Stateless; safe from any thread.
 */
final class Timing {

  /** The highest latency a histogram tracks, in nanoseconds (10 s). */
  static final long MAX_LATENCY_NANOS = 10_000_000_000L;

  private Timing() {}

  /**
   * Sleeps through the warm-up, then counts what the receiver counted during the measured
   * window.
   *
   * @param received the receiver's message counter
   * @param warmup not measured
   * @param measure measured
   * @return {@code msgsPerSec} received during the window and {@code cpuNsPerMsg}, this
   *     JVM's CPU time per message received (both ends live in this JVM)
   */
  static Result window(LongSupplier received, Duration warmup, Duration measure) {
    sleep(warmup);
    long cpu0 = processCpuNanos();
    long n0 = received.getAsLong();
    long t0 = System.nanoTime();
    sleep(measure);
    long n1 = received.getAsLong();
    long t1 = System.nanoTime();
    long cpu1 = processCpuNanos();
    if (n1 - n0 <= 0) {
      throw new IllegalStateException("receiver counted nothing in the window");
    }
    return new Result().put("msgsPerSec", (n1 - n0) * 1e9 / (t1 - t0))
        .put("cpuNsPerMsg", cpu0 < 0 ? Double.NaN : (double) (cpu1 - cpu0) / (n1 - n0));
  }

  /**
   * Returns the CPU time (user + system) this JVM used so far: the cost of a message, which,
   * unlike wall time, other work on a shared machine barely changes.
   *
   * @return nanoseconds, or -1 if unknown
   */
  static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * Sleeps; an interrupt ends the sleep early and keeps the flag.
   *
   * @param d how long
   */
  static void sleep(Duration d) {
    long end = System.nanoTime() + d.toNanos();
    long left;
    while ((left = end - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }

  /**
   * Waits until {@code value} reaches {@code target}: spin, then yield (two cores).
   *
   * @param value the counter
   * @param target the value to reach
   * @param deadlineNanos absolute {@link System#nanoTime()} deadline
   * @return true if reached, false on deadline
   */
  static boolean awaitAtLeast(LongSupplier value, long target, long deadlineNanos) {
    int spins = 0;
    while (value.getAsLong() < target) {
      if (++spins < 100) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
        if ((spins & 255) == 0 && System.nanoTime() - deadlineNanos > 0) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Waits until the given time: parks when far away, yields when near.
   *
   * @param when absolute {@link System#nanoTime()}
   * @param idle run repeatedly while waiting instead of parking, or null
   */
  static void until(long when, Runnable idle) {
    long left;
    while ((left = when - System.nanoTime()) > 0) {
      if (idle != null) {
        // Poll, then give the CPU away briefly: a pure poll loop starves the library's own
        // I/O threads on two cores. Replies are seen at most ~50 µs late.
        idle.run();
        if (left > 60_000) {
          LockSupport.parkNanos(50_000);
        } else {
          Thread.yield();
        }
      } else if (left > 200_000) {
        LockSupport.parkNanos(left - 100_000);
      } else {
        Thread.yield();
      }
    }
  }

  /** Something that can send one message. */
  interface Sender {
    /**
     * Sends one message whose payload starts with {@code intendedNanos} (8 bytes, big-endian).
     *
     * @param intendedNanos the intended send time
     * @throws Exception on failure
     */
    void send(long intendedNanos) throws Exception;
  }

  /**
   * Runs a closed loop: send one message and wait for its echo, repeatedly, recording each
   * round trip.
   *
   * @param sender sends one message
   * @param replies counts echoes received
   * @param warmup not recorded
   * @param measure recorded
   * @return the round-trip histogram, in nanoseconds
   * @throws Exception on failure or a lost echo
   */
  static Histogram closedLoop(Sender sender, LongSupplier replies, Duration warmup,
      Duration measure) throws Exception {
    Histogram h = new Histogram(MAX_LATENCY_NANOS, 3);
    long warmEnd = System.nanoTime() + warmup.toNanos();
    long end = warmEnd + measure.toNanos();
    long sent = 0;
    long now = System.nanoTime();
    while (now < end) {
      long t0 = System.nanoTime();
      sender.send(t0);
      sent++;
      if (!awaitAtLeast(replies, sent, t0 + 5_000_000_000L)) {
        throw new IllegalStateException("echo lost after " + sent + " messages");
      }
      now = System.nanoTime();
      if (t0 >= warmEnd) {
        h.recordValue(Math.min(now - t0, MAX_LATENCY_NANOS));
      }
    }
    return h;
  }

  /**
   * Runs an open loop: sends at a fixed rate, each message stamped with its intended send
   * time, without waiting for echoes; the echo handler records latency from that stamp into
   * {@code histogram}. Waits up to 5 s for the last echoes.
   *
   * @param sender sends one message
   * @param replies counts echoes received
   * @param rate messages per second
   * @param warmup the first messages, whose echoes the handler must ignore: it is given the
   *     returned start of the measured window via {@code measuredFrom}
   * @param measure the measured window
   * @param measuredFrom receives the {@link System#nanoTime()} at which measuring starts,
   *     before the first message is sent
   * @return messages sent
   * @throws Exception on failure, or if echoes are lost
   */
  static long openLoop(Sender sender, LongSupplier replies, double rate, Duration warmup,
      Duration measure, java.util.function.LongConsumer measuredFrom) throws Exception {
    return openLoop(sender, replies, rate, warmup, measure, measuredFrom, null);
  }

  /**
   * As {@link #openLoop(Sender, LongSupplier, double, Duration, Duration,
   * java.util.function.LongConsumer)}, running {@code idle} while waiting for each send time
   * (for a library whose socket must be polled by the sending thread).
   *
   * @param sender sends one message
   * @param replies counts echoes received
   * @param rate messages per second
   * @param warmup not measured
   * @param measure measured
   * @param measuredFrom receives the start of the measured window
   * @param idle polled while waiting, or null
   * @return messages sent
   * @throws Exception on failure, or if echoes are lost
   */
  static long openLoop(Sender sender, LongSupplier replies, double rate, Duration warmup,
      Duration measure, java.util.function.LongConsumer measuredFrom, Runnable idle)
      throws Exception {
    long interval = Math.max(1, (long) (1e9 / rate));
    long start = System.nanoTime() + 1_000_000;
    measuredFrom.accept(start + warmup.toNanos());
    long end = start + warmup.toNanos() + measure.toNanos();
    long sent = 0;
    for (long intended = start; intended < end; intended = start + sent * interval) {
      until(intended, idle);
      sender.send(intended);
      sent++;
    }
    if (!awaitAtLeast(replies, sent, System.nanoTime() + 5_000_000_000L)) {
      throw new IllegalStateException("open loop: " + (sent - replies.getAsLong())
          + " of " + sent + " echoes missing");
    }
    return sent;
  }
}
