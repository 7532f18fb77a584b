package dev.vecino.examples;

import dev.vecino.examples.chat.ChatCommand;
import dev.vecino.examples.cli.CommonOptions;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.Text;
import dev.vecino.examples.cli.VersionProvider;
import dev.vecino.examples.discover.DiscoverCommand;
import dev.vecino.examples.discover.DoctorCommand;
import dev.vecino.examples.echo.EchoClientCommand;
import dev.vecino.examples.echo.EchoServerCommand;
import dev.vecino.examples.scan.ScanCommand;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The {@code vecino} command:
 * {@code java -jar vecino.jar [chat|scan|send|echo-server|echo-client|id|secret|completion]}.
 *
 * <p>Exit codes: 0 success, 2 bad arguments (with a one-line hint on stderr), 1 any other
 * failure. Without a subcommand, or when the first argument is an option, it runs {@code chat}.
 */
@Command(
    name = "vecino",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Peer-to-peer messaging on your LAN. Without a subcommand, starts the chat.",
    subcommands = {
        ChatCommand.class,
        ScanCommand.class,
        DiscoverCommand.class,
        DoctorCommand.class,
        SendCommand.class,
        EchoServerCommand.class,
        EchoClientCommand.class,
        IdCommand.class,
        SecretCommand.class,
        CompletionCommand.class,
        CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
        "0:success",
        "1:failure: not sent, cannot listen, the node failed",
        "2:bad arguments (a one-line hint goes to stderr)"
    })
public final class Main implements Runnable {

  /** Exit code for bad arguments. */
  public static final int EXIT_USAGE = 2;
  /** Exit code for any failure other than bad arguments. */
  public static final int EXIT_FAILURE = 1;

  /**
   * The logger of the library's refused id claims and refused handshakes: a configuration name,
   * not an import of the internal package. {@code ChatWarningSignsIT} fails if the library moves them.
   */
  static final String ID_CLAIM_LOGGER = "dev.vecino.p2p.internal.PeerRegistry";

  private static final Set<String> ROOT_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  private Main() {}

  @Override
  public void run() {
    // Unreachable in practice: main() routes a bare invocation to "chat".
  }

  /**
   * Runs the command line and exits with its code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    List<String> rest = new ArrayList<>();
    try {
      language(args, rest);
    } catch (IllegalArgumentException e) {
      // run() reports it.
    }
    if (rest.contains("--debug")) {
      // Must happen before the first logger exists: slf4j-simple reads it once.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
    } else if (rest.isEmpty() || rest.get(0).startsWith("-") || rest.get(0).equals("chat")) {
      quietChatLogs();
    }
    PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
        StandardCharsets.UTF_8);
    System.setOut(stdout);
    // Logs name peers: UTF-8 like stdout, whatever the locale.
    System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(
        new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
    System.exit(run(args, out, err));
  }

  /**
   * The chat's log settings without {@code --debug} (set before the first logger exists:
   * slf4j-simple reads them once). The chat reports peer events in its own lines, so the
   * library's warnings about the same events (a peer timed out or broke the protocol) would only
   * repeat them: the library logs errors only (a node that failed), except for the lines of its
   * peer registry, which the chat has no event for: a connection claiming the id of a connected
   * peer, refused (WARN, "... may be an impostor"), and, at INFO, connections the handshake
   * refused: above all a stranger this chat did not admit (another or no group secret, a key
   * not on the allowlist) and a plaintext node meeting a secure one, which the chat that
   * accepted the connection would otherwise never hear of. These lines are within the library's
   * log budget of 10 lines per 10 s; a refused connect of this chat's own is also said in its
   * {@code error:} line. Thread and logger names mean nothing to a chat user and are left out.
   */
  private static void quietChatLogs() {
    System.setProperty("org.slf4j.simpleLogger.log.dev.vecino.p2p", "error");
    System.setProperty("org.slf4j.simpleLogger.log." + ID_CLAIM_LOGGER, "info");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
    System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
  }

  /**
   * Parses and runs a command line with the given streams; used by {@link #main} and tests.
   *
   * @param args the arguments
   * @param out where results go
   * @param err where diagnostics go
   * @return the exit code
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    Locale before = Text.locale();
    List<String> rest = new ArrayList<>();
    try {
      // Before the command tree exists: its help and the chat's words are read in this language.
      Text.use(Text.resolve(language(args, rest), System.console() != null, Locale.getDefault()));
    } catch (IllegalArgumentException e) {
      err.println("vecino: " + e.getMessage());
      err.println(Text.get("cli.tryHelp", "vecino"));
      err.flush();
      return EXIT_USAGE;
    }
    try {
      CommandLine cmd = commandLine();
      cmd.setOut(out);
      cmd.setErr(err);
      return cmd.execute(withDefaultSubcommand(cmd, rest.toArray(String[]::new)));
    } finally {
      // In-process callers (tests) get back the language they had.
      Text.use(before);
    }
  }

  /**
   * Takes {@code --lang X} or {@code --lang=X} out of the arguments, wherever it stands (every
   * command takes it, see {@link CommonOptions}).
   *
   * @param args the arguments
   * @param rest receives the other arguments, in order
   * @return the value, or null when not given; the last one wins
   * @throws IllegalArgumentException when {@code --lang} has no value
   */
  static String language(String[] args, List<String> rest) {
    String lang = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--")) {
        rest.addAll(Arrays.asList(args).subList(i, args.length));
        break;
      } else if (args[i].equals(CommonOptions.LANG)) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(Text.get("cli.lang.missing"));
        }
        lang = args[++i];
      } else if (args[i].startsWith(CommonOptions.LANG + "=")) {
        lang = args[i].substring(CommonOptions.LANG.length() + 1);
      } else {
        rest.add(args[i]);
      }
    }
    return lang;
  }

  /**
   * Builds the command tree with this program's error handling.
   *
   * @return the command line
   */
  public static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setParameterExceptionHandler(usageHandler());
    cmd.setExecutionExceptionHandler(failureHandler());
    // --help in the console's language: option descriptions from the usage bundle (empty in
    // English, where the annotations say it), set on every command of the tree.
    cmd.setResourceBundle(Text.usage());
    ChatCommand.describeInChatCommands(cmd.getSubcommands().get("chat"));
    return cmd;
  }

  /**
   * Prepends {@code chat} when no subcommand is named: no arguments, or options first.
   *
   * @param cmd the command tree
   * @param args the arguments
   * @return the arguments to parse
   */
  static String[] withDefaultSubcommand(CommandLine cmd, String[] args) {
    if (args.length == 0) {
      return new String[] {"chat"};
    }
    String first = args[0];
    if (cmd.getSubcommands().containsKey(first) || ROOT_OPTIONS.contains(first)
        || !first.startsWith("-")) {
      return args;
    }
    String[] withChat = new String[args.length + 1];
    withChat[0] = "chat";
    System.arraycopy(args, 0, withChat, 1, args.length);
    return withChat;
  }

  private static IParameterExceptionHandler usageHandler() {
    return (ParameterException ex, String[] args) -> {
      CommandLine c = ex.getCommandLine();
      PrintWriter err = c.getErr();
      String name = c.getCommandSpec().qualifiedName();
      err.println(name + ": " + ex.getMessage());
      UnmatchedArgumentException.printSuggestions(ex, err);
      err.println(Text.get("cli.tryHelp", name));
      err.flush();
      return EXIT_USAGE;
    };
  }

  private static IExecutionExceptionHandler failureHandler() {
    return (Exception ex, CommandLine c, CommandLine.ParseResult parsed) -> {
      PrintWriter err = c.getErr();
      err.println("error: " + Errors.describe(ex));
      if (debugRequested(parsed)) {
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_FAILURE;
    };
  }

  private static boolean debugRequested(CommandLine.ParseResult parsed) {
    List<String> original = parsed.originalArgs();
    return original.contains("--debug");
  }
}
