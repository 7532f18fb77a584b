package dev.vecino.p2p.scan;

/**
 * How far a scan round is.
 *
 * @param round the round, from 1 (periodic re-scans count up)
 * @param done the candidates probed to the end so far
 * @param total the candidates in the round, or -1 when the discovery cannot tell
 * @param peersFound the distinct peers (by id) found so far in the round
 */
public record ScanProgress(int round, long done, long total, int peersFound) {}
