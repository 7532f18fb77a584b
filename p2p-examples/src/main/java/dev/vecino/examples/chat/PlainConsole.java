package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Text;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * A console over plain streams, for piped stdin and scripts: no prompts on the main loop, no
 * ANSI codes, one line per {@link #println}, flushed at once. Sub-prompts (menu items) are
 * printed as lines of their own so scripts can match them. Errors go to the error stream as
 * {@code error: text}.
 *
 * <p><b>Thread safety:</b> {@link #println} and {@link #error} are synchronized; {@link #readLine}
 * belongs to the input thread.
 */
public final class PlainConsole implements Console {

  private final BufferedReader in;
  private final PrintWriter out;
  private final PrintWriter err;

  /**
   * Creates a console.
   *
   * @param in the input; read by the input thread only
   * @param out the output; flushed after every line
   * @param err where errors go; flushed after every line
   */
  public PlainConsole(BufferedReader in, PrintWriter out, PrintWriter err) {
    this.in = in;
    this.out = out;
    this.err = err;
  }

  @Override
  public String readLine(String prompt) {
    if (!prompt.isEmpty()) {
      println(prompt.strip());
    }
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(Text.get("console.read"), e);
    }
  }

  @Override
  public synchronized void println(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public synchronized void error(String text) {
    // Whatever went to stdout before comes first, as it happened first.
    out.flush();
    err.println("error: " + text);
    err.flush();
  }

  @Override
  public void progress(String line) {
    // Not a terminal: no in-place redraw; callers print milestones as lines.
  }

  @Override
  public void bell() {
    // No terminal, no bell: a BEL byte in a log or pipe is noise.
  }

  @Override
  public boolean isTerminal() {
    return false;
  }

  @Override
  public synchronized void close() {
    out.flush();
    err.flush();
  }
}
