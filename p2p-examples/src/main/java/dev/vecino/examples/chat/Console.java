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
   * @return the line, or null at end of input (Ctrl-D on a terminal)
   * @throws Interrupted when the user pressed Ctrl-C while the line was read
   */
  String readLine(String prompt);

  /**
   * Prints an error: on a terminal above the prompt, time-stamped and colored, elsewhere as
   * {@code error: text} on standard error. Any thread.
   *
   * @param text what went wrong, one line, without the {@code error:} prefix
   */
  void error(String text);

  /**
   * Prints one line (above the prompt on a terminal).
   *
   * @param line the line, without terminator
   */
  void println(String line);

  /**
   * Shows a transient status (a progress bar) on a terminal, in front of the main prompt, so
   * the prompt stays free and lines printed meanwhile appear above it; elsewhere does nothing,
   * and the caller prints milestones with {@link #println} instead. Any thread; an empty line
   * removes it.
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

  /**
   * Ctrl-C while a line was being read: the session cancels what runs in the background, or
   * leaves when nothing does.
   */
  final class Interrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the signal; it carries no stack trace (it is not an error). */
    public Interrupted() {
      super("interrupted", null, false, false);
    }
  }

  /** Restores the terminal. Idempotent. */
  @Override
  void close();
}
