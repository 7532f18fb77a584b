/**
 * Vecino's public API: {@link dev.vecino.p2p.PeerNode}, its builder, the values it hands out,
 * and the exceptions it throws (all under {@link dev.vecino.p2p.VecinoException}).
 *
 * <p>Everything is non-null unless its documentation says otherwise.
 */
package dev.vecino.p2p;
