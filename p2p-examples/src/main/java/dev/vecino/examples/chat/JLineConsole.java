package dev.vecino.examples.chat;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalExt;

/**
 * A terminal console on JLine 3: line editing, history (kept in the config directory), tab
 * completion of slash commands and peer names, and incoming lines printed above the prompt
 * without breaking what the user is typing.
 *
 * <p>When standard error is the same terminal, {@code System.err} is replaced while the console
 * is open by a {@link LineRelay} that prints each line above the prompt too: the library's log
 * lines (slf4j-simple writes to {@code System.err}; all of them with {@code --debug}) then
 * never land on the prompt line. Standard error redirected elsewhere ({@code 2>chat.log}) is
 * left alone.
 *
 * <p><b>Thread safety:</b> {@link #println} may be called from any thread (JLine's
 * {@code printAbove} is thread-safe; while a progress bar is drawn, lines are written under
 * this console's lock instead, the bar redrawn under them), so may the relayed
 * {@code System.err}; {@link #progress} is called by the scan's progress thread and the input
 * thread; {@link #readLine} belongs to the input thread.
 */
public final class JLineConsole implements Console {

  private static final List<String> PEER_COMMANDS = List.of("/msg", "/call", "/name", "/disconnect");

  private final Terminal terminal;
  private final LineReader reader;
  private final String prompt;
  /** The progress bar on screen, or null. Guarded by this. */
  private String progress;
  /** The {@code System.err} replaced by the relay, or null when it was left alone. */
  private final PrintStream originalErr;
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
    if (errorIsThisTerminal(terminal)) {
      originalErr = System.err;
      System.setErr(new PrintStream(new LineRelay(this::println), true, StandardCharsets.UTF_8));
    } else {
      originalErr = null;
    }
  }

  /** Whether standard error goes to the terminal this console draws on. */
  private static boolean errorIsThisTerminal(Terminal terminal) {
    return terminal instanceof TerminalExt t && t.getProvider() != null
        && t.getProvider().isSystemStream(SystemStream.Error);
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
    synchronized (this) {
      if (progress != null) {
        // No prompt to print above while a progress bar is drawn: the line replaces the bar,
        // and the bar is drawn again under it.
        terminal.writer().print("\r\u001b[K" + line + "\n" + progress);
        terminal.flush();
        return;
      }
    }
    reader.printAbove(line);
  }

  @Override
  public synchronized void progress(String line) {
    progress = line.isEmpty() ? null : line;
    terminal.writer().print("\r" + line + "\u001b[K");
    terminal.flush();
  }

  @Override
  public synchronized void abandonInput() {
    if (reader.isReading()) {
      // The terminal's modes are restored by JLine's shutdown hook when the process exits.
      terminal.writer().print("\r\u001b[K");
      terminal.flush();
    }
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
    if (originalErr != null) {
      PrintStream relay = System.err;
      System.setErr(originalErr);
      relay.close();
    }
    try {
      reader.getHistory().save();
      terminal.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore the terminal", e);
    }
  }
}
