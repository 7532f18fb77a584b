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
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>The echo runs on the node's I/O thread ({@link PeerNodeBuilder#directCallbacks(boolean)
 * direct callbacks}): it never blocks (a full queue parks the echo in the library, see
 * {@link EchoListener#onMessage}), and a measured round trip then crosses no thread hand-off on
 * this side, as with a blocking echo server.
 */
@Command(
    name = "echo-server",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Echo every message back to its sender; runs until stopped (Ctrl-C).")
public final class EchoServerCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(EchoServerCommand.class);
  /** How long an echo waits for room in a full send queue before it is dropped. */
  private static final Duration FULL_QUEUE_WAIT = Duration.ofSeconds(1);

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
          .directCallbacks(true).listener(echo).build();
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

  /** Echoes messages; runs on the node's I/O thread (direct callbacks), so it never blocks. */
  private final class EchoListener implements PeerListener {
    private final PrintWriter out;
    private final AtomicLong drops = new AtomicLong();
    private final AtomicLong dropsLogged = new AtomicLong();
    private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(1));
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

    /**
     * Echoes with {@code trySend}. When the client sends faster than it reads and the queue is
     * full, the echo is handed to {@code send}, which parks it in the library until there is
     * room (later echoes queue behind it, so the order holds) and fails it after
     * {@link #FULL_QUEUE_WAIT}: the I/O thread itself never waits.
     */
    @Override
    public void onMessage(Message m) {
      byte[] bytes = m.bytes();
      Peer to = m.sender();
      if (node.trySend(to, m.kind(), bytes, 0, bytes.length) == SendStatus.QUEUE_FULL) {
        node.send(to, m.kind(), bytes, FULL_QUEUE_WAIT).whenComplete((ok, e) -> {
          if (e != null) {
            dropped(to, e);
          }
        });
      }
    }

    /** Logs dropped echoes at most once a second, with how many went since the last line. */
    private void dropped(Peer to, Throwable why) {
      long n = drops.incrementAndGet();
      long now = System.nanoTime();
      long last = lastDropLog.get();
      if (now - last >= TimeUnit.SECONDS.toNanos(1) && lastDropLog.compareAndSet(last, now)) {
        long count = n - dropsLogged.getAndSet(n);
        LOG.warn("{} echo(es) dropped, the last to {}: {}", count, to.id().shortId(), why.toString());
      }
    }
  }
}
