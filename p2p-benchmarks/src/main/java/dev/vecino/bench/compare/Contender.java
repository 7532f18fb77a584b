package dev.vecino.bench.compare;

import java.time.Duration;

/**
 * One library or approach under comparison. Each method runs in a fresh JVM, talks only to
 * 127.0.0.1, stops by itself after {@code warmup + measure}, and frees every thread and socket
 * it opened.
 */
interface Contender {

  /**
   * One-way throughput of length-prefixed frames, counted by the receiver after parsing.
   *
   * @param size payload bytes
   * @param warmup not measured
   * @param measure measured
   * @return at least {@code msgsPerSec}
   * @throws Exception on failure, or {@link UnsupportedOperationException}
   */
  default Result oneWay(int size, Duration warmup, Duration measure) throws Exception {
    throw new UnsupportedOperationException("no one-way case");
  }

  /**
   * Closed-loop ping-pong: send, wait for the echo, repeat.
   *
   * @param size payload bytes
   * @param warmup not measured
   * @param measure measured
   * @return latency percentiles in microseconds
   * @throws Exception on failure, or {@link UnsupportedOperationException}
   */
  default Result pingPong(int size, Duration warmup, Duration measure) throws Exception {
    throw new UnsupportedOperationException("no ping-pong case");
  }

  /**
   * Closed-loop echo as the example {@code echo-client} against {@code echo-server} runs it:
   * one message in flight, the next sent when the echo arrives.
   *
   * @param size payload bytes
   * @param warmup not measured
   * @param measure measured
   * @return latency percentiles in microseconds
   * @throws Exception on failure, or {@link UnsupportedOperationException}
   */
  default Result echo(int size, Duration warmup, Duration measure) throws Exception {
    throw new UnsupportedOperationException("no echo case");
  }

  /**
   * The idle path: send one message on an otherwise quiet connection, wait until the receiver
   * counted it, repeat. Reports bytes allocated per message by each thread it can reach.
   *
   * @param size payload bytes
   * @param warmup not measured
   * @param measure measured
   * @return at least {@code msgsPerSec} and {@code sendThreadBytesPerMsg}
   * @throws Exception on failure, or {@link UnsupportedOperationException}
   */
  default Result idle(int size, Duration warmup, Duration measure) throws Exception {
    throw new UnsupportedOperationException("no idle-path case");
  }

  /**
   * Open-loop echo at a fixed rate: each message carries its intended send time, and latency
   * is counted from that time, so a stall delays every message behind it (no coordinated
   * omission).
   *
   * @param size payload bytes (at least 16)
   * @param rate messages per second
   * @param warmup not measured
   * @param measure measured
   * @return latency percentiles in microseconds
   * @throws Exception on failure, or {@link UnsupportedOperationException}
   */
  default Result openLoop(int size, double rate, Duration warmup, Duration measure)
      throws Exception {
    throw new UnsupportedOperationException("no open-loop case");
  }
}
