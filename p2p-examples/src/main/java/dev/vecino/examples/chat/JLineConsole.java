package dev.vecino.examples.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * A terminal console on JLine 3: line editing, history (kept in the config directory), tab
 * completion of slash commands and peer names, and incoming lines printed above the prompt
 * without breaking what the user is typing.
 *
 * <p><b>Thread safety:</b> {@link #println} may be called from any thread (JLine's
 * {@code printAbove} is thread-safe); {@link #readLine} belongs to the input thread.
 */
public final class JLineConsole implements Console {

  private static final List<String> PEER_COMMANDS = List.of("/msg", "/call", "/name", "/disconnect");

  private final Terminal terminal;
  private final LineReader reader;
  private final String prompt;
  private boolean closed;

  /**
   * Opens the system terminal.
   *
   * @param history the history file, or null to keep history in memory only
   * @param peerWords supplies the current peer names and aliases for completion
   * @param color whether to color the prompt
   * @return the console
   * @throws UncheckedIOException if the terminal cannot be opened
   */
  public static JLineConsole open(Path history, Supplier<List<String>> peerWords, boolean color) {
    try {
      Terminal terminal = TerminalBuilder.builder().system(true).build();
      return new JLineConsole(terminal, history, peerWords, color);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the terminal", e);
    }
  }

  private JLineConsole(Terminal terminal, Path history, Supplier<List<String>> peerWords,
      boolean color) {
    this.terminal = terminal;
    this.prompt = color ? "\u001b[1;32m>\u001b[0m " : "> ";
    LineReaderBuilder builder = LineReaderBuilder.builder();
    if (history != null) {
      builder.variable(LineReader.HISTORY_FILE, history);
    }
    this.reader = builder
        .terminal(terminal)
        .appName("vecino")
        .variable(LineReader.HISTORY_SIZE, 1000)
        .completer((r, line, candidates) -> {
          List<String> words = line.words();
          if (line.wordIndex() == 0) {
            InputParser.COMMANDS.forEach(c -> candidates.add(new Candidate(c)));
          } else if (line.wordIndex() == 1 && !words.isEmpty()
              && PEER_COMMANDS.contains(words.get(0))) {
            peerWords.get().forEach(w -> candidates.add(new Candidate(w)));
            if (words.get(0).equals("/disconnect")) {
              candidates.add(new Candidate("all"));
            }
          }
        })
        .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
        .build();
  }

  @Override
  public String readLine(String subPrompt) {
    try {
      return reader.readLine(subPrompt.isEmpty() ? prompt : subPrompt);
    } catch (UserInterruptException | EndOfFileException e) {
      return null;
    }
  }

  @Override
  public void println(String line) {
    reader.printAbove(line);
  }

  @Override
  public void progress(String line) {
    terminal.writer().print("\r" + line + "\u001b[K");
    terminal.flush();
  }

  @Override
  public void bell() {
    terminal.puts(org.jline.utils.InfoCmp.Capability.bell);
    terminal.flush();
  }

  @Override
  public boolean isTerminal() {
    return true;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      reader.getHistory().save();
      terminal.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore the terminal", e);
    }
  }
}
