package dev.vecino.examples.discover;

import dev.vecino.examples.Main;
import dev.vecino.examples.cli.CodecChoice;
import dev.vecino.examples.cli.CommonOptions;
import dev.vecino.examples.cli.Converters;
import dev.vecino.examples.cli.Defaults;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.SecurityOptions;
import dev.vecino.examples.cli.Text;
import dev.vecino.examples.cli.Usage;
import dev.vecino.examples.cli.VersionProvider;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.VecinoException;
import dev.vecino.p2p.discovery.RangeScanDiscovery;
import dev.vecino.p2p.scan.DiscoveryStage;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanListener;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.Targets;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecino discover [--json]} (issue 17): runs the discovery chain once (known peers,
 * beacons, range scan, together) and prints each peer as it is verified, with the stage that
 * found it, then a summary.
 *
 * <p>Safety: beacons go only to interfaces inside the network scope. Without
 * {@code --targets}, the range stage scans this machine's subnets: on a terminal the command
 * shows the address count and asks first; without one it refuses (exit 2) unless
 * {@code --yes} or {@code --no-scan} is given.
 *
 * <p>The security options ({@code --secret-file}, {@code --allow-key}, {@code --plaintext}) apply
 * to the node it discovers with, so it verifies peers of a secured group; a secure node that
 * does not admit it is listed as not admitted.
 */
@Command(
    name = "discover",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Find peers by every means at once: known peers, UDP beacons, a range scan.",
        "Prints each peer with the stage that found it, then a summary."
    })
public final class DiscoverCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Mixin
  private SecurityOptions security;

  @Option(names = {"--port", "-p"}, paramLabel = "PORT", defaultValue = "" + Defaults.PORT,
      description = "The port peers listen on, for the range scan (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(names = "--targets", paramLabel = "TARGETS",
      description = "Scan these instead of this machine's subnets (CIDR, ranges, lists).")
  private String targets;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "500ms",
      converter = Converters.DurationConverter.class,
      description = "Per-probe timeout (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  @Option(names = "--group", paramLabel = "GROUP", defaultValue = PeerNode.DEFAULT_GROUP,
      description = "Group to look for (default: ${DEFAULT-VALUE}).")
  private String group;

  @Option(names = "--store", paramLabel = "FILE", description = "Known-peer store to read and update (owner-only).")
  private Path store;

  @Option(names = "--no-beacons", description = "Send no UDP beacons.")
  private boolean noBeacons;

  @Option(names = "--no-scan", description = "No range scan: known peers and beacons only.")
  private boolean noScan;

  @Option(names = "--no-known", description = "Do not probe known peers first.")
  private boolean noKnown;

  @Option(names = {"--yes", "-y"}, description = "Scan this machine's subnets without asking.")
  private boolean yes;

  @Option(names = "--json", description = "One JSON object per line instead of text.")
  private boolean json;

  /** Creates the command; picocli instantiates it. */
  public DiscoverCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (timeout.isZero() || timeout.isNegative()) {
      return Usage.error(spec, Text.get("cli.positive", "--timeout"));
    }
    if (port < 1 || port > 65535) {
      return Usage.error(spec, Text.get("discover.port", port));
    }
    Set<DiscoveryStage> stages = EnumSet.allOf(DiscoveryStage.class);
    if (noBeacons) {
      stages.remove(DiscoveryStage.BEACONS);
    }
    if (noScan) {
      stages.remove(DiscoveryStage.RANGE_SCAN);
    }
    if (noKnown) {
      stages.remove(DiscoveryStage.KNOWN_PEERS);
    }
    if (stages.isEmpty()) {
      return Usage.error(spec, Text.get("discover.allOff"));
    }
    // Bad security options are refused before anything is asked or started.
    PeerNodeBuilder b = PeerNode.builder();
    SecurityOptions.Refusal refusal = security.apply(b, CodecChoice.framed);
    if (refusal != null) {
      return SecurityOptions.report(spec, refusal);
    }
    Targets range;
    try {
      range = targets != null ? Targets.parse(targets) : Targets.localSubnets();
    } catch (IllegalArgumentException e) {
      return Usage.error(spec, e.getMessage());
    }
    if (stages.contains(DiscoveryStage.RANGE_SCAN) && targets == null && !yes) {
      Integer refused = confirm(range);
      if (refused != null) {
        return refused;
      }
    }
    b.group(group).port(0).discovery(RangeScanDiscovery.of(range, Ports.of(port)));
    if (store != null) {
      b.peerStore(store);
    }
    try (PeerNode node = b.build().start()) {
      ScanOptions o = ScanOptions.builder().stages(stages).timeout(timeout).listener(new ScanListener() {
        @Override
        public void onFound(ScanResult r) {
          synchronized (out) {
            out.println(json ? DiscoverOutput.json(r) : DiscoverOutput.text(r));
            out.flush();
          }
        }
      }).build();
      ScanReport r = node.discover(o).report().join();
      synchronized (out) {
        out.println(json ? DiscoverOutput.summaryJson(r) : DiscoverOutput.summaryText(r));
        out.flush();
      }
      return 0;
    } catch (VecinoException | IllegalArgumentException | IllegalStateException | CompletionException e) {
      err.println("error: " + Text.get("discover.failed", Errors.describe(e)));
      err.flush();
      return Main.EXIT_FAILURE;
    }
  }

  /** Asks before a whole-subnet scan; null to go on, else the exit code. */
  private Integer confirm(Targets range) {
    Console console = System.console();
    String what = Text.get("discover.what", range.size(), port, String.join(", ", range.describe()));
    if (console == null) {
      return Usage.error(spec, Text.get("discover.noTerminal", what));
    }
    String answer = console.readLine("%s ", Text.get("discover.ask", what));
    if (answer == null || !yes(answer)) {
      spec.commandLine().getErr().println(Text.get("discover.cancelled"));
      return Main.EXIT_FAILURE;
    }
    return null;
  }

  /** Yes in either language: {@code y}, {@code yes}, {@code s}, {@code si}, {@code sí}. */
  static boolean yes(String answer) {
    String a = answer.strip().toLowerCase(Locale.ROOT);
    return a.startsWith("y") || a.equals("s") || a.equals("si") || a.equals("sí");
  }
}
