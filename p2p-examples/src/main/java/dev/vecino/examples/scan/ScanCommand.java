package dev.vecino.examples.scan;

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
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vecino scan <targets> [--port 9999] [--timeout 500ms] [--json] [--codec classic]}:
 * probes the targets, verifies peers by handshake (or, with {@code --codec classic}, by the
 * original chat's greeting), prints one line (or JSON object) per peer and a summary.
 *
 * <p>Needs the range-scan API of p2p-core (issue 4), reached through {@link Scanner}. Until it
 * is on the core's main line this command says so and exits 1; it never reports made-up
 * results.
 */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Scan addresses for Vecino peers and print what answered.",
        "Targets: CIDR (127.0.0.0/24), ranges (127.0.0.10-50), wildcards (127.0.0.*), host names,",
        "comma-separated lists of these."
    })
public final class ScanCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Mixin
  private SecurityOptions security;

  @Parameters(paramLabel = "TARGETS", arity = "1..*", descriptionKey = "targets", description = "What to scan.")
  private List<String> targets;

  @Option(names = {"--port", "-p"}, paramLabel = "PORTS", defaultValue = "" + Defaults.PORT,
      description = "Port(s): 9999, 9999,10000 or 9000-9010 (default: ${DEFAULT-VALUE}).")
  private String ports;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "500ms",
      converter = Converters.DurationConverter.class,
      description = "Per-probe timeout, e.g. 500ms, 2s (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  @Option(names = "--group", paramLabel = "GROUP", defaultValue = PeerNode.DEFAULT_GROUP,
      description = "Group to look for (default: ${DEFAULT-VALUE}).")
  private String group;

  @Option(names = "--json", description = "One JSON object per line instead of text.")
  private boolean json;

  @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "framed",
      completionCandidates = ScannableCodecs.class,
      description = "Wire codec of the peers to look for: framed (Vecino), classic (the original "
          + "LAN chat, found by its greeting); line cannot be scanned (default: ${DEFAULT-VALUE}).")
  private CodecChoice codec;

  /** The codecs a scan can verify a peer with: a handshake or a greeting, so not {@code line}. */
  static final class ScannableCodecs implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of(CodecChoice.framed.name(), CodecChoice.classic.name()).iterator();
    }
  }

  /** Creates the command; picocli instantiates it. */
  public ScanCommand() {}

  @Override
  public Integer call() {
    return run(Scanner.available(), spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** Runs the scan with the given scanner; tests pass a scripted one. */
  int run(Scanner scanner, PrintWriter out, PrintWriter err) {
    if (timeout.isZero()) {
      return Usage.error(spec, "--timeout must be positive");
    }
    if (codec == CodecChoice.line) {
      return Usage.error(spec, "--codec line cannot be scanned: a line peer neither handshakes "
          + "nor greets, so nothing could be verified (use framed or classic)");
    }
    PeerNodeBuilder builder = PeerNode.builder().group(group).codec(codec.codec()).listen(false);
    SecurityOptions.Refusal refusal = security.apply(builder, codec);
    if (refusal != null) {
      return SecurityOptions.report(spec, refusal);
    }
    try (PeerNode node = builder.build().start()) {
      Scanner.Job job;
      try {
        job = scanner.start(node, new Scanner.Request(String.join(",", targets), ports, timeout,
            false), (done, total, peers) -> { });
      } catch (IllegalArgumentException e) {
        return Usage.error(spec, e.getMessage());
      } catch (UnsupportedOperationException e) {
        err.println("error: " + e.getMessage());
        return Main.EXIT_FAILURE;
      }
      Scanner.Outcome outcome;
      try {
        outcome = job.result().join();
      } catch (java.util.concurrent.CompletionException e) {
        err.println("error: " + Text.get("scan.failed", Errors.describe(e)));
        return Main.EXIT_FAILURE;
      }
      for (Scanner.Found f : ScanOutput.sorted(outcome.found())) {
        out.println(json ? ScanOutput.json(f) : ScanOutput.text(f));
      }
      out.println(json ? ScanOutput.summaryJson(outcome) : ScanOutput.summaryText(outcome));
      out.flush();
      return 0;
    }
  }
}
