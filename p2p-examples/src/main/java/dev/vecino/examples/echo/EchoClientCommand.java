package dev.vecino.examples.echo;

import dev.vecino.examples.Main;
import dev.vecino.examples.cli.CodecChoice;
import dev.vecino.examples.cli.CommonOptions;
import dev.vecino.examples.cli.Converters;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.SecurityOptions;
import dev.vecino.examples.cli.Text;
import dev.vecino.examples.cli.HostPort;
import dev.vecino.examples.cli.Usage;
import dev.vecino.examples.cli.VersionProvider;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code vecino echo-client host:port --count N --size B [--rate R/s]}: measures round trips to
 * an echo server and prints RTT percentiles (HdrHistogram) and throughput.
 *
 * <p>Without {@code --rate} it runs a closed loop: one message in flight, the next sent when
 * the echo arrives. With {@code --rate} it sends on a fixed schedule and measures each RTT from
 * the message's <em>intended</em> send time, so a stall delays every message behind it in the
 * numbers too (corrected for coordinated omission).
 */
@Command(
    name = "echo-client",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Measure round-trip times and throughput against an echo-server.")
public final class EchoClientCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Mixin
  private SecurityOptions security;

  @Parameters(index = "0", paramLabel = "HOST:PORT", descriptionKey = "target", converter = Converters.HostPortConverter.class,
      description = "The echo server.")
  private HostPort target;

  @Option(names = "--count", paramLabel = "N", defaultValue = "10000",
      description = "Messages to send (default: ${DEFAULT-VALUE}).")
  private int count;

  @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64",
      description = "Payload bytes per message (default: ${DEFAULT-VALUE}).")
  private int size;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "1000",
      description = "Messages sent first and not measured (default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(names = "--rate", paramLabel = "R/s", converter = RateConverter.class,
      description = "Send R messages per second on a fixed schedule (default: closed loop).")
  private Integer rate;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "60s",
      converter = Converters.DurationConverter.class,
      description = "Give up if the run takes longer (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  /** Creates the command; picocli instantiates it. */
  public EchoClientCommand() {}

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (count < 1 || warmup < 0 || size < 0 || size > 16 * 1024 * 1024 - 64) {
      return Usage.error(spec, Text.get("echo.badSizes"));
    }
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByName(target.host()), target.port());
    } catch (UnknownHostException e) {
      err.println("error: " + Text.get("actions.unknownHost", target));
      return Main.EXIT_FAILURE;
    }
    PeerNodeBuilder builder = PeerNode.builder();
    SecurityOptions.Refusal refusal = security.apply(builder, CodecChoice.framed);
    if (refusal != null) {
      return SecurityOptions.report(spec, refusal);
    }
    EchoRun run = new EchoRun(count, warmup, size, rate == null ? 0 : rate);
    try (PeerNode node = builder.name("echo-client").listen(false).directCallbacks(true)
        .listener(run).build().start()) {
      Peer peer;
      try {
        peer = node.connect(address).get(15, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        err.println("error: " + Text.get("actions.cannotConnect", target, Errors.connectFailure(e)));
        return Main.EXIT_FAILURE;
      }
      out.println(Text.get("echo.start", count, size, target,
          warmup > 0 ? Text.get("echo.afterWarmup", warmup) : "",
          rate == null ? Text.get("echo.closedLoop") : Text.get("echo.openLoop", rate)));
      String failure = run.execute(node, peer, timeout);
      if (failure != null) {
        err.println("error: " + failure);
        return Main.EXIT_FAILURE;
      }
      report(out, run.histogram(), run.elapsedNanos());
      node.disconnect(peer);
      return 0;
    }
  }

  private void report(PrintWriter out, Histogram h, long elapsedNanos) {
    out.println(Text.get("echo.rtt", us(h.getValueAtPercentile(50)), us(h.getValueAtPercentile(90)),
        us(h.getValueAtPercentile(99)), us(h.getValueAtPercentile(99.9)), us(h.getMaxValue())));
    double seconds = elapsedNanos / 1e9;
    double perSecond = count / seconds;
    // Numbers formatted here, in one notation for every language: scripts parse them.
    out.println(Text.get("echo.throughput", String.format(Locale.ROOT, "%.0f", perSecond),
        String.format(Locale.ROOT, "%.2f", perSecond * size / 1e6), count,
        String.format(Locale.ROOT, "%.3f", seconds)));
  }

  private static String us(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
  }

  /** Reads {@code 1000/s} or {@code 1000}. */
  static final class RateConverter implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      String v = value.strip().toLowerCase(Locale.ROOT);
      if (v.endsWith("/s")) {
        v = v.substring(0, v.length() - 2);
      }
      try {
        int r = Integer.parseInt(v);
        if (r < 1) {
          throw new TypeConversionException(Text.get("echo.rate.low", value));
        }
        return r;
      } catch (NumberFormatException e) {
        throw new TypeConversionException(Text.get("echo.rate.bad", value));
      }
    }
  }
}
