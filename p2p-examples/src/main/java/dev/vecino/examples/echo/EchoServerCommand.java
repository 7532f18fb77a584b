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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * direct callbacks}), so a measured round trip crosses no thread hand-off on this side, as with
 * a blocking echo server. Nothing there waits: a full queue parks the echo in the library (see
 * {@link EchoListener#onMessage}), and the lines about connections and dropped echoes are written
 * by a thread of their own, so a stalled terminal cannot stall the node.
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
    PeerNodeBuilder builder = PeerNode.builder();
    SecurityOptions.Refusal refusal = security.apply(builder, CodecChoice.framed);
    if (refusal != null) {
      return SecurityOptions.report(spec, refusal);
    }
    EchoListener echo = new EchoListener(out);
    PeerNode node;
    try {
      node = builder.name(name).group(group).bindAddress(bind).port(port)
          .directCallbacks(true).listener(echo).build();
    } catch (IllegalArgumentException e) {
      echo.close();
      return Usage.error(spec, e.getMessage());
    }
    echo.node = node;
    try {
      node.start();
    } catch (RuntimeException e) {
      echo.close();
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
      echo.close();
      stop.countDown();
    }, "vecino-echo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stop.await();
    return 0;
  }

  /**
   * Echoes messages on the node's I/O thread (direct callbacks); hands every line it prints to
   * its reporter thread, which also logs the count of dropped echoes once a second.
   *
   * <p><b>Threads:</b> the callbacks run on the I/O thread; {@code drops} and {@code lastDrop}
   * are written there (and by the futures of parked echoes, on the same thread) and read by the
   * reporter; {@code reported} is the reporter's alone.
   */
  private final class EchoListener implements PeerListener, AutoCloseable {
    private final PrintWriter out;
    private final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "vecino-echo-report");
      t.setDaemon(true);
      return t;
    });
    private final AtomicLong drops = new AtomicLong();
    private volatile String lastDrop = "";
    private long reported;
    private volatile PeerNode node;

    EchoListener(PrintWriter out) {
      this.out = out;
      reporter.scheduleWithFixedDelay(this::reportDrops, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public void onConnected(Peer peer) {
      if (!quiet) {
        String line = Text.get("echo.connected", ChatFormat.clean(peer.name()), peer.remoteAddress());
        reporter.execute(() -> out.println(line));
      }
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      if (!quiet) {
        // Name and BYE text are the peer's: escaped like the chat shows them.
        String line = Text.get("echo.left", ChatFormat.clean(peer.name()),
            ChatFormat.clean(ChatFormat.reason(reason)));
        reporter.execute(() -> out.println(line));
      }
    }

    /**
     * Echoes with {@code trySend}. When the client sends faster than it reads and the queue is
     * full, the echo is handed to {@code send}, which parks it in the library until there is
     * room (later echoes queue behind it, so the order holds): it fails after
     * {@link #FULL_QUEUE_WAIT}, or at once when the parked echoes already hold as many bytes as
     * the queue, and is then counted as dropped. The I/O thread itself never waits.
     */
    @Override
    public void onMessage(Message m) {
      byte[] bytes = m.bytes();
      Peer to = m.sender();
      if (node.trySend(to, m.kind(), bytes, 0, bytes.length) == SendStatus.QUEUE_FULL) {
        node.send(to, m.kind(), bytes, FULL_QUEUE_WAIT).whenComplete((ok, e) -> {
          if (e != null) {
            lastDrop = to.id().shortId() + ": " + e;
            drops.incrementAndGet();
          }
        });
      }
    }

    /** Logs the echoes dropped since the last report, if any; reporter thread. */
    private void reportDrops() {
      long n = drops.get();
      if (n > reported) {
        LOG.warn("{} echo(es) dropped, the last to {}", n - reported, lastDrop);
        reported = n;
      }
    }

    /** Reports what is left, then stops the reporter (after the node closed). */
    @Override
    public void close() {
      reporter.execute(this::reportDrops);
      reporter.shutdown();
      try {
        reporter.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
