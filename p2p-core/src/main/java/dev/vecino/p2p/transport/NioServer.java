package dev.vecino.p2p.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A listening socket registered with one loop; accepted channels are spread over the loops. */
final class NioServer implements Listener {

  private static final Logger log = LoggerFactory.getLogger(NioServer.class);
  private static final int MAX_ACCEPTS_PER_PASS = 256;
  private static final int REGISTER_TIMEOUT_SECONDS = 10;
  /** At most one line about failing accepts per this interval: they may fail on every loop pass. */
  private static final long ACCEPT_FAILURE_LOG_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final NioEventLoop loop;
  private final Supplier<NioEventLoop> loops;
  private final ServerSocketChannel server;
  private final Acceptor acceptor;
  private final InetSocketAddress local;
  private SelectionKey key;
  private volatile boolean open = true;
  /** Accepts that failed since the last line about them, and when that was ({@code System.nanoTime}). Loop thread. */
  private long acceptFailures;
  private long acceptFailureLogged;
  private boolean acceptFailureLoggedOnce;

  private NioServer(NioEventLoop loop, Supplier<NioEventLoop> loops, ServerSocketChannel server,
      Acceptor acceptor) throws IOException {
    this.loop = loop;
    this.loops = loops;
    this.server = server;
    this.acceptor = acceptor;
    this.local = (InetSocketAddress) server.getLocalAddress();
  }

  /** Binds and registers; blocks until the loop has registered the socket. */
  static NioServer open(NioEventLoop loop, Supplier<NioEventLoop> loops, InetSocketAddress bind,
      int backlog, Acceptor acceptor) throws IOException {
    // The socket's family follows the bind address: 0.0.0.0 means every IPv4 address, not a
    // dual-stack IPv6 socket that also takes IPv6 connections (the limits are per address, and
    // IPv6 addresses are cheap to come by).
    ServerSocketChannel ssc = ServerSocketChannel.open(NioEventLoop.familyOf(bind));
    try {
      ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ssc.bind(bind, backlog);
      ssc.configureBlocking(false);
      NioServer s = new NioServer(loop, loops, ssc, acceptor);
      if (!loop.isAlive()) {
        throw new IOException("cannot listen on " + bind + ": I/O thread " + loop + " is not running");
      }
      CompletableFuture<Void> registered = new CompletableFuture<>();
      loop.execute(() -> {
        try {
          s.key = ssc.register(loop.selector(), SelectionKey.OP_ACCEPT, s);
          registered.complete(null);
        } catch (IOException | RuntimeException e) {
          registered.completeExceptionally(e);
        }
      });
      try {
        // Bounded: a loop that dies now drops the task.
        registered.get(REGISTER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new IOException("cannot listen on " + bind + ": I/O thread " + loop + " did not register the socket within "
            + REGISTER_TIMEOUT_SECONDS + " s", e);
      } catch (ExecutionException e) {
        throw new IOException("cannot register listener on " + bind, e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while registering listener on " + bind, e);
      }
      return s;
    } catch (IOException | RuntimeException e) {
      ssc.close();
      throw e;
    }
  }

  void acceptReady() {
    for (int i = 0; i < MAX_ACCEPTS_PER_PASS && open; i++) {
      SocketChannel ch;
      try {
        ch = server.accept();
      } catch (IOException e) {
        // Typically "too many open files": keep the listener, try again on the next pass. That
        // may be every pass while it lasts (a flood of connections can cause it): one line a
        // second at most, with the count.
        acceptFailed(e);
        return;
      }
      if (ch == null) {
        return;
      }
      InetSocketAddress remote;
      try {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        remote = (InetSocketAddress) ch.getRemoteAddress();
      } catch (IOException e) {
        log.debug("{}: accepted connection failed at once: {}", loop.logPrefix(), e.toString());
        NioEventLoop.closeQuietly(ch);
        continue;
      }
      ChannelHandler handler = acceptor.accept(remote);
      if (handler == null) {
        NioEventLoop.closeQuietly(ch);
        continue;
      }
      NioEventLoop target = loops.get();
      if (target == loop) {
        register(target, ch, handler, remote);
      } else {
        target.execute(() -> register(target, ch, handler, remote));
      }
    }
  }

  private void acceptFailed(IOException e) {
    long now = System.nanoTime();
    acceptFailures++;
    if (!acceptFailureLoggedOnce || now - acceptFailureLogged >= ACCEPT_FAILURE_LOG_NANOS) {
      log.warn("{}: accept on {} failed ({} time(s) since the last such line): {}", loop.logPrefix(), local,
          acceptFailures, e.toString());
      acceptFailures = 0;
      acceptFailureLogged = now;
      acceptFailureLoggedOnce = true;
    }
  }

  private static void register(NioEventLoop target, SocketChannel ch, ChannelHandler handler, InetSocketAddress remote) {
    NioChannel nc = new NioChannel(target, ch, handler, remote);
    try {
      nc.register(SelectionKey.OP_READ);
    } catch (IOException e) {
      nc.closeNow(e);
      return;
    }
    nc.opened();
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  @Override
  public void close() {
    open = false;
    if (loop.inEventLoop()) {
      closeNow();
    } else {
      loop.execute(this::closeNow);
    }
  }

  private void closeNow() {
    if (key != null) {
      key.cancel();
    }
    NioEventLoop.closeQuietly(server);
  }
}
