package dev.vecino.examples.chat;

/**
 * Where the chat reads lines and prints lines: a terminal ({@link JLineConsole}) or plain
 * streams ({@link PlainConsole}).
 *
 * <p><b>Thread safety:</b> {@link #println} may be called from any thread (peer events arrive
 * on the node's callback thread) and never garbles a line being typed; {@link #readLine} is
 * called by the chat's input thread only.
 */
public interface Console extends AutoCloseable {

  /**
   * Reads one line.
   *
   * @param prompt the prompt; empty for the main prompt
   * @return the line, or null at end of input or on Ctrl-C
   */
  String readLine(String prompt);

  /**
   * Prints one line (above the prompt on a terminal).
   *
   * @param line the line, without terminator
   */
  void println(String line);

  /**
   * Redraws a transient status line in place (a progress bar) on a terminal; elsewhere does
   * nothing, and the caller prints milestones with {@link #println} instead. Call only while no
   * line is being read (from the input thread, or the thread reporting the progress meanwhile);
   * lines printed meanwhile appear above the bar; an empty line clears it, before the next
   * prompt.
   *
   * @param line the status, shorter than the terminal is wide; empty to clear it
   */
  void progress(String line);

  /**
   * Gives up the line being read for good, before the process exits from another thread while
   * the input thread still waits in {@link #readLine} (the node failed): on a terminal the prompt
   * and what was typed are erased, so the shell's prompt starts on a clean line; elsewhere does
   * nothing. Any thread.
   */
  default void abandonInput() {}

  /**
   * Rings the terminal bell; does nothing when not on a terminal.
   */
  void bell();

  /**
   * Returns whether this console is an interactive terminal.
   *
   * @return true on a TTY
   */
  boolean isTerminal();

  /** Restores the terminal. Idempotent. */
  @Override
  void close();
}
