package dev.vecino.examples.discover;

import dev.vecino.examples.Main;
import dev.vecino.examples.chat.ChatFormat;
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
import dev.vecino.examples.scan.JsonLine;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.VecinoException;
import dev.vecino.p2p.scan.Diagnosis;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vecino doctor HOST[:PORT] [--json]} (issue 17): why a host is or is not found. Walks
 * the network scope, the route (a local lookup), beacons and known peers, then probes once,
 * and, for an address of this machine, whether its port is held; prints each step and the
 * verdict.
 *
 * <p>Exit codes: 0 the host is found (a peer of the group, where discovery looks), 1 it is not
 * (the verdict says why: also a peer behind a virtual interface the default scan skips), 2 bad
 * arguments.
 *
 * <p>The security options apply to the node it probes with: with the group's secret (or an
 * allowed key) it verifies a secured peer; without, a secure node that does not admit it is
 * reported as {@code REFUSED}, naming the admission.
 */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
        "Explain why a host is (not) found: scope, route, beacons, known peers, TCP, handshake, local port.",
        "Sends nothing outside the network scope (-Dvecino.networkScope or VECINO_NETWORK_SCOPE)."
    })
public final class DoctorCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Mixin
  private SecurityOptions security;

  @Parameters(paramLabel = "HOST[:PORT]", descriptionKey = "target", description = "The host, and its port (default: "
      + Defaults.PORT + ").")
  private String target;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s",
      converter = Converters.DurationConverter.class,
      description = "Probe timeout, e.g. 500ms, 2s (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  @Option(names = "--group", paramLabel = "GROUP", defaultValue = PeerNode.DEFAULT_GROUP,
      description = "The group the host should be in (default: ${DEFAULT-VALUE}).")
  private String group;

  @Option(names = "--json", description = "One JSON object per line instead of text.")
  private boolean json;

  /** Creates the command; picocli instantiates it. */
  public DoctorCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    HostPort hp;
    try {
      hp = parseTarget(target.strip());
    } catch (IllegalArgumentException e) {
      return Usage.error(spec, e.getMessage());
    }
    if (timeout.isZero() || timeout.isNegative()) {
      return Usage.error(spec, Text.get("cli.positive", "--timeout"));
    }
    PeerNodeBuilder b = PeerNode.builder().group(group).listen(false);
    SecurityOptions.Refusal refusal = security.apply(b, CodecChoice.framed);
    if (refusal != null) {
      return SecurityOptions.report(spec, refusal);
    }
    try (PeerNode node = b.build().start()) {
      Diagnosis d = node.diagnose(InetSocketAddress.createUnresolved(hp.host(), hp.port()), timeout).join();
      print(d, out);
      return d.verdict() == Diagnosis.Verdict.FOUND ? 0 : Main.EXIT_FAILURE;
    } catch (VecinoException | CompletionException e) {
      err.println("error: " + Text.get("doctor.failed", Errors.describe(e)));
      err.flush();
      return Main.EXIT_FAILURE;
    }
  }

  /** {@code host}, {@code host:port}, {@code [v6]:port}, or a bare IPv6 literal: the default port where none. */
  static HostPort parseTarget(String t) {
    boolean bareIpv6 = !t.startsWith("[") && t.indexOf(':') != t.lastIndexOf(':');
    return t.indexOf(':') < 0 || bareIpv6 ? new HostPort(t, Defaults.PORT) : HostPort.parse(t);
  }

  private void print(Diagnosis d, PrintWriter out) {
    lines(d, json).forEach(out::println);
    out.flush();
  }

  /** What {@code doctor} prints for {@code d}: a line per step, then the verdict; JSON lines with {@code --json}. */
  static List<String> lines(Diagnosis d, boolean json) {
    List<String> lines = new ArrayList<>();
    for (Diagnosis.Check c : d.checks()) {
      lines.add(json
          ? JsonLine.of("check").put("step", c.step()).put("ok", c.ok() ? "yes" : "no").put("outcome", c.outcome())
              .toString()
          : String.format(Locale.ROOT, "  %-9s %-5s %s", step(c.step()), Text.get(c.ok() ? "doctor.ok" : "doctor.fail"),
              c.outcome()));
    }
    String host = d.target().getAddress() != null ? d.target().getAddress().getHostAddress() : d.target().getHostString();
    lines.add(json
        ? JsonLine.of("verdict").put("address", host).put("port", d.target().getPort())
            .put("verdict", d.verdict().name()).put("explanation", d.explanation()).toString()
        : verdictText(d, host));
    return lines;
  }

  /**
   * The verdict and why, in the console's language. The detail in it stays the library's words
   * for what decided: the last step that failed (a port held here, a virtual interface skipped
   * earlier on the way), or the last step when none failed (a peer found).
   */
  static String verdictText(Diagnosis d, String host) {
    String v = d.verdict().name().toLowerCase(Locale.ROOT);
    List<Diagnosis.Check> checks = d.checks();
    String detail = checks.isEmpty() ? "" : checks.get(checks.size() - 1).outcome();
    if (d.verdict() != Diagnosis.Verdict.FOUND) {
      for (Diagnosis.Check c : checks) {
        if (!c.ok()) {
          detail = c.outcome();
        }
      }
    }
    return Text.get("doctor.verdict." + v) + ": " + Text.get("doctor.why." + v, host, d.target().getPort(),
        ChatFormat.clean(detail));
  }

  /** A step's name in the console's language; a step this console does not know keeps its own. */
  private static String step(String step) {
    String key = "doctor.step." + step;
    return Text.has(key) ? Text.get(key) : step;
  }
}
