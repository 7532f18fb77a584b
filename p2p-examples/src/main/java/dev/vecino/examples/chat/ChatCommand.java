package dev.vecino.examples.chat;

import dev.vecino.examples.Main;
import dev.vecino.examples.cli.CodecChoice;
import dev.vecino.examples.cli.CommonOptions;
import dev.vecino.examples.cli.Converters;
import dev.vecino.examples.cli.Defaults;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.HostPort;
import dev.vecino.examples.cli.SecurityOptions;
import dev.vecino.examples.cli.Text;
import dev.vecino.examples.cli.Usage;
import dev.vecino.examples.cli.VersionProvider;
import dev.vecino.examples.scan.Scanner;
import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.discovery.Backoff;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecino chat}: the interactive console chat. On a terminal it uses JLine (history,
 * completion, colors), runs connects and scans in the background and lets Ctrl-C cancel them;
 * with piped stdin it reads plain lines, runs each to its end, and exits at end of input: 0,
 * or 1 when a line reached nobody. Chat lines go to stdout, errors ({@code error: ...}) and
 * logs to stderr. If the node fails while the chat runs, the chat prints why and exits 1 at
 * once. SIGTERM, and Ctrl-C with nothing running, leave with a goodbye to every peer.
 */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Chat with peers on your LAN. Type a menu number, a /command, or text to send to all.",
        "Start-up prints: listening on <address>:<port> as <name> (id <short id>),",
        "then the node's key fingerprint (or that it is plaintext)."
    })
public final class ChatCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Mixin
  private SecurityOptions security;

  @Option(names = "--name", paramLabel = "NAME",
      description = "Display name peers see (default: user@host).")
  private String name;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + Defaults.PORT,
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, every IPv4 address).")
  private String bind;

  @Option(names = "--group", paramLabel = "GROUP", defaultValue = PeerNode.DEFAULT_GROUP,
      description = "Group; nodes of other groups are refused (default: ${DEFAULT-VALUE}).")
  private String group;

  @Option(names = "--connect", paramLabel = "HOST:PORT",
      converter = Converters.HostPortConverter.class,
      description = "Connect to this peer at start (repeatable).")
  private List<HostPort> connect = new ArrayList<>();

  @Option(names = "--scan", paramLabel = "TARGETS", arity = "0..1", fallbackValue = "",
      description = "At start: scan the given targets or, when none given, discover (known peers, "
          + "beacons, your own subnets).")
  private String scan;

  @Option(names = "--beacons",
      description = "Listen for discovery beacons and answer each (UDP port " + PeerNodeBuilder.BEACON_PORT
          + ", on-link senders only), so others' /scan and discover find this chat at once; sends none "
          + "by itself.")
  private boolean beacons;

  @Option(names = "--pairing",
      description = "Ask before admitting a node this chat has not met: both chats show the same "
          + "six-digit code and both people must answer y within 2 minutes (an empty answer "
          + "rejects). Accepted keys are pinned in the config directory and admitted without "
          + "asking from then on.")
  private boolean pairing;

  @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "framed",
      description = "Wire codec: framed (Vecino), line (nc, scripts), classic (the original "
          + "LAN chat) (default: ${DEFAULT-VALUE}).")
  private CodecChoice codec;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "Where the node id and key, pinned keys, aliases and history are kept "
          + "(default: $XDG_CONFIG_HOME/vecino or ~/.config/vecino).")
  private Path configDir;

  @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "5s",
      converter = Converters.DurationConverter.class,
      description = "How long a connect may take, e.g. 500ms, 5s (default: ${DEFAULT-VALUE}).")
  private Duration connectTimeout;

  @Option(names = "--retries", paramLabel = "N", defaultValue = "6",
      description = "How often a connect that finds nobody is retried, and a lost peer you "
          + "connected to is reconnected, waiting 1 s, 2 s, 4 s ... up to 10 s between tries; "
          + "0 for never (default: ${DEFAULT-VALUE}).")
  private int retries;

  @Option(names = "--no-color", description = "No colors, even on a terminal.")
  private boolean noColor;

  /** The longest wait between two tries of a connect or reconnect. */
  private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(10);

  /** Creates the command; picocli instantiates it. */
  public ChatCommand() {}

  /**
   * Adds the in-chat commands to {@code chat --help}, under the options.
   *
   * @param chat the chat command of the command tree
   */
  public static void describeInChatCommands(picocli.CommandLine chat) {
    List<String> footer = new ArrayList<>();
    footer.add("");
    footer.add(Text.get("chat.help.footer"));
    footer.addAll(ChatSession.help());
    footer.add("  " + ChatSession.peerHelp());
    footer.addAll(ChatSession.wordsHelp());
    chat.getCommandSpec().usageMessage().footer(footer.toArray(String[]::new));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (port < 0 || port > 65535) {
      return usage(Text.get("cli.port.range", "--port", port));
    }
    if (connectTimeout.isZero()) {
      return usage(Text.get("cli.positive", "--connect-timeout"));
    }
    if (retries < 0) {
      return usage(Text.get("cli.notNegative", "--retries", retries));
    }
    boolean terminal = System.console() != null;
    if (scan != null && scan.isBlank() && !terminal) {
      return usage(Text.get("chat.scan.ownNeedsTerminal"));
    }
    PeerNodeBuilder builder = PeerNode.builder();
    Integer refused = applySecurity(builder);
    if (refused != null) {
      return refused;
    }
    Path dir = configDir != null ? configDir : Defaults.configDir();
    // Read before the identity is loaded: loading it gives a pre-key identity its key and new id.
    KeyMigration migration = KeyMigration.check(dir);
    Identity identity;
    String displayName = name != null ? name : Defaults.userAtHost();
    boolean shared;
    try {
      shared = !ConfigLock.acquire(dir);
      identity = shared
          ? Identity.random(displayName)
          : Identity.loadOrCreate(dir.resolve("identity.properties"), displayName);
    } catch (IllegalArgumentException e) {
      return usage(Text.get("chat.badIdentity", e.getMessage()));
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    AliasStore aliases;
    try {
      AliasStore saved = AliasStore.load(dir.resolve("aliases.properties"));
      // A chat with a temporary id reads the owner's aliases but never writes them (it would
      // overwrite the owner's newer ones with its stale copy), nor the history file.
      aliases = shared ? AliasStore.inMemory(saved.all()) : saved;
    } catch (UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      return Main.EXIT_FAILURE;
    }
    boolean color = terminal && !noColor && System.getenv("NO_COLOR") == null
        && !"dumb".equals(System.getenv("TERM"));
    AtomicReference<PeerNode> nodeRef = new AtomicReference<>();
    PeerNumbers numbers = new PeerNumbers();
    ChatFormat format = new ChatFormat(Clock.systemDefaultZone(), color, aliases)
        .withPeers(numbers, () -> {
          PeerNode n = nodeRef.get();
          return n == null ? List.of() : n.peers();
        });
    Console console = terminal
        ? JLineConsole.open(shared ? null : privateFile(dir.resolve("history")),
            () -> peerWords(nodeRef.get(), format), color, format::error)
        : new PlainConsole(new BufferedReader(new InputStreamReader(System.in,
            StandardCharsets.UTF_8)), out, err);
    try (console) {
      if (shared) {
        console.println(Text.get("chat.sharedConfig", dir));
      } else {
        migration.notes(identity, aliases.all().size()).forEach(console::println);
      }
      if (!shared) {
        // Pinned keys and where peers were last seen: owner-only, next to the key.
        builder.peerStore(dir.resolve("peers"));
      }
      return run(builder, identity, aliases, console, format, nodeRef);
    }
  }

  /**
   * Sets the security options on {@code builder}, or returns the exit code of a refusal (said):
   * bad security options, or {@code --pairing} without TLS.
   */
  private Integer applySecurity(PeerNodeBuilder builder) {
    SecurityOptions.Refusal refusal = security.apply(builder, codec);
    if (refusal != null) {
      return SecurityOptions.report(spec, refusal);
    }
    if (pairing && codec != CodecChoice.framed) {
      return usage(Text.get("security.needsFramed", "--pairing", codec));
    }
    if (pairing && security.plaintext()) {
      return usage(Text.get("security.needsTls", "--pairing"));
    }
    return null;
  }

  /**
   * Creates {@code file} readable by its owner only, if it does not exist yet: the history
   * holds every line typed, private messages included.
   */
  private static Path privateFile(Path file) {
    if (!Files.exists(file)) {
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException | IOException e) {
        // Not a POSIX file system, or a race with another chat: JLine creates it as usual.
      }
    }
    return file;
  }

  /** The chat's retry policy: 1 s doubling up to 10 s, {@code --retries} times; null for none. */
  private Backoff backoff() {
    return retries == 0 ? null : new Backoff(Duration.ofSeconds(1), MAX_RETRY_DELAY, 2.0, 0.2, retries);
  }

  private int run(PeerNodeBuilder builder, Identity identity, AliasStore aliases, Console console,
      ChatFormat format, AtomicReference<PeerNode> nodeRef) {
    PeerNode node;
    Backoff backoff = backoff();
    ChatPairing questions = new ChatPairing(console, format, ChatPairing.TIMEOUT);
    if (pairing) {
      // The node waits a little longer than the person may take: the chat says "no answer" first.
      builder.pairing(questions, ChatPairing.TIMEOUT.plus(ChatPairing.GRACE));
    }
    try {
      builder
          .identity(identity)
          .group(group)
          .bindAddress(bind)
          .port(port)
          .codec(codec())
          .connectTimeout(connectTimeout)
          .beacons(beacons)
          .listener(new ChatEvents(console, format, retries));
      if (backoff != null) {
        builder.reconnect(backoff);
      }
      node = builder.build();
    } catch (IllegalArgumentException e) {
      return usage(e.getMessage());
    } catch (ConfigurationException e) {
      // The peer store: others may read it, or it is no file.
      console.error(e.getMessage());
      return Usage.EXIT_USAGE;
    }
    try {
      node.start();
    } catch (RuntimeException e) {
      console.error(Errors.startFailure(e, bind, port));
      debug(e);
      // start() released what it took; close() would wait for a termination that a failed
      // start never signals (reported to core), so it is not called here.
      return Main.EXIT_FAILURE;
    }
    nodeRef.set(node);
    console.println(ChatFormat.listening(node.identity(), node.localAddress(),
        LocalAddresses.reachable(node.localAddress())));
    ChatKeys.startLine(node.identity(), codec == CodecChoice.framed && !security.plaintext(), codec)
        .ifPresent(console::println);
    if (pairing) {
      console.println(Text.get("chat.pair.on"));
    }
    ChatSession session = new ChatSession(node, console, format,
        new ChatActions(node, console, format, aliases, backoff,
            port > 0 ? port : Defaults.PORT, this::debug),
        new ChatScan(node, console, format, Scanner.available()), questions);
    if (console instanceof JLineConsole jline) {
      // Ctrl-C while no line is read (a line being read ends with Console.Interrupted).
      jline.onInterrupt(session::interrupt);
    }
    // SIGTERM, and SIGINT off a terminal: the JVM runs this hook, which says goodbye.
    Thread hook = new Thread(session::shutdown, "vecino-chat-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // The input thread may be blocked reading: a failed node ends the process from elsewhere.
    session.exitOnNodeFailure(System::exit);
    try {
      session.run(connect, scan);
    } finally {
      session.shutdown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // The JVM is already shutting down (Ctrl-C): the hook is running or has run.
      }
    }
    return session.exitCode();
  }

  private Codec codec() {
    return Codec.byName(codec.name());
  }

  private static List<String> peerWords(PeerNode node, ChatFormat format) {
    List<String> words = new ArrayList<>();
    if (node == null) {
      return words;
    }
    for (Peer p : node.peers()) {
      words.add(String.valueOf(format.number(p.snapshot())));
      String alias = format.alias(p.id());
      if (alias != null) {
        words.add(alias);
      }
      words.add(p.name());
    }
    return words;
  }

  private int usage(String message) {
    return Usage.error(spec, message);
  }

  private void debug(Throwable e) {
    if (common.debug()) {
      // System.err, not picocli's writer: on a terminal it prints above the prompt (JLineConsole).
      e.printStackTrace(System.err);
    }
  }
}
