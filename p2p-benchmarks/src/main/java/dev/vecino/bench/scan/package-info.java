/**
 * The scan benchmark in one command: {@link dev.vecino.bench.scan.ScanMain} measures how many
 * addresses per second {@code node.scan} probes on the ranges the user names, prints a table and
 * draws a chart. Loopback (127.0.0.0/8) only, unless the user says they own the network.
 */
package dev.vecino.bench.scan;
