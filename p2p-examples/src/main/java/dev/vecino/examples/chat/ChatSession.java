package dev.vecino.examples.chat;

import dev.vecino.examples.Main;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.HostPort;
import dev.vecino.p2p.PeerNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * One run of the chat: prints the start-up line and the menu, then reads lines until
 * {@code /quit}, menu item 9, end of input or Ctrl-C at an idle prompt, and closes the node so
 * peers see a clean disconnect. If the node fails instead (its {@code closeFuture()} completes
 * with a {@code NodeFailedException}), the chat says why and ends with exit code 1
 * ({@link #exitOnNodeFailure}).
 *
 * <p>At a terminal, connects and scans run in the background ({@link Operations}) and Ctrl-C
 * cancels them; with nothing running, Ctrl-C leaves. Piped input runs each line to its end
 * before the next is read. Empty answers and end of input (Ctrl-D) in a menu item's questions
 * cancel the item, never more; a scan of the own subnets says how many addresses that is and
 * asks first, and is refused when nobody can be asked.
 *
 * <p><b>Threads:</b> {@link #run} owns the input thread; {@link #shutdown} may also be called
 * by a shutdown hook and is idempotent; {@link #interrupt} may be called by a signal thread; a
 * node failure is handled on a thread of its own, which may end the process while the input
 * thread is blocked reading.
 */
public final class ChatSession {

  /** The numbered menu, the original program's items in its order. */
  static final List<String> MENU = List.of(
      "  1. connect to a peer (host:port)",
      "  2. send a message to all peers",
      "  3. send a message to one peer",
      "  4. show connections",
      "  5. scan the local network",
      "  6. name a connection (alias)",
      "  7. call a peer",
      "  8. disconnect (one or all)",
      "  9. exit");

  /** The answer that scans the own subnets in menu item 5. */
  private static final String OWN = "own";

  /** The slash commands and what each does, as {@code /help} and {@code chat --help} show them. */
  static final List<String> HELP = columns(List.of(
      "/connect host[:port]", "connect to a peer (port: this chat's own)",
      "/scan [targets] [--port P]", "scan and connect to the peers found",
      "/peers", "connections and this node's addresses",
      "/keys", "key fingerprints: yours and the connected peers'",
      "/msg <peer> text", "private message",
      "/all text", "message to all (so is any other line)",
      "//text", "message \"/text\" to all",
      "/name <peer> [alias]", "name a connection (no alias clears it)",
      "/call <peer> [text]", "call a peer: they see it and hear a bell",
      "/disconnect <peer|all>", "disconnect one peer, or all",
      "/menu, ?", "show the numbered menu",
      "/quit", "leave (so do Ctrl-D, and Ctrl-C when idle)"));

  /** The line under {@link #HELP} that says what {@code <peer>} is. */
  static final String PEER_HELP = "<peer> is a number from /peers, an alias or a name; "
      + "Ctrl-C cancels a running /connect or /scan.";

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;
  private final ChatActions actions;
  private final ChatScan scan;
  private final Operations operations;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The exit code, once something set one: the first one set wins. */
  private final AtomicInteger status = new AtomicInteger();
  private volatile boolean failed;
  private volatile boolean quit;

  ChatSession(PeerNode node, Console console, ChatFormat format, ChatActions actions,
      ChatScan scan) {
    this.node = node;
    this.console = console;
    this.format = format;
    this.actions = actions;
    this.scan = scan;
    this.operations = new Operations(console.isTerminal());
  }

  /**
   * Runs the chat until the user leaves, then closes the node.
   *
   * @param connects peers to connect to at start
   * @param scanTargets targets to scan at start: null for no scan, empty for the own subnets
   */
  void run(List<HostPort> connects, String scanTargets) {
    console.println("menu (type a number, or /help for commands):");
    MENU.forEach(console::println);
    for (HostPort hp : connects) {
      connect(hp.toString());
    }
    if (scanTargets != null) {
      scan(scanTargets.isEmpty() ? null : scanTargets, null);
    }
    while (!quit) {
      String line;
      try {
        line = console.readLine("");
      } catch (Console.Interrupted e) {
        interrupt();
        continue;
      }
      if (line == null) {
        break;
      }
      handle(InputParser.parse(line));
    }
    shutdown();
  }

  /**
   * Ctrl-C: cancels the running connects and scans; with none running, leaves. Any thread (a
   * signal thread when Ctrl-C came while no line was read).
   */
  void interrupt() {
    List<String> cancelled = operations.cancelAll();
    if (!cancelled.isEmpty()) {
      cancelled.forEach(what -> console.println(format.event("cancelled: " + what)));
      return;
    }
    quit = true;
  }

  /**
   * Returns whether the chat was asked to leave (Ctrl-C at an idle prompt, {@code /quit}).
   *
   * @return true once asked
   */
  boolean quitting() {
    return quit;
  }

  /**
   * Ends the chat when the node fails: prints the cause as an error line and calls
   * {@code exit} with {@link Main#EXIT_FAILURE}, unless the chat is already leaving. A normal
   * close changes nothing. The input thread may be blocked reading a line that will never
   * come, so {@code exit} must end the process ({@code System::exit}; the shutdown hook then
   * finds the session closed and says no goodbye, and the terminal is restored by JLine's own
   * hook).
   *
   * @param exit ends the process with the given status; called on a thread of its own
   */
  void exitOnNodeFailure(IntConsumer exit) {
    node.closeFuture().whenComplete((v, e) -> {
      if (e == null) {
        return;
      }
      // Not on the node's failure thread: exit runs shutdown hooks, which may wait for it.
      Thread t = new Thread(() -> failed(e, exit), "vecino-chat-failed");
      t.start();
    });
  }

  private void failed(Throwable e, IntConsumer exit) {
    failed = true;
    quit = true;
    console.error(Errors.describe(e) + "; the chat ends (exit code " + Main.EXIT_FAILURE + ")");
    if (closed.compareAndSet(false, true)) {
      console.abandonInput();
      exit.accept(Main.EXIT_FAILURE);
    }
  }

  /**
   * Returns whether the node failed while the chat ran.
   *
   * @return true after a failure: the chat's exit code is then {@link Main#EXIT_FAILURE}
   */
  boolean failed() {
    return failed;
  }

  /**
   * Returns the chat's exit code: 1 when the node failed or, with piped input, a line reached
   * nobody; 2 when a piped line asked for what needs a person to confirm; else 0.
   *
   * @return the exit code
   */
  int exitCode() {
    if (failed) {
      return Main.EXIT_FAILURE;
    }
    if (!console.isTerminal() && actions.lostLines()) {
      status.compareAndSet(0, Main.EXIT_FAILURE);
    }
    return status.get();
  }

  /** Closes the node (BYE to every peer) once; later calls do nothing. */
  void shutdown() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    operations.cancelAll();
    int n = node.peers().size();
    console.println(format.event("leaving" + (n > 0 ? ", saying goodbye to " + n
        + (n == 1 ? " peer" : " peers") : "")));
    node.close(node.identity().name() + " left the chat");
    console.println(format.event("bye"));
  }

  void handle(ChatInput input) {
    if (input instanceof ChatInput.Empty) {
      return;
    } else if (input instanceof ChatInput.Broadcast b) {
      actions.broadcast(b.text());
    } else if (input instanceof ChatInput.Direct d) {
      actions.direct(d.target(), d.text());
    } else if (input instanceof ChatInput.Call c) {
      actions.call(c.target(), c.text());
    } else if (input instanceof ChatInput.Connect c) {
      connect(c.address());
    } else if (input instanceof ChatInput.Scan s) {
      scan(s.targets(), s.ports());
    } else if (input instanceof ChatInput.Peers) {
      actions.peers();
    } else if (input instanceof ChatInput.Keys) {
      actions.keys();
    } else if (input instanceof ChatInput.Name n) {
      actions.name(n.target(), n.alias());
    } else if (input instanceof ChatInput.Disconnect d) {
      actions.disconnect(d.target());
    } else if (input instanceof ChatInput.MenuItem m) {
      menuItem(m.number());
    } else if (input instanceof ChatInput.Menu) {
      MENU.forEach(console::println);
    } else if (input instanceof ChatInput.Help) {
      console.println("commands (any other line is sent to all peers):");
      HELP.forEach(console::println);
      console.println("  " + PEER_HELP);
    } else if (input instanceof ChatInput.Quit) {
      quit = true;
    } else if (input instanceof ChatInput.Invalid i) {
      console.error(i.message());
    }
  }

  private void connect(String address) {
    Operations.Operation op = actions.connect(address);
    if (op != null) {
      operations.run(op);
    }
  }

  /**
   * Scans {@code targets}, or the own subnets when null: those only after saying how many
   * addresses they hold and a yes, which piped input cannot give.
   */
  private void scan(String targets, String ports) {
    String what = targets;
    if (targets == null) {
      what = confirmOwnSubnets();
      if (what == null) {
        return;
      }
    }
    Operations.Operation op = scan.scan(what, ports);
    if (op != null) {
      operations.run(op);
    }
  }

  /** Returns the own subnets as targets once the user said yes, else null (said why). */
  private String confirmOwnSubnets() {
    List<String> own;
    long size;
    try {
      own = scan.ownSubnets();
      if (own.isEmpty()) {
        console.error("no network interface with a subnet to scan: give targets");
        return null;
      }
      size = scan.size(String.join(",", own));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      console.error(e.getMessage());
      return null;
    }
    String targets = String.join(",", own);
    if (!console.isTerminal()) {
      status.compareAndSet(0, Main.EXIT_USAGE);
      console.error("a scan of your own subnets (" + targets + ", " + size + " addresses) needs a"
          + " yes at a terminal: give the targets instead");
      return null;
    }
    Optional<String> yes = answer("scan your own subnets " + targets + ": " + size
        + (size == 1 ? " address" : " addresses") + "? [y/N] ");
    if (yes.isPresent() && (yes.get().equalsIgnoreCase("y") || yes.get().equalsIgnoreCase("yes"))) {
      return targets;
    }
    if (yes.isPresent()) {
      console.println(format.event("cancelled"));
    }
    return null;
  }

  /**
   * Runs a menu item, asking for what it needs like the original program. An empty answer to
   * any question, Ctrl-D and Ctrl-C cancel the item; where "none" is a real answer (no alias,
   * a call without a message) it is {@code -}.
   */
  private void menuItem(int n) {
    switch (n) {
      case 1 -> answer("peer address (host:port): ").ifPresent(this::connect);
      case 2 -> answer("message to all: ").ifPresent(actions::broadcast);
      case 3 -> withPeer("send to (number, alias or name): ",
          t -> answer("message: ").ifPresent(text -> actions.direct(t, text)));
      case 4 -> actions.peers();
      case 5 -> answer("scan what (targets [--port P], or 'own' for your own subnets): ")
          .ifPresent(this::scanAnswer);
      case 6 -> withPeer("name which connection (number): ",
          t -> answer("alias (- clears it): ").ifPresent(a -> actions.name(t, none(a) ? null : a)));
      case 7 -> withPeer("call whom (number, alias or name): ",
          t -> answer("message (- for none): ").ifPresent(text -> actions.call(t, none(text) ? "" : text)));
      case 8 -> {
        if (node.peers().isEmpty()) {
          console.error("no peers connected");
          return;
        }
        actions.shortList();
        answer("disconnect which (number, alias, name, or all): ").ifPresent(actions::disconnect);
      }
      case 9 -> quit = true;
      default -> console.error("no menu item " + n + " (type ? for the menu)");
    }
  }

  /** Menu item 5's answer: what {@code /scan} takes, or {@code own} for the own subnets. */
  private void scanAnswer(String answer) {
    ChatInput input = InputParser.parse("/scan " + answer);
    if (input instanceof ChatInput.Scan s && s.targets() == null) {
      // Only "own" scans the own subnets here: a forgotten target must not sweep a network.
      console.error("no targets: type them (e.g. 192.168.1.0/24) or 'own'");
    } else if (input instanceof ChatInput.Scan s) {
      scan(s.targets().equalsIgnoreCase(OWN) ? null : s.targets(), s.ports());
    } else {
      handle(input);
    }
  }

  private static boolean none(String answer) {
    return answer.equals("-");
  }

  /**
   * Asks which peer, then runs {@code then} with the answer. An empty answer cancels, and an
   * unknown peer is reported before any further question is asked.
   */
  private void withPeer(String prompt, Consumer<String> then) {
    if (node.peers().isEmpty()) {
      console.error("no peers connected (item 1 connects to one)");
      return;
    }
    actions.shortList();
    answer(prompt).filter(t -> actions.resolve(t).isPresent()).ifPresent(then);
  }

  /**
   * Asks a question whose empty answer means "never mind", as do end of input (Ctrl-D) and
   * Ctrl-C: returns the stripped answer, if any. None of them leaves the chat.
   */
  private Optional<String> answer(String prompt) {
    String line;
    try {
      line = console.readLine(prompt);
    } catch (Console.Interrupted e) {
      line = null;
    }
    String a = line == null ? "" : line.strip();
    if (a.isEmpty()) {
      console.println(format.event("cancelled"));
      return Optional.empty();
    }
    return Optional.of(a);
  }

  /** Formats two columns, the second aligned after the longest entry of the first. */
  private static List<String> columns(List<String> pairs) {
    int width = 0;
    for (int i = 0; i < pairs.size(); i += 2) {
      width = Math.max(width, pairs.get(i).length());
    }
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i += 2) {
      String left = pairs.get(i);
      lines.add("  " + left + " ".repeat(width - left.length() + 2) + pairs.get(i + 1));
    }
    return List.copyOf(lines);
  }
}
