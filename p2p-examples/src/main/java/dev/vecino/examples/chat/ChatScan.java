package dev.vecino.examples.chat;

import dev.vecino.p2p.PeerNode;

/**
 * The chat's scan ({@code /scan}, menu item 5, {@code --scan}): lists the targets, shows a
 * live progress bar, prints a summary and connects to the peers found.
 *
 * <p>Scanning needs the range-scan API of p2p-core ({@code node.scan(targets, ports)}, issue
 * 4). Until that API is on the core's main line, this class reports that scanning is
 * unavailable instead of pretending; it is the only chat class that touches scanning.
 *
 * <p><b>Threads:</b> the chat's input thread.
 */
final class ChatScan {

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;

  ChatScan(PeerNode node, Console console, ChatFormat format) {
    this.node = node;
    this.console = console;
    this.format = format;
  }

  /**
   * Scans and auto-connects.
   *
   * @param targets targets as typed, or null for the node's own subnets
   * @param ports ports as typed, or null for the node's own port
   */
  void scan(String targets, String ports) {
    // TODO(#4): call node.scan(targets, ports) once the range-scan API lands in p2p-core.
    console.println(format.error("scanning is not available in this build: p2p-core has no "
        + "range-scan API yet (issue #4); connect with /connect host:port"));
  }
}
