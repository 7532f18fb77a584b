package dev.vecino.examples.chat;

import dev.vecino.examples.Main;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.HostPort;
import dev.vecino.p2p.PeerNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * One run of the chat: prints the start-up line and the menu, then reads lines until
 * {@code /quit}, menu item 9, end of input or Ctrl-C, and closes the node so peers see a clean
 * disconnect. If the node fails instead (its {@code closeFuture()} completes with a
 * {@code NodeFailedException}), the chat says why and ends with exit code 1
 * ({@link #exitOnNodeFailure}).
 *
 * <p><b>Threads:</b> {@link #run} owns the input thread; {@link #shutdown} may also be called
 * by a shutdown hook and is idempotent; a node failure is handled on a thread of its own,
 * which may end the process while the input thread is blocked reading.
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

  /** The slash commands and what each does, as {@code /help} shows them. */
  static final List<String> HELP = columns(List.of(
      "/connect host:port", "connect to a peer",
      "/scan [targets] [--port P]", "scan and connect to the peers found",
      "/peers", "connections and this node's addresses",
      "/msg <index|alias|name> text", "private message",
      "/all text", "message to all (so is any other line)",
      "//text", "message \"/text\" to all",
      "/name <index> [alias]", "name a connection (no alias clears it)",
      "/call <index|alias|name> [text]", "call a peer: they see it and hear a bell",
      "/disconnect <index|alias|name|all>", "disconnect one peer, or all",
      "/menu, ?", "show the numbered menu",
      "/quit", "leave (so do Ctrl-C and Ctrl-D)"));

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;
  private final ChatActions actions;
  private final ChatScan scan;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean failed;
  private volatile boolean quit;

  ChatSession(PeerNode node, Console console, ChatFormat format, ChatActions actions,
      ChatScan scan) {
    this.node = node;
    this.console = console;
    this.format = format;
    this.actions = actions;
    this.scan = scan;
  }

  /**
   * Runs the chat until the user leaves, then closes the node.
   *
   * @param connects peers to connect to at start
   * @param scanTargets targets to scan at start: null for no scan, empty for the default
   */
  void run(List<HostPort> connects, String scanTargets) {
    console.println("menu (type a number, or /help for commands):");
    MENU.forEach(console::println);
    for (HostPort hp : connects) {
      actions.connect(hp.toString());
    }
    if (scanTargets != null) {
      scan.scan(scanTargets.isEmpty() ? null : scanTargets, null);
    }
    while (!quit) {
      String line = console.readLine("");
      if (line == null) {
        break;
      }
      handle(InputParser.parse(line));
    }
    shutdown();
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
    console.println(format.error(Errors.describe(e) + "; the chat ends (exit code "
        + Main.EXIT_FAILURE + ")"));
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

  /** Closes the node (BYE to every peer) once; later calls do nothing. */
  void shutdown() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
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
      actions.connect(c.address());
    } else if (input instanceof ChatInput.Scan s) {
      scan.scan(s.targets(), s.ports());
    } else if (input instanceof ChatInput.Peers) {
      actions.peers();
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
    } else if (input instanceof ChatInput.Quit) {
      quit = true;
    } else if (input instanceof ChatInput.Invalid i) {
      console.println(format.error(i.message()));
    }
  }

  /**
   * Runs a menu item, asking for what it needs like the original program. An empty answer to
   * any question cancels the item; where "none" is a real answer (no alias, a call without a
   * message) it is {@code -}.
   */
  private void menuItem(int n) {
    switch (n) {
      case 1 -> answer("peer address (host:port): ").ifPresent(actions::connect);
      case 2 -> answer("message to all: ").ifPresent(actions::broadcast);
      case 3 -> withPeer("send to (index, alias or name): ",
          t -> answer("message: ").ifPresent(text -> actions.direct(t, text)));
      case 4 -> actions.peers();
      case 5 -> answer("scan what (targets [--port P], or 'own' for your own subnets): ")
          .ifPresent(this::scanAnswer);
      case 6 -> withPeer("name which connection (index): ",
          t -> answer("alias (- clears it): ").ifPresent(a -> actions.name(t, none(a) ? null : a)));
      case 7 -> withPeer("call whom (index, alias or name): ",
          t -> answer("message (- for none): ").ifPresent(text -> actions.call(t, none(text) ? "" : text)));
      case 8 -> {
        if (node.peers().isEmpty()) {
          console.println(format.error("no peers connected"));
          return;
        }
        actions.shortList();
        answer("disconnect which (index, alias, name, or all): ").ifPresent(actions::disconnect);
      }
      case 9 -> quit = true;
      default -> console.println(format.error("no menu item " + n + " (type ? for the menu)"));
    }
  }

  /** Menu item 5's answer: what {@code /scan} takes, or {@code own} for the own subnets. */
  private void scanAnswer(String answer) {
    ChatInput input = InputParser.parse("/scan " + answer);
    if (input instanceof ChatInput.Scan s && s.targets() == null) {
      // Only "own" scans the own subnets here: a forgotten target must not sweep a network.
      console.println(format.error("no targets: type them (e.g. 192.168.1.0/24) or 'own'"));
    } else if (input instanceof ChatInput.Scan s) {
      scan.scan(s.targets().equalsIgnoreCase(OWN) ? null : s.targets(), s.ports());
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
      console.println(format.error("no peers connected (item 1 connects to one)"));
      return;
    }
    actions.shortList();
    answer(prompt).filter(t -> actions.resolve(t).isPresent()).ifPresent(then);
  }

  /** Asks a question whose empty answer means "never mind": returns the stripped answer, if any. */
  private Optional<String> answer(String prompt) {
    Optional<String> a = ask(prompt).map(String::strip);
    if (a.isPresent() && a.get().isEmpty()) {
      console.println(format.event("cancelled"));
      return Optional.empty();
    }
    return a;
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

  /** Asks a question; end of input means leave, so the answer is then empty. */
  private Optional<String> ask(String prompt) {
    String answer = console.readLine(prompt);
    if (answer == null) {
      quit = true;
      return Optional.empty();
    }
    return Optional.of(answer);
  }
}
