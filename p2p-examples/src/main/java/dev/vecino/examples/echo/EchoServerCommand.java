package dev.vecino.examples.echo;

import dev.vecino.examples.Main;
import dev.vecino.examples.chat.ChatFormat;
import dev.vecino.examples.cli.CodecChoice;
import dev.vecino.examples.cli.CommonOptions;
import dev.vecino.examples.cli.Defaults;
import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.SecurityOptions;
import dev.vecino.examples.cli.Text;
import dev.vecino.examples.cli.Usage;
import dev.vecino.examples.cli.VersionProvider;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.SendStatus;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code vecino echo-server --port P}: sends every message back to its sender, same kind, same
 * bytes. Runs until the process is stopped (Ctrl-C, SIGTERM), then closes cleanly:
 * clients see BYE.
 */
@Command(
    name = "echo-server",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Echo every message back to its sender; runs until stopped (Ctrl-C).")
public final class EchoServerCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(EchoServerCommand.class);
  /** How long the echo waits for room in a full send queue before dropping a message. */
  private static final long FULL_QUEUE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  @Spec
  private CommandSpec spec;

  @Mixin
  private CommonOptions common;

  @Mixin
  private SecurityOptions security;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + Defaults.PORT,
      description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  private String bind;

  @Option(names = "--name", paramLabel = "NAME", defaultValue = "echo",
      description = "Name peers see (default: ${DEFAULT-VALUE}).")
  private String name;

  @Option(names = "--group", paramLabel = "GROUP", defaultValue = PeerNode.DEFAULT_GROUP,
      description = "Group (default: ${DEFAULT-VALUE}).")
  private String group;

  @Option(names = "--quiet", description = "Do not print a line per connection.")
  private boolean quiet;

  /** Creates the command; picocli instantiates it. */
  public EchoServerCommand() {}

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    EchoListener echo = new EchoListener(out);
    PeerNodeBuilder builder = PeerNode.builder();
    SecurityOptions.Refusal refusal = security.apply(builder, CodecChoice.framed);
    if (refusal != null) {
      return SecurityOptions.report(spec, refusal);
    }
    PeerNode node;
    try {
      node = builder.name(name).group(group).bindAddress(bind).port(port)
          .listener(echo).build();
    } catch (IllegalArgumentException e) {
      return Usage.error(spec, e.getMessage());
    }
    echo.node = node;
    try {
      node.start();
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("error: " + Errors.startFailure(e, bind, port));
      // start() released what it took; close() would wait for a termination that a failed
      // start never signals (reported to core), so it is not called here.
      return Main.EXIT_FAILURE;
    }
    InetSocketAddress local = node.localAddress();
    out.println(Text.get("echo.listening", local.getAddress().getHostAddress(), local.getPort(), name,
        node.identity().id().shortId()));
    CountDownLatch stop = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      node.close();
      stop.countDown();
    }, "vecino-echo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stop.await();
    return 0;
  }

  /** Echoes messages; runs on the node's callback thread. */
  private final class EchoListener implements PeerListener {
    private final PrintWriter out;
    private volatile PeerNode node;

    EchoListener(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void onConnected(Peer peer) {
      if (!quiet) {
        out.println(Text.get("echo.connected", ChatFormat.clean(peer.name()), peer.remoteAddress()));
      }
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      if (!quiet) {
        // Name and BYE text are the peer's: escaped like the chat shows them.
        out.println(Text.get("echo.left", ChatFormat.clean(peer.name()), ChatFormat.clean(ChatFormat.reason(reason))));
      }
    }

    @Override
    public void onMessage(Message m) {
      byte[] bytes = m.bytes();
      long deadline = System.nanoTime() + FULL_QUEUE_WAIT_NANOS;
      SendStatus s;
      while ((s = node.trySend(m.sender(), m.kind(), bytes, 0, bytes.length))
          == SendStatus.QUEUE_FULL && System.nanoTime() < deadline) {
        // Back pressure: the client sends faster than it reads; give the socket time to drain.
        LockSupport.parkNanos(50_000);
      }
      if (s != SendStatus.OK) {
        LOG.warn("echo to {} dropped: {}", m.sender().id().shortId(), s);
      }
    }
  }
}
