package dev.vecino.examples.chat;

import dev.vecino.examples.Main;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.HostPort;
import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.PeerNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * asks first, and is refused when nobody can be asked. While a pairing question is asked
 * ({@link ChatPairing}), the next line at the prompt answers it, and Ctrl-C rejects it.
 *
 * <p><b>Threads:</b> {@link #run} owns the input thread; {@link #shutdown} may also be called
 * by a shutdown hook and is idempotent; {@link #interrupt} may be called by a signal thread; a
 * node failure is handled on a thread of its own, which may end the process while the input
 * thread is blocked reading.
 */
public final class ChatSession {

  /** The numbered menu's keys, the original program's items in its order. */
  private static final String[] MENU = {
      "chat.menu.1", "chat.menu.2", "chat.menu.3", "chat.menu.4", "chat.menu.5", "chat.menu.6",
      "chat.menu.7", "chat.menu.8", "chat.menu.9"};

  /** The answer that scans the own subnets in menu item 5 ({@code own} or the language's word). */
  private static final String OWN = "own";

  /** The slash commands and what each does, as key pairs: command, description. */
  private static final String[] HELP = {
      "chat.help.connect", "chat.help.connect.text",
      "chat.help.scan", "chat.help.scan.text",
      "chat.help.peers", "chat.help.peers.text",
      "chat.help.keys", "chat.help.keys.text",
      "chat.help.trust", "chat.help.trust.text",
      "chat.help.untrust", "chat.help.untrust.text",
      "chat.help.msg", "chat.help.msg.text",
      "chat.help.all", "chat.help.all.text",
      "chat.help.slash", "chat.help.slash.text",
      "chat.help.name", "chat.help.name.text",
      "chat.help.call", "chat.help.call.text",
      "chat.help.disconnect", "chat.help.disconnect.text",
      "chat.help.menu", "chat.help.menu.text",
      "chat.help.quit", "chat.help.quit.text"};

  /**
   * Returns the numbered menu, in the console's language.
   *
   * @return the menu's lines
   */
  static List<String> menu() {
    return Text.all(MENU).stream().map(line -> "  " + line).toList();
  }

  /**
   * Returns the slash commands and what each does, as {@code /help} and {@code chat --help}
   * show them, in the console's language.
   *
   * @return the help's lines
   */
  static List<String> help() {
    return columns(Text.all(HELP));
  }

  /**
   * Returns the line under {@link #help} that says what {@code <peer>} is.
   *
   * @return the line
   */
  static String peerHelp() {
    return Text.get("chat.help.peer");
  }

  /**
   * Returns the lines under {@link #help} that list the original program's menu words.
   *
   * @return the lines, indented like {@link #peerHelp}
   */
  static List<String> wordsHelp() {
    return List.of("  " + Text.get("chat.help.words.1"), "  " + Text.get("chat.help.words.2"));
  }

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;
  private final ChatActions actions;
  private final ChatScan scan;
  private final ChatPairing pairing;
  private final Operations operations;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The exit code, once something set one: the first one set wins. */
  private final AtomicInteger status = new AtomicInteger();
  private volatile boolean failed;
  private volatile boolean quit;

  ChatSession(PeerNode node, Console console, ChatFormat format, ChatActions actions,
      ChatScan scan, ChatPairing pairing) {
    this.node = node;
    this.console = console;
    this.format = format;
    this.actions = actions;
    this.scan = scan;
    this.pairing = pairing;
    this.operations = new Operations(console.isTerminal());
  }

  /**
   * Runs the chat until the user leaves, then closes the node.
   *
   * @param connects peers to connect to at start
   * @param scanTargets targets to scan at start: null for no scan, empty for the own subnets
   */
  void run(List<HostPort> connects, String scanTargets) {
    console.println(Text.get("chat.menu.title"));
    menu().forEach(console::println);
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
      line(line);
    }
    shutdown();
  }

  /**
   * Handles one line read at the chat's prompt: the answer to a pairing question when one is
   * asked, else a chat line.
   *
   * @param line the line, without its terminator
   */
  void line(String line) {
    if (!pairing.answer(line)) {
      handle(InputParser.parse(line));
    }
  }

  /**
   * Ctrl-C: cancels the running connects and scans; with none running, leaves. Any thread (a
   * signal thread when Ctrl-C came while no line was read).
   */
  void interrupt() {
    if (pairing.answer("")) {
      return; // Ctrl-C while a pairing question is asked: rejects it, like an empty answer.
    }
    List<String> cancelled = operations.cancelAll();
    if (!cancelled.isEmpty()) {
      cancelled.forEach(what -> console.println(format.event(Text.get("chat.cancelled.what", what))));
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
    console.error(Text.get("chat.failed", Errors.describe(e), Main.EXIT_FAILURE));
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
    pairing.rejectAll();
    int n = node.peers().size();
    console.println(format.event(n > 0 ? Text.plural("chat.leaving.goodbye", n)
        : Text.get("chat.leaving")));
    node.close(Text.get("chat.left", node.identity().name()));
    console.println(format.event(Text.get("chat.bye")));
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
    } else if (input instanceof ChatInput.Trust t) {
      actions.trust(t.target());
    } else if (input instanceof ChatInput.Untrust u) {
      actions.untrust(u.target());
    } else if (input instanceof ChatInput.Name n) {
      actions.name(n.target(), n.alias());
    } else if (input instanceof ChatInput.Disconnect d) {
      actions.disconnect(d.target());
    } else if (input instanceof ChatInput.MenuItem m) {
      menuItem(m.number());
    } else if (input instanceof ChatInput.Menu) {
      menuPrompt();
    } else if (input instanceof ChatInput.Help) {
      console.println(Text.get("chat.help.title"));
      help().forEach(console::println);
      console.println("  " + peerHelp());
      wordsHelp().forEach(console::println);
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
   * Scans {@code targets}, or, when null, runs the discovery chain over the own subnets (a plain
   * scan of them when ports are given): only after saying how many addresses they hold and a
   * yes, which piped input cannot give.
   */
  private void scan(String targets, String ports) {
    String what = targets;
    if (targets == null) {
      what = confirmOwnSubnets();
      if (what == null) {
        return;
      }
    }
    // No targets and no ports: the discovery chain (known peers, beacons, the own subnets).
    Operations.Operation op = targets == null && ports == null ? scan.discover(what) : scan.scan(what, ports);
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
        console.error(Text.get("chat.scan.noSubnet"));
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
      console.error(Text.get("chat.scan.ownNeedsYes", targets, size));
      return null;
    }
    Optional<String> yes = answer(Text.plural("chat.scan.ownAsk", size, targets));
    if (yes.isPresent() && yesWords().contains(yes.get().toLowerCase(Locale.ROOT))) {
      return targets;
    }
    if (yes.isPresent()) {
      console.println(format.event(Text.get("chat.cancelled")));
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
      case 1 -> answer(Text.get("chat.ask.address")).ifPresent(this::connectAnswer);
      case 2 -> answer(Text.get("chat.ask.messageAll")).ifPresent(actions::broadcast);
      case 3 -> withPeer(Text.get("chat.ask.sendTo"),
          t -> answer(Text.get("chat.ask.message")).ifPresent(text -> actions.direct(t, text)));
      case 4 -> actions.peers();
      case 5 -> answer(Text.get("chat.ask.scan"))
          .ifPresent(this::scanAnswer);
      case 6 -> withPeer(Text.get("chat.ask.nameWhich"), t -> answer(Text.get("chat.ask.alias"))
          .ifPresent(a -> actions.name(t, none(a) ? null : a)));
      case 7 -> withPeer(Text.get("chat.ask.callWhom"), t -> answer(Text.get("chat.ask.callText"))
          .ifPresent(text -> actions.call(t, none(text) ? "" : text)));
      case 8 -> {
        if (node.peers().isEmpty()) {
          console.error(Text.get("chat.noPeers"));
          return;
        }
        actions.shortList();
        answer(Text.get("chat.ask.disconnectWhich")).ifPresent(actions::disconnect);
      }
      case 9 -> quit = true;
      default -> console.error(Text.get("chat.menu.noItem", n));
    }
  }

  /**
   * Shows the menu and asks for a choice: a number or one of the original program's words
   * ({@code conectar} ... {@code salir}), exactly like a number at the chat's prompt. An empty
   * answer, Ctrl-D and Ctrl-C go back to the chat.
   */
  private void menuPrompt() {
    menu().forEach(console::println);
    String line;
    try {
      line = console.readLine(Text.get("chat.ask.choice") + " ");
    } catch (Console.Interrupted e) {
      line = null;
    }
    String a = line == null ? "" : line.strip();
    if (a.isEmpty()) {
      return;
    }
    int item = InputParser.menuChoice(a);
    if (item > 0) {
      menuItem(item);
    } else {
      console.error(Text.get("chat.menu.noChoice", a));
    }
  }

  /**
   * Menu item 1's answer: {@code host:port}, or a host (an IP address, as the original asked)
   * whose port is asked next; an empty port means this chat's own, Ctrl-D or Ctrl-C cancel.
   */
  private void connectAnswer(String address) {
    if (!ChatActions.lacksPort(address)) {
      connect(address);
      return;
    }
    String port;
    try {
      port = console.readLine(Text.get("chat.ask.port", actions.defaultPort()) + " ");
    } catch (Console.Interrupted e) {
      port = null;
    }
    if (port == null) {
      console.println(format.event(Text.get("chat.cancelled")));
      return;
    }
    connect(port.isBlank() ? address : address + ":" + port.strip());
  }

  /** The answers that mean yes: y and yes, and the console language's own. */
  static List<String> yesWords() {
    return List.of("y", "yes", Text.get("chat.word.y"), Text.get("chat.word.yes"));
  }

  /** Menu item 5's answer: what {@code /scan} takes, or {@code own} for the own subnets. */
  private void scanAnswer(String answer) {
    ChatInput input = InputParser.parse("/scan " + answer);
    if (input instanceof ChatInput.Scan s && s.targets() == null) {
      // Only "own" scans the own subnets here: a forgotten target must not sweep a network.
      console.error(Text.get("chat.scan.noTargets"));
    } else if (input instanceof ChatInput.Scan s) {
      boolean own = s.targets().equalsIgnoreCase(OWN)
          || s.targets().equalsIgnoreCase(Text.get("chat.word.own"));
      scan(own ? null : s.targets(), s.ports());
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
      console.error(Text.get("chat.noPeers.item1"));
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
      // The bundle's prompts end without their space: properties files lose trailing blanks easily.
      line = console.readLine(prompt + " ");
    } catch (Console.Interrupted e) {
      line = null;
    }
    String a = line == null ? "" : line.strip();
    if (a.isEmpty()) {
      console.println(format.event(Text.get("chat.cancelled")));
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
