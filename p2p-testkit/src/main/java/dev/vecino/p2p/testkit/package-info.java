/**
 * Helpers for Vecino tests and benchmarks, all on loopback (127.0.0.0/8) only: nodes on chosen
 * 127.x addresses ({@link dev.vecino.p2p.testkit.LoopbackBlock}, {@link dev.vecino.p2p.testkit.TestNodes}),
 * plain TCP services that are not Vecino peers ({@link dev.vecino.p2p.testkit.PlainService}),
 * addresses that drop SYNs ({@link dev.vecino.p2p.testkit.SilentHosts}) and deadline waits
 * ({@link dev.vecino.p2p.testkit.Await}); for attack tests, a framed-protocol client that
 * sends anything ({@link dev.vecino.p2p.testkit.HostilePeer}), a legitimate peer that keeps
 * checking it still gets in and is heard ({@link dev.vecino.p2p.testkit.Friend}) and the
 * JVM's heap, direct memory and threads before, during and after an attack
 * ({@link dev.vecino.p2p.testkit.Footprint}).
 *
 * <p>Everything is non-null unless documented otherwise.
 */
package dev.vecino.p2p.testkit;
