/**
 * JMH benchmarks for Vecino's hot paths: codec, one-way dispatch, ping-pong latency, broadcast
 * fan-out and connection set-up. Everything talks to 127.0.0.1 only.
 *
 * <p>Run with {@code java -jar p2p-benchmarks/target/benchmarks.jar}; see
 * {@code docs/benchmarks.md}. The side-by-side comparison with other libraries lives in
 * {@link dev.vecino.bench.compare}, the one-command scan benchmark in
 * {@link dev.vecino.bench.scan}.
 */
package dev.vecino.bench;
