/**
 * Helpers for Vecino tests and benchmarks, all on loopback (127.0.0.0/8) only: nodes on chosen
 * 127.x addresses ({@link dev.vecino.p2p.testkit.LoopbackBlock}, {@link dev.vecino.p2p.testkit.TestNodes}),
 * plain TCP services that are not Vecino peers ({@link dev.vecino.p2p.testkit.PlainService}),
 * addresses that drop SYNs ({@link dev.vecino.p2p.testkit.SilentHosts}) and deadline waits
 * ({@link dev.vecino.p2p.testkit.Await}).
 *
 * <p>Everything is non-null unless documented otherwise.
 */
package dev.vecino.p2p.testkit;
