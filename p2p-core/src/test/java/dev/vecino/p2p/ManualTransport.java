package dev.vecino.p2p;

import dev.vecino.p2p.transport.Acceptor;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import dev.vecino.p2p.transport.Listener;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportFactory;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A transport driven by the test thread, for fuzzing a node's connections through the
 * transport SPI: the test thread <em>is</em> the I/O thread. It opens channels, hands bytes to
 * the node's {@link ChannelHandler}s, runs queued tasks and fires timers when told (time
 * passes only when the test says so). No sockets, no threads, deterministic.
 *
 * <p><b>Thread safety:</b> {@link EventLoop#execute} from any thread; everything else on the
 * thread that last called {@link #claim()} (the test thread; the node is built there too).
 */
final class ManualTransport implements TransportFactory, Transport, EventLoop {

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<ManualTimer> timers = new ArrayList<>();
  private final ArrayDeque<ChannelHandler> connects = new ArrayDeque<>();
  private volatile Thread owner;
  private Acceptor acceptor;
  private int nextPort = 1;

  @Override
  public Transport create(dev.vecino.p2p.transport.TransportConfig config) {
    claim();
    return this;
  }

  /** Makes the calling thread the I/O thread (a test framework may switch threads between tries). */
  void claim() {
    owner = Thread.currentThread();
  }

  // ---- EventLoop ----

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
  }

  @Override
  public boolean inEventLoop() {
    return Thread.currentThread() == owner;
  }

  @Override
  public Timer schedule(Runnable task, long delay, TimeUnit unit) {
    ManualTimer t = new ManualTimer(task);
    if (inEventLoop()) {
      timers.add(t);
    } else {
      execute(() -> timers.add(t));
    }
    return t;
  }

  /** Runs queued tasks (and those they queue), at most {@code 10_000}. */
  void runTasks() {
    for (int i = 0; i < 10_000; i++) {
      Runnable r = tasks.poll();
      if (r == null) {
        return;
      }
      r.run();
    }
    throw new AssertionError("tasks keep queueing tasks");
  }

  /** Lets "all the time in the world" pass: fires every timer pending now, once. */
  void fireTimers() {
    runTasks();
    List<ManualTimer> due = new ArrayList<>(timers);
    timers.clear();
    for (ManualTimer t : due) {
      if (!t.cancelled) {
        t.cancelled = true;
        t.task.run();
        runTasks();
      }
    }
  }

  private static final class ManualTimer implements Timer {
    final Runnable task;
    boolean cancelled;

    ManualTimer(Runnable task) {
      this.task = task;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  // ---- Transport ----

  @Override
  public Listener listen(InetSocketAddress local, int backlog, Acceptor acceptor) {
    this.acceptor = acceptor;
    InetSocketAddress bound = new InetSocketAddress(local.getAddress(), 7);
    return new Listener() {
      @Override
      public InetSocketAddress localAddress() {
        return bound;
      }

      @Override
      public void close() {
        // Nothing is bound.
      }
    };
  }

  @Override
  public void connect(InetSocketAddress remote, InetSocketAddress localBind, Duration timeout, ChannelHandler handler) {
    synchronized (connects) {
      connects.add(handler);
    }
  }

  @Override
  public EventLoop nextEventLoop() {
    return this;
  }

  @Override
  public void close() {
    runTasks();
  }

  /** A remote address unique to this transport, so per-address limits never interfere. */
  private InetSocketAddress nextRemote() {
    int n = nextPort++;
    return new InetSocketAddress("127.9." + ((n >> 16) & 0xFF) + "." + ((n >> 8) & 0xFF), 1024 + (n & 0xFF));
  }

  /** Accepts a connection as the listener would; null if the node refused it. */
  ManualChannel accept() {
    claim();
    InetSocketAddress remote = nextRemote();
    ChannelHandler h = acceptor.accept(remote);
    if (h == null) {
      return null;
    }
    ManualChannel ch = new ManualChannel(h, remote);
    h.onOpen(ch);
    runTasks();
    return ch;
  }

  /** Completes the oldest connect the node asked for. */
  ManualChannel completeConnect() {
    claim();
    runTasks();
    ChannelHandler h;
    synchronized (connects) {
      h = connects.poll();
    }
    if (h == null) {
      throw new AssertionError("the node asked for no connection");
    }
    ManualChannel ch = new ManualChannel(h, nextRemote());
    h.onOpen(ch);
    runTasks();
    return ch;
  }

  /** One fake connection: records what the node writes, delivers what the test feeds. */
  final class ManualChannel implements Channel {
    final ChannelHandler handler;
    final InetSocketAddress remote;
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    boolean open = true;
    boolean outputShut;
    boolean aborted;
    /** Bytes the socket still takes; a write takes at most this many (0: the socket is full). */
    long writeBudget = Long.MAX_VALUE;
    /** Thrown by a write once the budget is spent (a reset), or null: the socket is just full. */
    IOException writeError;
    /** The node asked to hear when the full socket drains ({@link #drain}). */
    boolean writeWanted;
    /** Runs on the writing thread after a write took its bytes, before it returns; or null. */
    volatile Runnable afterWrite;

    ManualChannel(ChannelHandler handler, InetSocketAddress remote) {
      this.handler = handler;
      this.remote = remote;
    }

    /** Delivers bytes as one read, then runs the tasks it queued. */
    void feed(byte[] bytes, int from, int to) {
      if (!open) {
        return;
      }
      // Like a socket read: a fresh buffer, valid only during the call, with room around it.
      ByteBuffer b = ByteBuffer.allocate(to - from + 16);
      b.position(8);
      b.put(bytes, from, to - from);
      b.limit(b.position()).position(8);
      handler.onRead(b.slice());
      runTasks();
    }

    /** The other side closes: EOF. */
    void remoteClose() {
      if (open) {
        open = false;
        handler.onClosed(new EOFException("end of stream"));
      }
      runTasks();
    }

    @Override
    public EventLoop eventLoop() {
      return ManualTransport.this;
    }

    @Override
    public InetSocketAddress localAddress() {
      return new InetSocketAddress("127.0.0.1", 7);
    }

    @Override
    public InetSocketAddress remoteAddress() {
      return remote;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (!open || outputShut) {
        throw new IOException("closed");
      }
      if (writeBudget == 0 && writeError != null && src.hasRemaining()) {
        throw writeError;
      }
      int n = (int) Math.min(src.remaining(), writeBudget);
      writeBudget -= n;
      byte[] copy = new byte[n];
      src.get(copy);
      synchronized (written) {
        written.write(copy, 0, n);
      }
      Runnable hook = afterWrite;
      if (hook != null) {
        hook.run();
      }
      return n;
    }

    /** The socket drains: writes take {@code budget} more bytes; tells the node if it asked. */
    void drain(long budget) {
      writeBudget = budget;
      if (writeWanted) {
        writeWanted = false;
        execute(handler::onWritable);
      }
      runTasks();
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
      long n = 0;
      for (ByteBuffer b : srcs) {
        n += write(b);
      }
      return n;
    }

    @Override
    public void requestWritable() {
      if (writeBudget == 0) {
        // Full: the node hears of it when the test drains the socket.
        writeWanted = true;
      } else {
        execute(handler::onWritable);
      }
    }

    @Override
    public void shutdownOutput() {
      outputShut = true;
    }

    @Override
    public void close() {
      if (!inEventLoop()) {
        execute(this::close);
        return;
      }
      // Like NioChannel: closes at once, the handler hears it inside the call.
      if (open) {
        open = false;
        handler.onClosed(null);
      }
    }

    @Override
    public void abort() {
      aborted = true;
      close();
    }

    @Override
    public boolean isOpen() {
      return open;
    }
  }
}
