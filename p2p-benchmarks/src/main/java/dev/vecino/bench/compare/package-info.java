/**
 * The side-by-side comparison: Vecino against a hand-written NIO loop (the machine's ceiling),
 * a blocking socket, Netty and JeroMQ, same machine, same run, same message shape
 * (length-prefixed frames that every receiver parses).
 *
 * <p>{@link dev.vecino.bench.compare.CompareMain} runs every case in a fresh JVM
 * ({@link dev.vecino.bench.compare.CaseMain}), takes the median of the runs and writes
 * {@code benchmarks.md} plus charts. Everything talks to 127.0.0.1 only; every loop is bounded
 * in time.
 */
package dev.vecino.bench.compare;
