/**
 * The range-scan engine behind {@code PeerNode.scan} and {@code PeerNode.discover}: rounds of
 * window-limited, optionally rate-limited probes driven by one event loop. Not exported.
 */
package dev.vecino.p2p.internal.scan;
