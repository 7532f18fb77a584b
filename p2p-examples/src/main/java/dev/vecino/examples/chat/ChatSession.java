package dev.vecino.examples.chat;

import dev.vecino.examples.cli.HostPort;
import dev.vecino.p2p.PeerNode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One run of the chat: prints the start-up line and the menu, then reads lines until
 * {@code /quit}, menu item 9, end of input or Ctrl-C, and closes the node so peers see a clean
 * disconnect.
 *
 * <p><b>Threads:</b> {@link #run} owns the input thread; {@link #shutdown} may also be called
 * by a shutdown hook and is idempotent.
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

  static final List<String> HELP = List.of(
      "  /connect host:port            connect to a peer",
      "  /scan [targets] [--port P]    scan and connect to the peers found",
      "  /peers                        show connections and this node's addresses",
      "  /msg <index|alias|name> text  private message",
      "  /all text                     message to all (so is any other line)",
      "  /name <index> [alias]         name a connection (no alias clears it)",
      "  /call <index|alias|name> [text]  call a peer",
      "  /disconnect <index|alias|name|all>",
      "  /menu, ?                      show the numbered menu",
      "  /quit                         leave (so do Ctrl-C and Ctrl-D)");

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;
  private final ChatActions actions;
  private final ChatScan scan;
  private final AtomicBoolean closed = new AtomicBoolean();
  private boolean quit;

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

  /** Runs a menu item, asking for what it needs like the original program. */
  private void menuItem(int n) {
    switch (n) {
      case 1 -> answer("peer address (host:port): ").ifPresent(actions::connect);
      case 2 -> ask("message to all: ").ifPresent(actions::broadcast);
      case 3 -> withPeer("send to (index, alias or name): ",
          t -> ask("message: ").ifPresent(text -> actions.direct(t, text)));
      case 4 -> actions.peers();
      case 5 -> {
        Optional<String> targets = ask("targets (empty for your own subnets): ");
        Optional<String> ports = targets.flatMap(t -> ask("port (empty for "
            + node.localAddress().getPort() + "): "));
        ports.ifPresent(p -> scan.scan(targets.get().isBlank() ? null : targets.get().strip(),
            p.isBlank() ? null : p.strip()));
      }
      case 6 -> withPeer("name which connection (index): ",
          t -> ask("alias (empty clears it): ")
              .ifPresent(a -> actions.name(t, a.isBlank() ? null : a.strip())));
      case 7 -> withPeer("call whom (index, alias or name): ",
          t -> ask("message (optional): ").ifPresent(text -> actions.call(t, text.strip())));
      case 8 -> {
        if (node.peers().isEmpty()) {
          console.println(format.error("no peers connected"));
          return;
        }
        actions.shortList();
        ask("disconnect which (index, alias, name, or all) [all]: ")
            .ifPresent(t -> actions.disconnect(t.isBlank() ? "all" : t.strip()));
      }
      case 9 -> quit = true;
      default -> console.println(format.error("no menu item " + n + " (type ? for the menu)"));
    }
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
