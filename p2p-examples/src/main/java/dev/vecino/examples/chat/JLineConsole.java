package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Text;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jline.reader.Candidate;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.LineReaderImpl;
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
 * <p>A progress bar ({@link #progress}) is drawn in front of the main prompt, so the prompt
 * stays free while a scan runs and lines printed meanwhile appear above prompt and bar alike.
 * Ctrl-C while a line is read ends {@link #readLine} with {@link Console.Interrupted}; at any
 * other moment it runs the handler given to {@link #onInterrupt}. A paste arrives whole, line
 * breaks included, as one line (JLine's bracketed paste), so its lines cannot answer prompts.
 *
 * <p><b>Thread safety:</b> {@link #println} and {@link #error} may be called from any thread
 * (JLine's {@code printAbove} is thread-safe), so may the relayed {@code System.err} and
 * {@link #progress} (the status is guarded by this console's lock, the redraw by JLine's);
 * {@link #readLine} belongs to the input thread.
 */
public final class JLineConsole implements Console {

  private static final List<String> PEER_COMMANDS = List.of("/msg", "/call", "/name", "/disconnect", "/trust",
      "/mensaje", "/llamar", "/nombre", "/desconectar");

  private final Terminal terminal;
  private final LineReader reader;
  private final String prompt;
  private final UnaryOperator<String> errorLine;
  /** The progress bar in front of the main prompt, or null. Guarded by this. */
  private String progress;
  /** Whether the main prompt (not a sub-prompt) is being read. Guarded by this. */
  private boolean mainPrompt;
  /** Whether errors go to standard error, redirected away from this terminal ({@code 2>log}). */
  private final boolean errorsToStderr;
  /** The {@code System.err} replaced by the relay, or null when it was left alone. */
  private final PrintStream originalErr;
  private boolean closed;

  /**
   * Opens the system terminal.
   *
   * @param history the history file, or null to keep history in memory only
   * @param peerWords supplies the current peer names and aliases for completion
   * @param color whether to color the prompt
   * @param errorLine formats an error's text as the line shown ({@code [12:00:01] error: ...})
   * @return the console
   * @throws UncheckedIOException if the terminal cannot be opened
   */
  public static JLineConsole open(Path history, Supplier<List<String>> peerWords, boolean color,
      UnaryOperator<String> errorLine) {
    try {
      Terminal terminal = TerminalBuilder.builder().system(true).build();
      return new JLineConsole(terminal, history, peerWords, color, errorLine, true);
    } catch (IOException e) {
      throw new UncheckedIOException(Text.get("console.open"), e);
    }
  }

  /** A console on a given terminal (tests drive one over streams); history in memory. */
  static JLineConsole on(Terminal terminal, UnaryOperator<String> errorLine) {
    return new JLineConsole(terminal, null, List::of, false, errorLine, false);
  }

  private JLineConsole(Terminal terminal, Path history, Supplier<List<String>> peerWords,
      boolean color, UnaryOperator<String> errorLine, boolean system) {
    this.terminal = terminal;
    this.errorLine = errorLine;
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
            InputParser.WORDS.forEach(w -> candidates.add(new Candidate("/" + w)));
          } else if (line.wordIndex() == 1 && !words.isEmpty()
              && PEER_COMMANDS.contains(words.get(0))) {
            peerWords.get().forEach(w -> candidates.add(new Candidate(w)));
            if (words.get(0).equals("/disconnect") || words.get(0).equals("/desconectar")) {
              candidates.add(new Candidate("all"));
            }
          }
        })
        .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
        .build();
    if (system && errorIsThisTerminal(terminal)) {
      originalErr = System.err;
      System.setErr(new PrintStream(new LineRelay(this::println), true, StandardCharsets.UTF_8));
    } else {
      originalErr = null;
    }
    this.errorsToStderr = system && originalErr == null;
  }

  /** Whether standard error goes to the terminal this console draws on. */
  private static boolean errorIsThisTerminal(Terminal terminal) {
    return terminal instanceof TerminalExt t && t.getProvider() != null
        && t.getProvider().isSystemStream(SystemStream.Error);
  }

  @Override
  public String readLine(String subPrompt) {
    String shown;
    synchronized (this) {
      mainPrompt = subPrompt.isEmpty();
      shown = mainPrompt ? mainPrompt() : subPrompt;
    }
    try {
      return reader.readLine(shown);
    } catch (UserInterruptException e) {
      throw new Console.Interrupted();
    } catch (EndOfFileException e) {
      return null;
    } finally {
      synchronized (this) {
        mainPrompt = false;
      }
    }
  }

  /**
   * Runs {@code handler} on Ctrl-C while no line is read (a line being read ends with
   * {@link Console.Interrupted} instead). The handler runs on a signal thread.
   *
   * @param handler what Ctrl-C does
   */
  public void onInterrupt(Runnable handler) {
    terminal.handle(Terminal.Signal.INT, signal -> handler.run());
  }

  @Override
  public void println(String line) {
    reader.printAbove(line);
  }

  @Override
  public void error(String text) {
    if (errorsToStderr) {
      // Standard error goes elsewhere (2>chat.log): errors go there, as documented.
      System.err.println("error: " + text);
    } else {
      reader.printAbove(errorLine.apply(text));
    }
  }

  @Override
  public void progress(String line) {
    boolean redraw;
    synchronized (this) {
      progress = line.isEmpty() ? null : line;
      redraw = mainPrompt;
      if (redraw) {
        ((LineReaderImpl) reader).setPrompt(mainPrompt());
      }
    }
    if (redraw) {
      try {
        reader.callWidget(LineReader.REDRAW_LINE);
        reader.callWidget(LineReader.REDISPLAY);
      } catch (IllegalStateException e) {
        // The line was accepted meanwhile: the next prompt shows the bar.
      }
    }
  }

  /**
   * The main prompt, with the progress bar in front when one is shown; {@code %} doubled, as
   * JLine reads {@code %} in a prompt as the start of an escape. Guarded by this.
   */
  private String mainPrompt() {
    return progress == null ? prompt : progress.replace("%", "%%") + " " + prompt;
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
      throw new UncheckedIOException(Text.get("console.restore"), e);
    }
  }
}
