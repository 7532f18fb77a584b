package dev.vecino.p2p.internal;

import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.discovery.Discovery;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanListener;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanProgress;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.transport.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scan: rounds of probes over a {@link Discovery}'s candidates, at most a window of them in
 * flight, optionally rate-limited, each verified through the node's handshake code.
 *
 * <p>Memory is O(window + found): candidates are pulled lazily from the discovery's iterator
 * only when a slot in the window is free.
 *
 * <p><b>Thread safety:</b> all scan state is confined to one "home" event loop; probe
 * callbacks from other loops hop onto it. {@link #cancel()}, {@link #report()},
 * {@link #progress()}, {@link #isDone()} and {@link #nodeClosed()} may be called from any
 * thread. Listener calls go through {@code events}, a serial executor.
 */
final class ScanRun implements ScanHandle, Probe.Callback {

  /** Starts a probe; false when the node no longer runs. */
  @FunctionalInterface
  interface Launcher {
    /**
     * Starts the probe's connect.
     *
     * @param probe the probe
     * @return false if the node is closing
     */
    boolean launch(Probe probe);
  }

  private static final Logger log = LoggerFactory.getLogger(ScanRun.class);
  private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long RATE_BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /**
   * Probes per target when the target accepts and hangs up without a word: a Vecino node at
   * its pending-handshake limit does that (a node bound to 0.0.0.0 answers a loopback scan on
   * every address at once), so such targets are retried, a few at a time.
   */
  private static final int MAX_ATTEMPTS = 6;
  private static final int RETRY_WINDOW = 8;
  private static final long RETRY_BASE_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

  private final String logName;
  private final Discovery discovery;
  private final int defaultPort;
  private final ScanOptions options;
  private final ScanListener listener;
  private final EventLoop home;
  private final Executor events;
  private final Launcher launcher;
  private final Consumer<ScanRun> onDone;
  private final int window;
  private final long timeoutNanos;
  private final long rateIntervalNanos;
  private final CompletableFuture<ScanReport> first = new CompletableFuture<>();

  private volatile boolean done;
  private volatile int round;
  private volatile long total = -1;
  private volatile long doneCount;
  private volatile int peersFound;

  // ---- home-loop state ----
  private boolean cancelled;
  private boolean inRound;
  private boolean pumping;
  private Iterator<InetSocketAddress> candidates;
  /** The candidates when they come from a discovery chain (issue 17): stages, pushes; else null. */
  private ChainCandidates chain;
  /** The current round's chain, for {@link #nodeClosed()} on another thread. */
  private volatile ChainCandidates liveChain;
  private int inFlight;
  private final Set<Probe> active = new HashSet<>();
  /** Targets to probe again, with their attempt and due time; bounded by the targets that hung up. */
  private final PriorityQueue<Retry> retries = new PriorityQueue<>(Comparator.comparingLong(Retry::dueNanos));
  private int retriesInFlight;
  private long roundStartNanos;
  private long lastProgressNanos;
  private long nextLaunchNanos;
  private EventLoop.Timer pumpTimer;
  private EventLoop.Timer roundTimer;
  private final RoundTally tally = new RoundTally();
  private final RttEstimator rtt;

  /**
   * Creates a scan; {@link #start()} runs it.
   *
   * @param logName the node's log name
   * @param discovery the candidates
   * @param defaultPort the node's listening port, for discoveries without ports
   * @param options the options
   * @param home the loop that owns the scan state
   * @param events a serial executor for listener calls and future completion
   * @param launcher starts probes
   * @param onDone called once with this scan when it is over
   */
  ScanRun(String logName, Discovery discovery, int defaultPort, ScanOptions options, EventLoop home,
      Executor events, Launcher launcher, Consumer<ScanRun> onDone) {
    this.logName = logName;
    this.discovery = discovery;
    this.defaultPort = defaultPort;
    this.options = options;
    this.listener = options.listener();
    this.home = home;
    this.events = events;
    this.launcher = launcher;
    this.onDone = onDone;
    this.window = Math.min(options.window(), FdLimit.probeHeadroom());
    this.timeoutNanos = options.timeout().toNanos();
    this.rtt = new RttEstimator(timeoutNanos, options.adaptiveTimeout());
    this.rateIntervalNanos = options.ratePerSecond() == 0 ? 0 : 1_000_000_000L / options.ratePerSecond();
  }

  /** Starts the first round. */
  void start() {
    log.debug("{}: scan starting: {} with {} (window {})", logName, discovery, options, window);
    startRound();
  }

  // ---- ScanHandle (any thread) ----

  @Override
  public CompletableFuture<ScanReport> report() {
    return first;
  }

  @Override
  public ScanProgress progress() {
    return new ScanProgress(Math.max(round, 1), doneCount, total, peersFound);
  }

  @Override
  public void cancel() {
    home.execute(this::doCancel);
  }

  @Override
  public boolean isDone() {
    return done;
  }

  /** The node is closing: fail the report if still pending. Any thread. */
  void nodeClosed() {
    done = true;
    ChainCandidates c = liveChain;
    if (c != null) {
      // Push stages run threads of their own: they end with the node, not with their window.
      c.stop();
    }
    first.completeExceptionally(new NodeClosedException("node " + logName + " closed during the scan"));
  }

  // ---- rounds (home loop, except candidate computation) ----

  private void startRound() {
    roundTimer = null;
    // candidates() may block briefly (DNS): computed on the event executor, not on an I/O thread.
    events.execute(() -> {
      Iterator<InetSocketAddress> it;
      long size;
      try {
        it = discovery.candidates(defaultPort);
        liveChain = it instanceof ChainCandidates c ? c : null;
        size = discovery.size(defaultPort);
      } catch (RuntimeException e) {
        log.warn("{}: discovery {} failed", logName, discovery.name(), e);
        fail(e);
        return;
      }
      home.execute(() -> beginRound(it, size));
    });
  }

  private void beginRound(Iterator<InetSocketAddress> it, long size) {
    round++;
    total = size;
    doneCount = 0;
    peersFound = 0;
    candidates = it;
    chain = it instanceof ChainCandidates c ? c : null;
    if (chain != null) {
      // Push stages wake the pump when a candidate arrives or a stage ends.
      chain.onWake(() -> home.execute(this::pump));
    }
    inRound = true;
    roundStartNanos = System.nanoTime();
    lastProgressNanos = roundStartNanos;
    nextLaunchNanos = roundStartNanos;
    tally.reset();
    pump();
  }

  private void pump() {
    if (pumping || !inRound) {
      return;
    }
    pumping = true;
    try {
      launchDueRetries();
      while (!cancelled && inFlight < window && candidates.hasNext()) {
        if (rateIntervalNanos > 0) {
          long now = System.nanoTime();
          if (now - nextLaunchNanos < 0) {
            if (pumpTimer == null) {
              pumpTimer = home.schedule(this::ratePump, nextLaunchNanos - now, TimeUnit.NANOSECONDS);
            }
            break;
          }
          nextLaunchNanos = Math.max(nextLaunchNanos, now - RATE_BURST_NANOS) + rateIntervalNanos;
        }
        InetSocketAddress a = candidates.next();
        if (a.getAddress() != null && options.exclude().contains(a.getAddress())) {
          continue;
        }
        launch(a, 1, chain != null ? chain.lastStage() : discovery.name());
      }
    } catch (RuntimeException e) {
      log.warn("{}: discovery {} failed while listing candidates", logName, discovery.name(), e);
      cancelled = true;
    } finally {
      pumping = false;
    }
    if (inRound && inFlight == 0
        && (cancelled || (!candidates.hasNext() && retries.isEmpty() && (chain == null || !chain.pending())))) {
      finishRound();
    }
  }

  private void launchDueRetries() {
    long now = System.nanoTime();
    while (!cancelled && !retries.isEmpty() && inFlight < window && retriesInFlight < RETRY_WINDOW) {
      Retry r = retries.peek();
      if (r.dueNanos - now > 0) {
        if (pumpTimer == null) {
          pumpTimer = home.schedule(this::ratePump, r.dueNanos - now, TimeUnit.NANOSECONDS);
        }
        return;
      }
      retries.poll();
      retriesInFlight++;
      launch(r.target, r.attempt, r.stage);
    }
  }

  /** A target to probe again. */
  private record Retry(InetSocketAddress target, int attempt, String stage, long dueNanos) {}

  private void ratePump() {
    pumpTimer = null;
    pump();
  }

  private void launch(InetSocketAddress a, int attempt, String stage) {
    Probe p = new Probe(a, attempt, rtt.timeoutNanos(), timeoutNanos, options.autoConnect(), stage, this);
    active.add(p);
    inFlight++;
    if (!launcher.launch(p)) {
      active.remove(p);
      inFlight--;
      cancelled = true;
    }
  }

  // ---- probe callbacks (probe's I/O thread; hop home) ----

  @Override
  public void onOutcome(Probe probe, ScanStatus status, Hello hello, boolean newPeer) {
    long rtt = status == ScanStatus.CLOSED ? probe.ageNanos() : probe.rttNanos();
    if (home.inEventLoop()) {
      record(probe, status, hello, newPeer, rtt);
    } else {
      home.execute(() -> record(probe, status, hello, newPeer, rtt));
    }
  }

  @Override
  public void onReleased(Probe probe) {
    if (home.inEventLoop()) {
      released(probe);
    } else {
      home.execute(() -> released(probe));
    }
  }

  private void released(Probe probe) {
    if (active.remove(probe)) {
      inFlight--;
      if (probe.attempt() > 1) {
        retriesInFlight--;
      }
      pump();
    }
  }

  private void record(Probe probe, ScanStatus status, Hello hello, boolean newPeer, long rttNanos) {
    if (status == ScanStatus.NOT_A_PEER && probe.droppedWithoutAWord() && probe.attempt() < MAX_ATTEMPTS && !cancelled) {
      // Jittered, doubling delay: 25, 50, 100, 200, 400 ms on average (under 0.8 s in all).
      long delay = (RETRY_BASE_NANOS << (probe.attempt() - 1)) / 2
          + ThreadLocalRandom.current().nextLong(RETRY_BASE_NANOS << (probe.attempt() - 1));
      retries.add(new Retry(probe.target(), probe.attempt() + 1, probe.stage, System.nanoTime() + delay));
      log.trace("{}: probe {} hung up without a word; retry {} in {} us", logName, probe.target(),
          probe.attempt(), delay / 1000);
      return;
    }
    if (log.isTraceEnabled()) {
      log.trace("{}: probe {} -> {}{}", logName, probe.target(), status,
          hello != null ? " '" + Names.printable(hello.name()) + "' (" + hello.id().shortId() + ", group "
              + Names.printable(hello.group()) + ")" : "");
    }
    boolean found = false;
    if (status == ScanStatus.CLOSED) {
      tally.closed();
      rtt.sample(rttNanos);
    } else if (status == ScanStatus.SILENT) {
      tally.silent();
    } else if (status == ScanStatus.OUT_OF_SCOPE) {
      tally.outOfScope();
    } else {
      rtt.sample(rttNanos);
      Duration d = Duration.ofNanos(Math.max(0, rttNanos));
      ScanResult r = hello == null
          ? new ScanResult(probe.target(), status, null, null, null, d, false, probe.stage)
          : new ScanResult(probe.target(), status, hello.id(), hello.name(), hello.group(), d,
              status == ScanStatus.PEER && newPeer, probe.stage);
      found = tally.open(r);
      if (found) {
        events.execute(() -> listener.onFound(r));
      }
    }
    doneCount = tally.done();
    peersFound = tally.peers();
    maybeProgress(found && status == ScanStatus.PEER);
  }

  private void maybeProgress(boolean force) {
    long now = System.nanoTime();
    if (force || now - lastProgressNanos >= PROGRESS_INTERVAL_NANOS) {
      lastProgressNanos = now;
      ScanProgress p = progress();
      events.execute(() -> listener.onProgress(p));
    }
  }

  private void finishRound() {
    inRound = false;
    candidates = null;
    if (chain != null) {
      chain.stop();
      chain = null;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - roundStartNanos);
    ScanReport r = tally.report(round, took, cancelled);
    // One INFO line per scan; later rounds of a periodic scan only when they found someone new.
    boolean info = round == 1 || tally.newPeers() > 0 || cancelled;
    if (info || log.isDebugEnabled()) {
      String line = "{}: scan round {} ({}) {}: {} probed in {} ms: {} peers ({} new), {} of other groups, "
          + "{} not peers, {} closed, {} silent";
      Object[] tail = tally.summary(took.toMillis());
      Object[] args = new Object[4 + tail.length];
      args[0] = logName;
      args[1] = round;
      args[2] = discovery.name();
      args[3] = cancelled ? "cancelled" : "done";
      System.arraycopy(tail, 0, args, 4, tail.length);
      if (info) {
        log.info(line, args);
      } else {
        log.debug(line, args);
      }
    }
    Optional<Duration> next = Optional.empty();
    if (!cancelled) {
      try {
        next = options.rescanEvery().or(() -> discovery.nextRound(r));
      } catch (RuntimeException e) {
        log.warn("{}: discovery {} failed to plan the next round", logName, discovery.name(), e);
      }
    }
    if (next.isPresent()) {
      roundTimer = home.schedule(this::startRound, next.get().toNanos(), TimeUnit.NANOSECONDS);
    } else {
      // Before the report goes out, so whoever sees the report also sees isDone().
      finish();
    }
    ScanProgress p = progress();
    events.execute(() -> listener.onProgress(p));
    events.execute(() -> listener.onRoundComplete(r));
    events.execute(() -> first.complete(r));
  }

  private void finish() {
    if (!done) {
      done = true;
      onDone.accept(this);
    }
  }

  private void fail(RuntimeException e) {
    done = true;
    events.execute(() -> first.completeExceptionally(e));
    onDone.accept(this);
  }

  private void doCancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    if (pumpTimer != null) {
      pumpTimer.cancel();
      pumpTimer = null;
    }
    if (roundTimer != null) {
      roundTimer.cancel();
      roundTimer = null;
      finish();
      return;
    }
    if (chain != null) {
      chain.stop();
    }
    for (Probe p : new ArrayList<>(active)) {
      p.cancel();
    }
    if (inRound && inFlight == 0) {
      finishRound();
    }
  }

  @Override
  public String toString() {
    return "Scan{" + discovery + ", round " + round + (done ? ", done" : "") + "}";
  }
}
