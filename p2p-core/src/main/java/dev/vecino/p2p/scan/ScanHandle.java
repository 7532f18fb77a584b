package dev.vecino.p2p.scan;

import java.util.concurrent.CompletableFuture;

/**
 * A running scan, returned by {@link dev.vecino.p2p.PeerNode#scan} and {@link dev.vecino.p2p.PeerNode#discover()}.
 *
 * <pre>{@code
 * ScanHandle scan = node.scan(Targets.parse("127.0.0.0/24"), Ports.parse("9000-9010"));
 * ScanProgress now = scan.progress();                          // any time, from any thread
 * System.out.println(now.done() + " of " + now.total() + " probed");
 * ScanReport report = scan.report().get(30, TimeUnit.SECONDS);  // the first round
 * for (ScanResult peer : report.peers()) {
 *   System.out.println(peer.name() + " at " + peer.address());
 * }
 * }</pre>
 *
 * <p>A periodic scan ({@link ScanOptions.Builder#rescanEvery}) runs until cancelled; hear its
 * later rounds with {@link ScanListener#onRoundComplete}:
 *
 * <pre>{@code
 * ScanHandle watch = node.scan(Targets.parse("127.0.0.0/24"), Ports.of(9999),
 *     ScanOptions.builder().rescanEvery(Duration.ofMinutes(1)).build());
 * // ... and when the application stops watching:
 * watch.cancel();
 * }</pre>
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public interface ScanHandle {

  /**
   * Returns the report of the first round. It completes normally also when the scan is
   * cancelled (then {@link ScanReport#cancelled()} is true), and fails with
   * {@link dev.vecino.p2p.NodeClosedException} if the node closes first. Later rounds of a periodic scan are
   * reported to {@link ScanListener#onRoundComplete}.
   *
   * @return the first round's report; completes on the callback executor
   */
  CompletableFuture<ScanReport> report();

  /**
   * Returns the progress of the current (or last) round.
   *
   * @return a snapshot
   */
  ScanProgress progress();

  /**
   * Stops the scan: no new probe starts, every probe socket is closed, and the current round
   * ends with a cancelled report; a periodic scan schedules no further round. Returns at once;
   * the sockets are closed within milliseconds. Idempotent.
   */
  void cancel();

  /**
   * Returns whether the scan is over: its last round ended, it was cancelled, or the node
   * closed. A periodic scan is over only when cancelled or closed.
   *
   * @return true when over
   */
  boolean isDone();
}
