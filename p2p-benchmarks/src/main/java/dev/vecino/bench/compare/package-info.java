/**
 * The side-by-side comparison: Vecino against hand-written NIO loops (the machine's ceiling:
 * a writer thread and a reader thread), a blocking socket, Netty and JeroMQ, same machine, same
 * run, same message shape (length-prefixed frames that every receiver parses).
 *
 * <p>{@link dev.vecino.bench.compare.CompareMain} runs every case in a fresh JVM
 * ({@link dev.vecino.bench.compare.CaseMain}), takes the median of the runs and writes
 * {@code benchmarks.md} (with the targets table, {@code RatioTargets})
 * plus charts and CSV files. Everything talks to 127.0.0.1 only; every loop is bounded
 * in time.
 */
package dev.vecino.bench.compare;
