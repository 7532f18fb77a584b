package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.scan.ProgressBar;
import dev.vecino.examples.scan.ScanOutput;
import dev.vecino.examples.scan.Scanner;
import dev.vecino.p2p.PeerNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chat's scan ({@code /scan}, menu item 5, {@code --scan}): lists the targets (the own
 * subnets when none are given) and the ports, shows a live progress bar with the percentage,
 * prints what answered (a peer with an alias under its alias, as {@code /peers} shows it) and a
 * summary that says which open ports were this node itself, and keeps the peers found connected
 * (their join lines come from the node's listener).
 *
 * <p>It reaches p2p-core's range scan through {@link Scanner}; a build without that API says
 * so in one error line.
 *
 * <p><b>Threads:</b> the chat's input thread; progress arrives on a scan thread and is drawn
 * from there only on a terminal, through the console.
 */
final class ChatScan {

  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;
  private final Scanner scanner;

  ChatScan(PeerNode node, Console console, ChatFormat format, Scanner scanner) {
    this.node = node;
    this.console = console;
    this.format = format;
    this.scanner = scanner;
  }

  /**
   * Scans and auto-connects.
   *
   * @param targets targets as typed, or null for the node's own subnets
   * @param ports ports as typed, or null for the node's own port
   */
  void scan(String targets, String ports) {
    Bar bar = new Bar();
    Scanner.Job job;
    try {
      String on = ports(ports);
      if (targets == null) {
        List<String> own = scanner.defaultTargets(node);
        console.println(format.event("scanning your own subnets " + on + ": "
            + String.join(", ", own)));
      } else {
        console.println(format.event("scanning " + targets + " " + on));
      }
      job = scanner.start(node, new Scanner.Request(targets, ports, PROBE_TIMEOUT, true),
          progressPrinter(bar));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      console.println(format.error(e.getMessage()));
      return;
    }
    Scanner.Outcome outcome;
    try {
      outcome = job.result().join();
    } catch (CompletionException e) {
      bar.clear();
      console.println(format.error("scan failed: " + Errors.describe(e)));
      return;
    }
    bar.clear();
    Map<String, String> aliases = new HashMap<>();
    node.peers().stream().filter(p -> format.alias(p.id()) != null)
        .forEach(p -> aliases.put(p.id().toString(), format.alias(p.id())));
    for (Scanner.Found f : outcome.found()) {
      String alias = f.id() == null ? null : aliases.get(f.id());
      console.println(format.event("found " + ScanOutput.text(f, alias)));
    }
    console.println(format.event(ScanOutput.summaryText(outcome)));
  }

  /** Names the ports probed: {@code on port 9999}, {@code on ports 9000-9010}. */
  private String ports(String typed) {
    if (typed == null) {
      return "on port " + node.localAddress().getPort();
    }
    boolean several = typed.indexOf(',') >= 0 || typed.indexOf('-') >= 0;
    return "on " + (several ? "ports " : "port ") + typed;
  }

  /**
   * The progress bar of one scan. Progress may still arrive after the result (on the callback
   * thread): once cleared, the bar is never drawn again, so no bar is left on screen while the
   * next prompt reads.
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
        int quarter = ProgressBar.percent(done, total) / 25;
        int seen = lastQuarter.get();
        if (quarter > seen && quarter < 4 && lastQuarter.compareAndSet(seen, quarter)) {
          console.println(format.event("scan " + quarter * 25 + "% (" + done + "/" + total + "), "
              + peers + (peers == 1 ? " peer" : " peers")));
        }
      }
    };
  }
}
