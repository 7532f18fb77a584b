package dev.vecino.p2p.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default transport: plain TCP over {@link java.nio.channels.Selector}s, one selector per
 * I/O thread, with TCP_NODELAY on every connection.
 *
 * <p>Each I/O thread ({@code vecino-io-<node>}, suffixed {@code -N} when there are several)
 * owns the channels registered with it (a channel's {@code write} may also be called by the one
 * thread that holds the connection's write turn); new connections are spread round-robin. Cross-thread
 * tasks wake a loop only when it sleeps and no wake-up is already pending.
 *
 * <p>A loop that dies (an {@link Error} from a task, timer or channel handler, or any failure of
 * the loop itself) is reported to {@link TransportConfig#failureHandler()} on its own thread,
 * then closes its channels and ends; the other loops go on until the transport is closed.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public final class NioTransport implements Transport {

  private final NioEventLoop[] loops;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();

  private NioTransport(TransportConfig config) {
    loops = new NioEventLoop[config.ioThreads()];
    try {
      for (int i = 0; i < loops.length; i++) {
        String name = "vecino-io-" + config.threadNameSuffix() + (loops.length > 1 ? "-" + i : "");
        loops[i] = new NioEventLoop(name, config.logName(), config.busyPoll().toNanos(), config.failureHandler());
      }
      for (NioEventLoop loop : loops) {
        loop.start();
      }
    } catch (RuntimeException | Error e) {
      // No selector or thread outlives a transport that could not be made.
      for (NioEventLoop loop : loops) {
        if (loop != null) {
          loop.shutdown();
          loop.awaitTermination(Duration.ofSeconds(10));
        }
      }
      throw e;
    }
  }

  /**
   * Returns a factory of NIO transports.
   *
   * @return the factory
   */
  public static TransportFactory factory() {
    return NioTransport::new;
  }

  @Override
  public Listener listen(InetSocketAddress local, int backlog, Acceptor acceptor) throws IOException {
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(acceptor, "acceptor");
    return NioServer.open(loops[0], this::nextLoop, local, backlog, acceptor);
  }

  @Override
  public void connect(InetSocketAddress remote, InetSocketAddress localBind, Duration timeout, ChannelHandler handler) {
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(handler, "handler");
    nextLoop().connect(remote, localBind, timeout.toNanos(), handler);
  }

  @Override
  public EventLoop nextEventLoop() {
    return nextLoop();
  }

  @Override
  public boolean inEventLoop() {
    for (NioEventLoop loop : loops) {
      if (loop.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  private NioEventLoop nextLoop() {
    return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (NioEventLoop loop : loops) {
      loop.shutdown();
    }
    for (NioEventLoop loop : loops) {
      loop.awaitTermination(Duration.ofSeconds(10));
    }
  }

  @Override
  public String toString() {
    return "NioTransport{ioThreads=" + loops.length + "}";
  }
}
