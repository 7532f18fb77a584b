/**
 * Scanning address ranges for peers: what to scan ({@link dev.vecino.p2p.scan.Targets},
 * {@link dev.vecino.p2p.scan.Ports}), how ({@link dev.vecino.p2p.scan.ScanOptions}), and what a
 * scan reports ({@link dev.vecino.p2p.scan.ScanHandle}, {@link dev.vecino.p2p.scan.ScanReport},
 * {@link dev.vecino.p2p.scan.ScanResult}). Start a scan with {@code PeerNode.scan} or
 * {@code PeerNode.discover}. Everything is non-null unless documented otherwise.
 */
package dev.vecino.p2p.scan;
