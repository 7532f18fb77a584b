package dev.vecino.examples.chat;

/**
 * One line of chat input, parsed: what the user asked for. {@link InputParser} makes these;
 * the session carries them out. Targets stay text here and are resolved against the current
 * peer list only when the command runs.
 */
public sealed interface ChatInput {

  /** A blank line: ignored. */
  record Empty() implements ChatInput {}

  /**
   * A message to every connected peer ({@code /all text}, or any plain line).
   *
   * @param text the message, possibly empty (then refused with "empty message")
   */
  record Broadcast(String text) implements ChatInput {}

  /**
   * A private message ({@code /msg target text}).
   *
   * @param target an index, alias or name
   * @param text the message, possibly empty
   */
  record Direct(String target, String text) implements ChatInput {}

  /**
   * A call ({@code /call target [text]}).
   *
   * @param target an index, alias or name
   * @param text the call's text, possibly empty
   */
  record Call(String target, String text) implements ChatInput {}

  /**
   * Connect to a peer ({@code /connect host:port}).
   *
   * @param address the address as typed
   */
  record Connect(String address) implements ChatInput {}

  /**
   * Scan for peers ({@code /scan [targets] [--port P]}).
   *
   * @param targets the targets as typed, or null for the default (own subnets)
   * @param ports the ports as typed, or null for the node's default
   */
  record Scan(String targets, String ports) implements ChatInput {}

  /** Show the connections ({@code /peers}). */
  record Peers() implements ChatInput {}

  /** Show this node's key fingerprint, the connected peers' and the pinned keys ({@code /keys}). */
  record Keys() implements ChatInput {}

  /**
   * Pin a key ({@code /trust fingerprint|peer}).
   *
   * @param target a fingerprint as typed, or a connected peer (number, alias, name)
   */
  record Trust(String target) implements ChatInput {}

  /**
   * Unpin a key ({@code /untrust fingerprint|id}).
   *
   * @param target a fingerprint, or a pinned peer's id or id prefix
   */
  record Untrust(String target) implements ChatInput {}

  /**
   * Set or clear a peer's alias ({@code /name index [alias]}).
   *
   * @param target the peer's index (names and aliases work too)
   * @param alias the new alias, or null to clear it
   */
  record Name(String target, String alias) implements ChatInput {}

  /**
   * Disconnect one peer or all ({@code /disconnect target|all}).
   *
   * @param target an index, alias, name, or {@code all}
   */
  record Disconnect(String target) implements ChatInput {}

  /**
   * A numbered menu item typed alone on a line.
   *
   * @param number 1 to 9
   */
  record MenuItem(int number) implements ChatInput {}

  /** Show the numbered menu ({@code menu}, {@code ?}). */
  record Menu() implements ChatInput {}

  /** Show the slash commands ({@code /help}). */
  record Help() implements ChatInput {}

  /** Leave ({@code /quit}, {@code /exit}). */
  record Quit() implements ChatInput {}

  /**
   * A line that looks like a command but is not a valid one.
   *
   * @param message one line saying what is wrong and what would work
   */
  record Invalid(String message) implements ChatInput {}
}
