package dev.vecino.examples;

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
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vecino send host:port "text"}: connects, sends one message, waits until it is written,
 * says BYE and exits 0; on failure prints one line to stderr and exits 1. For scripts and cron.
 *
 * <p>It uses a fresh random id each run (not the chat's saved identity), so it can send to a
 * chat running under the same account without looking like a connection to itself.
 */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Send one message to a peer and exit (0 sent, 1 failed, 2 bad arguments).")
final class SendCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Mixin
  private SecurityOptions security;

  @Parameters(index = "0", paramLabel = "HOST:PORT", descriptionKey = "target", converter = Converters.HostPortConverter.class,
      description = "The peer.")
  private HostPort target;

  @Parameters(index = "1", paramLabel = "TEXT", arity = "0..1", descriptionKey = "text",
      description = "The message; read from stdin when omitted.")
  private String text;

  @Option(names = "--name", paramLabel = "NAME", description = "Name the peer sees (default: user@host).")
  private String name;

  @Option(names = "--group", paramLabel = "GROUP", defaultValue = PeerNode.DEFAULT_GROUP,
      description = "Group (default: ${DEFAULT-VALUE}).")
  private String group;

  @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "framed",
      description = "Wire codec: framed (Vecino), line (nc, scripts), classic (the original "
          + "LAN chat) (default: ${DEFAULT-VALUE}).")
  private CodecChoice codec;

  @Option(names = "--call", description = "Send it as a call (the peer shows it prominently).")
  private boolean call;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s",
      converter = Converters.DurationConverter.class,
      description = "How long connecting and sending may take (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  SendCommand() {}

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String message = text != null ? text
        : new String(System.in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
    if (message.isEmpty() && !call) {
      return Usage.error(spec, "empty message: nothing to send");
    }
    if (timeout.isZero()) {
      return Usage.error(spec, "--timeout must be positive");
    }
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByName(target.host()), target.port());
    } catch (UnknownHostException e) {
      err.println("error: " + Text.get("actions.unknownHost", target));
      return Main.EXIT_FAILURE;
    }
    PeerNodeBuilder builder = PeerNode.builder();
    SecurityOptions.Refusal refusal = security.apply(builder, codec);
    if (refusal != null) {
      return SecurityOptions.report(spec, refusal);
    }
    PeerNode built;
    try {
      built = builder
          .name(name != null ? name : Defaults.userAtHost())
          .group(group)
          .codec(codec.codec())
          .listen(false)
          .connectTimeout(timeout)
          .handshakeTimeout(timeout)
          .build();
    } catch (IllegalArgumentException e) {
      // A bad --name or --group: the user's to fix, like any other bad argument.
      return Usage.error(spec, e.getMessage());
    }
    try (PeerNode node = built.start()) {
      Peer peer;
      try {
        peer = node.connect(address).get(2 * timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        err.println("error: " + Text.get("actions.cannotConnect", target, Errors.connectFailure(e)));
        debug(e);
        return Main.EXIT_FAILURE;
      }
      try {
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        node.send(peer, call ? MessageKind.CALL : MessageKind.TEXT, payload)
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        node.disconnect(peer).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        out.println(Text.get("send.sent", payload.length, ChatFormat.clean(peer.name()),
            peer.id().shortId(), target));
        return 0;
      } catch (ExecutionException | TimeoutException e) {
        err.println("error: " + Text.get("actions.notSentTo", target, Errors.describe(e)));
        debug(e);
        return Main.EXIT_FAILURE;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: " + Text.get("send.interrupted"));
      return Main.EXIT_FAILURE;
    }
  }

  private void debug(Throwable e) {
    if (common.debug()) {
      e.printStackTrace(spec.commandLine().getErr());
    }
  }
}
