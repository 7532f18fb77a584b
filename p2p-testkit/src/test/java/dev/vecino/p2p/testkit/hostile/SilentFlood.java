package dev.vecino.p2p.testkit.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connections that never say a word, {@code perSource} from each source address, each one
 * reopened at once from the same address when the node closes it (refused, evicted or timed
 * out): the pending-handshake flood of issue 14, fault 4. One thread and one selector; what
 * the node sends (its HELLO) is read and dropped. {@link #pause()} stops the reopening (the
 * open connections stay), so a measurement does not race thousands of connections a second.
 *
 * <p><b>Thread safety:</b> {@link #start()}, {@link #pause()}, {@link #resume()} and
 * {@link #close()} from the test thread; the counters from any thread.
 */
final class SilentFlood implements AutoCloseable {

  private final InetSocketAddress target;
  private final List<InetAddress> sources;
  private final int perSource;
  private final Selector selector;
  private final Thread thread;
  private final ArrayDeque<InetAddress> toOpen = new ArrayDeque<>();
  private final ByteBuffer sink = ByteBuffer.allocate(4096);
  private volatile boolean running = true;
  private volatile boolean paused;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong closedByNode = new AtomicLong();

  SilentFlood(InetSocketAddress target, List<InetAddress> sources, int perSource) {
    this.target = target;
    this.sources = List.copyOf(sources);
    this.perSource = perSource;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.thread = new Thread(this::run, "silent-flood");
    this.thread.setDaemon(true);
  }

  /** Opens the connections and keeps them open until {@link #close()}. */
  SilentFlood start() {
    for (int i = 0; i < perSource; i++) {
      toOpen.addAll(sources);
    }
    thread.start();
    return this;
  }

  /** Stops reopening the connections the node closes; those open stay open. */
  void pause() {
    paused = true;
  }

  /** Reopens at once again, the connections closed meanwhile first. */
  void resume() {
    paused = false;
    selector.wakeup();
  }

  /** Connections currently open (connected or connecting). */
  int open() {
    return open.get();
  }

  /** Connections opened so far, reopened ones included. */
  long opened() {
    return opened.get();
  }

  /** Connections the node closed so far. */
  long closedByNode() {
    return closedByNode.get();
  }

  private void run() {
    try {
      while (running) {
        // Reopen at once, but never spin: at most one round of the addresses per pass.
        for (int n = toOpen.size(); n > 0 && running && !paused; n--) {
          openFrom(toOpen.poll());
        }
        selector.select(toOpen.isEmpty() || paused ? 50 : 1);
        for (SelectionKey key : selector.selectedKeys()) {
          handle(key);
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (SelectionKey key : selector.keys()) {
        closeQuietly(key.channel());
      }
      closeQuietly(selector);
    }
  }

  private void openFrom(InetAddress source) {
    SocketChannel ch = null;
    try {
      ch = SocketChannel.open();
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.bind(new InetSocketAddress(source, 0));
      boolean connected = ch.connect(target);
      ch.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, source);
      open.incrementAndGet();
      opened.incrementAndGet();
    } catch (IOException e) {
      closeQuietly(ch);
      toOpen.add(source);
    }
  }

  private void handle(SelectionKey key) {
    SocketChannel ch = (SocketChannel) key.channel();
    InetAddress source = (InetAddress) key.attachment();
    try {
      if (key.isConnectable()) {
        ch.finishConnect();
        key.interestOps(SelectionKey.OP_READ);
        return;
      }
      if (key.isReadable()) {
        sink.clear();
        if (ch.read(sink) >= 0) {
          return;
        }
      }
    } catch (IOException e) {
      // Reset or refused: closed by the node all the same.
    }
    key.cancel();
    closeQuietly(ch);
    open.decrementAndGet();
    closedByNode.incrementAndGet();
    toOpen.add(source);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    selector.wakeup();
    thread.join(10_000);
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // Closing a flood socket: nothing to report.
      }
    }
  }
}
