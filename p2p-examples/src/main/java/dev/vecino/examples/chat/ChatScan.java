package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.Text;
import dev.vecino.examples.scan.ProgressBar;
import dev.vecino.examples.scan.ScanOutput;
import dev.vecino.examples.scan.Scanner;
import dev.vecino.p2p.PeerNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The chat's scan ({@code /scan}, menu item 5, {@code --scan}): says what it scans, shows a
 * progress bar in front of the prompt (or milestone lines off a terminal), prints what
 * answered in address order (a peer with an alias under its alias, as {@code /peers} shows
 * it) and a summary, and keeps the peers found connected (their join lines come from the
 * node's listener). It runs as an {@link Operations.Operation}: cancelling it ends it with
 * what was found so far.
 *
 * <p>{@code /scan} without targets runs the node's discovery chain instead ({@link #discover}:
 * known peers, beacons, a range scan of the own subnets), once the session has the user's yes.
 * The node's own subnets come from a source the session asks before scanning them (tests
 * give a loopback one). It reaches p2p-core's range scan through {@link Scanner}; a build
 * without that API says so in one error line.
 *
 * <p><b>Threads:</b> started on the chat's input thread; progress and the result are printed
 * on the scan's threads, through the thread-safe console.
 */
final class ChatScan {

  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;
  private final Scanner scanner;
  private final Supplier<List<String>> ownSubnets;

  ChatScan(PeerNode node, Console console, ChatFormat format, Scanner scanner) {
    this(node, console, format, scanner, () -> scanner.ownSubnets(node));
  }

  ChatScan(PeerNode node, Console console, ChatFormat format, Scanner scanner,
      Supplier<List<String>> ownSubnets) {
    this.node = node;
    this.console = console;
    this.format = format;
    this.scanner = scanner;
    this.ownSubnets = ownSubnets;
  }

  /**
   * Returns the node's own subnets as targets.
   *
   * @return the ranges; empty when there is none
   * @throws UnsupportedOperationException if this build cannot scan
   */
  List<String> ownSubnets() {
    return ownSubnets.get();
  }

  /**
   * Counts the addresses of targets.
   *
   * @param targets targets as typed
   * @return the count
   * @throws IllegalArgumentException naming a bad target
   * @throws UnsupportedOperationException if this build cannot scan
   */
  long size(String targets) {
    return scanner.size(targets);
  }

  /**
   * Starts a scan that auto-connects.
   *
   * @param targets targets as typed
   * @param ports ports as typed, or null for the node's own port
   * @return the running scan, or null when it could not start (said in an error line)
   */
  Operations.Operation scan(String targets, String ports) {
    return start(targets, ports, false);
  }

  /**
   * Starts the node's discovery chain (issue 17): known peers, beacons, and a range scan of the
   * own subnets on the node's own port, peers found staying connected.
   *
   * @param ownSubnets the own subnets as the user confirmed them, for the line that says what runs
   * @return the running discovery, or null when it could not start (said in an error line)
   */
  Operations.Operation discover(String ownSubnets) {
    return start(ownSubnets, null, true);
  }

  private Operations.Operation start(String targets, String ports, boolean discover) {
    Bar bar = new Bar();
    Scanner.Job job;
    try {
      console.println(format.event(discover ? Text.get("scan.discovering", targets, ports(null))
          : Text.get("scan.scanning", targets, ports(ports))));
      job = scanner.start(node, new Scanner.Request(targets, ports, PROBE_TIMEOUT, true, discover),
          progressPrinter(bar));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      console.error(e.getMessage());
      return null;
    }
    CompletableFuture<Void> done = job.result().handle((outcome, e) -> {
      bar.clear();
      if (e != null) {
        console.error(Text.get("scan.failed", Errors.describe(e)));
      } else {
        report(outcome);
      }
      return null;
    });
    return new Operations.Operation(Text.get("scan.what", targets), done, job::cancel);
  }

  private void report(Scanner.Outcome outcome) {
    Map<String, String> aliases = new HashMap<>();
    node.peers().stream().filter(p -> format.alias(p.id()) != null)
        .forEach(p -> aliases.put(p.id().toString(), format.alias(p.id())));
    for (Scanner.Found f : ScanOutput.sorted(outcome.found())) {
      String alias = f.id() == null ? null : aliases.get(f.id());
      console.println(format.event(Text.get("scan.found", ScanOutput.text(f, alias))));
    }
    console.println(format.event(ScanOutput.summaryText(outcome)));
  }

  /** Names the ports probed: {@code on port 9999}, {@code on ports 9000-9010}. */
  private String ports(String typed) {
    if (typed == null) {
      return Text.get("scan.onPort", node.localAddress().getPort());
    }
    boolean several = typed.indexOf(',') >= 0 || typed.indexOf('-') >= 0;
    return Text.get(several ? "scan.onPorts" : "scan.onPort", typed);
  }

  /**
   * The progress bar of one scan. Progress may still arrive after the result (on the callback
   * thread): once cleared, the bar is never drawn again, so no bar is left in front of the
   * prompt.
   */
  private final class Bar {
    private boolean cleared;

    synchronized void draw(String line) {
      if (!cleared) {
        console.progress(line);
      }
    }

    synchronized void clear() {
      cleared = true;
      console.progress("");
    }
  }

  private Scanner.Progress progressPrinter(Bar bar) {
    AtomicLong lastDraw = new AtomicLong();
    AtomicInteger lastQuarter = new AtomicInteger();
    return (done, total, peers) -> {
      if (console.isTerminal()) {
        long now = System.nanoTime();
        long last = lastDraw.get();
        if ((now - last >= REDRAW_NANOS || done == total) && lastDraw.compareAndSet(last, now)) {
          bar.draw(ProgressBar.render(done, total, peers, 30));
        }
      } else {
        int percent = ProgressBar.percent(done, total);
        int quarter = percent / 25;
        int seen = lastQuarter.get();
        if (quarter > seen && quarter < 4 && lastQuarter.compareAndSet(seen, quarter)) {
          // The real percentage: a quarter's mark may be passed by far in one report.
          console.println(format.event(Text.plural("scan.progress", peers, percent, done, total)));
        }
      }
    };
  }
}
