package dev.vecino.p2p.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector and the thread that owns it: runs I/O readiness, tasks and timers.
 *
 * <p><b>Failures:</b> a task or timer that throws a {@link RuntimeException} is logged at WARN
 * and the loop goes on (a channel handler's closes its channel, see {@link NioChannel}). Any
 * other {@link Throwable} that reaches the loop (an {@link Error} from a task, timer or
 * handler, or a failure of the loop itself) kills it: the loop reports it to its
 * {@link TransportConfig.FailureHandler} on its own thread, then closes every channel and
 * listener it owns and ends. Tasks given to a loop that has ended are dropped.
 *
 * <p><b>Thread safety:</b> {@link #execute}, {@link #schedule}, {@link #connect},
 * {@link #shutdown} may be called from any thread; everything else runs on the loop thread.
 */
final class NioEventLoop implements EventLoop, Runnable {

  private static final Logger log = LoggerFactory.getLogger(NioEventLoop.class);

  /** Read buffer per loop: large reads mean fewer system calls under load. */
  private static final int READ_BUFFER_SIZE = 256 * 1024;
  /** Reads per channel per pass, so one busy peer cannot starve the others. */
  private static final int MAX_READS_PER_PASS = 16;
  /** Tasks other threads may have queued before they wait for the loop: 32 KiB of references. */
  static final int TASK_RING_CAPACITY = 8192;
  private static final long MAX_SELECT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String name;
  /** Put first in every line this loop logs: the node's log name, then the thread's name. */
  private final String logPrefix;
  private final Selector selector;
  private final Thread thread;
  /** Tasks from other threads. */
  private final TaskRing tasks = new TaskRing(TASK_RING_CAPACITY);
  /**
   * Tasks the loop gives itself (a flush it keeps, a reply in direct mode): no queue node per
   * task, so the loop's own scheduling makes no garbage. Loop thread only.
   */
  private final ArrayDeque<Runnable> ownTasks = new ArrayDeque<>();
  /** Handles one ready key inside {@code select}: no selected-key set, so no garbage per key. */
  private final Consumer<SelectionKey> keyHandler = this::handleKey;
  /** True while a wake-up is pending or the loop is awake: senders then skip {@code wakeup()}. */
  private final AtomicBoolean awake = new AtomicBoolean(true);
  private final PriorityQueue<TimerTask> timers = new PriorityQueue<>();
  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
  private volatile boolean running = true;
  /** Set once the loop has closed its channels on the way out: tasks are dropped from then on. */
  private volatile boolean ended;
  private final TransportConfig.FailureHandler failureHandler;
  /** Whether this loop reported its death already; loop thread. */
  private boolean died;
  /** Poll this long before sleeping: a sleeping thread's wake-up costs tens of µs here. */
  private final long busyPollNanos;
  private long timerSequence;

  NioEventLoop(String name) {
    this(name, 0);
  }

  /**
   * Creates a loop (not yet started) that only logs its death.
   *
   * @param name the thread's name
   * @param busyPollNanos how long to keep polling the selector before sleeping in it, 0 for never
   */
  NioEventLoop(String name, long busyPollNanos) {
    this(name, busyPollNanos, (loop, cause) -> log.error("{}: I/O loop died", loop, cause));
  }

  /**
   * Creates a loop (not yet started).
   *
   * @param name the thread's name
   * @param busyPollNanos how long to keep polling the selector before sleeping in it, 0 for never
   * @param failureHandler hears of the loop's death, on the dying thread
   */
  NioEventLoop(String name, long busyPollNanos, TransportConfig.FailureHandler failureHandler) {
    this(name, name, busyPollNanos, failureHandler);
  }

  /**
   * Creates a loop (not yet started) whose log lines name its node.
   *
   * @param name the thread's name
   * @param logName the node's name in log lines ({@link TransportConfig#logName()})
   * @param busyPollNanos how long to keep polling the selector before sleeping in it, 0 for never
   * @param failureHandler hears of the loop's death, on the dying thread
   */
  NioEventLoop(String name, String logName, long busyPollNanos, TransportConfig.FailureHandler failureHandler) {
    this.name = name;
    this.logPrefix = logName.equals(name) ? name : logName + " " + name;
    this.busyPollNanos = busyPollNanos;
    this.failureHandler = failureHandler;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open selector", e);
    }
    this.thread = new Thread(this, name);
    this.thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (ended) {
      // Nobody would run it: the loop's channels are closed and its thread is gone.
      return;
    }
    if (Thread.currentThread() == thread) {
      ownTasks.add(task);
      return;
    }
    // A full ring means the loop is thousands of tasks behind: wait for it (back pressure on
    // the producer), waking it, until it makes room or ends.
    while (!tasks.offer(task)) {
      if (ended) {
        return;
      }
      selector.wakeup();
      Thread.yield();
    }
    if (awake.compareAndSet(false, true)) {
      selector.wakeup();
    }
  }

  @Override
  public boolean inEventLoop() {
    return Thread.currentThread() == thread;
  }

  @Override
  public Timer schedule(Runnable task, long delay, TimeUnit unit) {
    TimerTask t = new TimerTask(task, System.nanoTime() + unit.toNanos(delay));
    if (inEventLoop()) {
      addTimer(t);
    } else {
      execute(() -> addTimer(t));
    }
    return t;
  }

  private void addTimer(TimerTask t) {
    t.sequence = timerSequence++;
    timers.add(t);
  }

  Selector selector() {
    return selector;
  }

  /** Opens a non-blocking connection; the handler hears the result on this loop. */
  public void connect(InetSocketAddress remote, InetSocketAddress localBind, long timeoutNanos, ChannelHandler handler) {
    execute(() -> doConnect(remote, localBind, timeoutNanos, handler));
  }

  private void doConnect(InetSocketAddress remote, InetSocketAddress localBind, long timeoutNanos, ChannelHandler handler) {
    SocketChannel ch = null;
    NioChannel nc = null;
    try {
      if (!running) {
        throw new ClosedChannelException();
      }
      if (remote.isUnresolved()) {
        throw new ConnectException("cannot resolve " + remote.getHostString());
      }
      ch = SocketChannel.open(familyOf(remote));
      nc = new NioChannel(this, ch, handler, remote);
      handler.onConnecting(nc);
      if (!nc.isOpen()) {
        return;
      }
      ch.configureBlocking(false);
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      if (localBind != null) {
        // SO_REUSEADDR, as on the listener: connections closed earlier from this address
        // linger in TIME_WAIT; where the system lets a bind reuse such a port, it may.
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        try {
          ch.bind(localBind);
        } catch (IOException e) {
          // Typically no free source port left on that address: say so, not "cannot connect".
          ConnectException ce = new ConnectException("cannot bind local address "
              + localBind.getAddress().getHostAddress() + ": " + e.getMessage());
          ce.initCause(e);
          throw ce;
        }
      }
      if (ch.connect(remote)) {
        nc.register(SelectionKey.OP_READ);
        nc.opened();
      } else {
        NioChannel pending = nc;
        nc.register(SelectionKey.OP_CONNECT);
        nc.connectTimer = schedule(() -> pending.connectTimedOut(timeoutNanos), timeoutNanos, TimeUnit.NANOSECONDS);
      }
    } catch (IOException | UnresolvedAddressException | SecurityException e) {
      if (nc != null) {
        // onConnecting saw this channel: close through it, so onClosed comes exactly once.
        nc.closeNow(asConnectFailure(e, remote));
      } else {
        closeQuietly(ch);
        handler.onClosed(asConnectFailure(e, remote));
      }
    }
  }

  /** The protocol family of a resolved address: a socket of that family only, never dual-stack. */
  static ProtocolFamily familyOf(InetSocketAddress a) {
    return a.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
  }

  static IOException asConnectFailure(Exception e, InetSocketAddress remote) {
    if (e instanceof ConnectException || e instanceof SocketTimeoutException) {
      return (IOException) e;
    }
    ConnectException ce = new ConnectException(
        "cannot connect to " + remote + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
    ce.initCause(e);
    return ce;
  }

  static SocketTimeoutException connectTimeout(long timeoutNanos) {
    return new SocketTimeoutException("connect timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
  }

  @Override
  public void run() {
    try {
      while (running) {
        long timeout = nanosToNextTimer();
        if (hasTasks() || timeout <= 0) {
          selector.selectNow(keyHandler);
        } else if (busyPollNanos == 0 || !busyPoll(Math.min(timeout, busyPollNanos))) {
          awake.set(false);
          if (!tasks.mayHaveTasks()) {
            selector.select(keyHandler, Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout + 999_999)));
          } else {
            selector.selectNow(keyHandler);
          }
        }
        awake.set(true);
        runTasks();
        runTimers();
      }
    } catch (Throwable t) {
      died(t);
    } finally {
      closeAll();
    }
  }

  /** Reports the loop's death, once; later failures on the way out are only logged. Loop thread. */
  private void died(Throwable t) {
    if (died) {
      log.warn("{}: another failure while the dead I/O loop closes its channels", logPrefix, t);
      return;
    }
    died = true;
    try {
      failureHandler.loopFailed(this, t);
    } catch (Throwable e) {
      log.error("{}: I/O loop died", logPrefix, t);
      log.error("{}: the failure handler failed too", logPrefix, e);
    }
  }

  /**
   * Polls the selector and the task queue until something is ready or {@code nanos} pass.
   * Senders see the loop awake meanwhile and skip {@code wakeup()}.
   *
   * @return true if something is ready
   */
  private boolean busyPoll(long nanos) throws IOException {
    long deadline = System.nanoTime() + nanos;
    do {
      if (selector.selectNow(keyHandler) > 0 || hasTasks()) {
        return true;
      }
      Thread.onSpinWait();
    } while (System.nanoTime() - deadline < 0 && running);
    return false;
  }

  private long nanosToNextTimer() {
    TimerTask t = timers.peek();
    while (t != null && t.cancelled) {
      timers.poll();
      t = timers.peek();
    }
    return t == null ? MAX_SELECT_NANOS : Math.min(MAX_SELECT_NANOS, t.deadline - System.nanoTime());
  }

  private boolean hasTasks() {
    return !ownTasks.isEmpty() || tasks.mayHaveTasks();
  }

  /** One ready key, called by the selector inside {@code select}. Loop thread. */
  private void handleKey(SelectionKey key) {
    Object a = key.attachment();
    try {
      int ready = key.readyOps();
      if (a instanceof NioChannel c) {
        if ((ready & SelectionKey.OP_CONNECT) != 0) {
          c.finishConnect();
          return;
        }
        if ((ready & SelectionKey.OP_READ) != 0) {
          c.read(readBuffer, MAX_READS_PER_PASS);
        }
        if ((ready & SelectionKey.OP_WRITE) != 0 && key.isValid()) {
          c.writable();
        }
      } else if (a instanceof NioServer s) {
        s.acceptReady();
      }
    } catch (CancelledKeyException e) {
      // The channel was closed while its readiness was being handled: nothing left to do.
    }
  }

  private void runTasks() {
    // Bounded: tasks that enqueue tasks run on the next pass, after I/O.
    int own = ownTasks.size();
    for (int i = 0; i < own; i++) {
      safeRun(ownTasks.poll());
    }
    int n = tasks.size();
    for (int i = 0; i < n; i++) {
      Runnable task = tasks.poll();
      if (task == null) {
        break;
      }
      safeRun(task);
    }
  }

  private void runTimers() {
    if (timers.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    TimerTask t;
    while ((t = timers.peek()) != null && (t.cancelled || t.deadline - now <= 0)) {
      timers.poll();
      Runnable task = t.task;
      if (!t.cancelled && task != null) {
        t.cancel();
        safeRun(task);
      }
    }
  }

  /** Runs a task; a RuntimeException is logged, an Error kills the loop (see the class comment). */
  private void safeRun(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("{}: task failed", logPrefix, e);
    }
  }

  /** Stops the loop: it closes its channels and ends. A loop never started just closes its selector. */
  public void shutdown() {
    running = false;
    if (thread.getState() == Thread.State.NEW) {
      ended = true;
      try {
        selector.close();
      } catch (IOException e) {
        log.debug("{}: closing selector failed", logPrefix, e);
      }
      return;
    }
    selector.wakeup();
  }

  /** Whether the loop still runs (started, not ended). Any thread. */
  boolean isAlive() {
    return !ended && thread.isAlive();
  }

  public void awaitTermination(Duration timeout) {
    if (inEventLoop()) {
      return;
    }
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{}: I/O thread did not stop within {}", logPrefix, timeout);
    }
  }

  /**
   * Closes every channel and listener, runs the tasks left, and closes the selector: on the way
   * out of a stopped or dying loop. Each step is guarded, so one that fails (an Error from a
   * handler) cannot leave the rest open; the first such failure is reported as the loop's death.
   */
  private void closeAll() {
    for (SelectionKey key : selector.keys()) {
      Object a = key.attachment();
      try {
        if (a instanceof NioChannel c) {
          c.closeNow(new ClosedChannelException());
        } else if (a instanceof NioServer s) {
          s.close();
        }
      } catch (Throwable t) {
        died(t);
      }
    }
    Runnable task;
    for (int i = 0; i < 1_000_000 && ((task = ownTasks.poll()) != null || (task = tasks.poll()) != null); i++) {
      try {
        safeRun(task);
      } catch (Throwable t) {
        died(t);
      }
    }
    ended = true;
    // A task offered while ended was being set: dropped like any later one.
    for (int i = 0; i < TASK_RING_CAPACITY && tasks.poll() != null; i++) {
      // Dropped.
    }
    ownTasks.clear();
    try {
      selector.close();
    } catch (IOException e) {
      log.debug("{}: closing selector failed", logPrefix, e);
    }
  }

  static void closeQuietly(java.nio.channels.Channel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // Closing a channel that failed already: there is nothing more to report.
      }
    }
  }

  /** What this loop's log lines start with: the node's log name and the thread's name. Any thread. */
  String logPrefix() {
    return logPrefix;
  }

  @Override
  public String toString() {
    return name;
  }

  private static final class TimerTask implements Timer, Comparable<TimerTask> {
    /**
     * Null once cancelled: a cancelled timer stays queued until its deadline, and must not keep
     * what its task captured (a finished scan probe, a closed connection) reachable till then.
     */
    volatile Runnable task;
    final long deadline;
    long sequence;
    volatile boolean cancelled;

    TimerTask(Runnable task, long deadline) {
      this.task = task;
      this.deadline = deadline;
    }

    @Override
    public void cancel() {
      cancelled = true;
      task = null;
    }

    @Override
    public int compareTo(TimerTask o) {
      int c = Long.compare(deadline - o.deadline, 0);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
  }
}
