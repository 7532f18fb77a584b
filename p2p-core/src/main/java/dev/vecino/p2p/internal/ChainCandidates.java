package dev.vecino.p2p.internal;

import dev.vecino.p2p.discovery.CandidateSink;
import dev.vecino.p2p.discovery.Discovery;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One round of a {@link DiscoveryChain}: the candidates of all its stages as one iterator for
 * {@link ScanRun}, which also says which stage each came from ({@link #lastStage()}) and
 * whether push stages may still deliver more ({@link #pending()}).
 *
 * <p>Order: whatever push stages delivered comes first (a beacon reply is nearly always a
 * peer), then the pull stages in chain order. When push stages run, the last pull stage (the
 * range scan) waits a head start ({@code lastStageDelayNanos}) before its first candidate: a
 * range scan fills the probe window at once, and the answers to beacons, which arrive within
 * milliseconds, would otherwise wait behind it and be credited to the scan. Candidates of every stage but the last are
 * remembered (O(known peers + beacon replies)), and the last stage, the range scan, skips
 * them, so no address is probed twice in a round.
 *
 * <p><b>Thread safety:</b> the iterator methods, {@link #lastStage()} and {@link #pending()}
 * belong to the scan's home loop. Push stages offer from their own threads into a concurrent
 * queue and call the wake-up set with {@link #onWake}. {@link #stop()} may be called from any
 * thread.
 */
final class ChainCandidates implements Iterator<InetSocketAddress> {

  /** A candidate pushed by a stage. */
  private record Pushed(InetSocketAddress address, String stage) {}

  private final List<Discovery> pullStages = new ArrayList<>();
  private final Queue<Pushed> pushed = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pushing = new AtomicInteger();
  private final List<Discovery.Stoppable> running = new ArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final int defaultPort;
  /** Before this System.nanoTime() the last pull stage yields nothing (see the class documentation). */
  private final long lastStageNotBefore;
  private volatile Runnable wake = () -> { };

  // ---- home loop ----
  private final Set<InetSocketAddress> early = new HashSet<>();
  private int pullIndex = -1;
  private Iterator<InetSocketAddress> pull;
  private InetSocketAddress lookahead;
  private String lookaheadStage;
  private String lastStage = "";

  /** Starts the push stages at once; pull stages are read lazily. Called on the scan's event executor. */
  ChainCandidates(List<Discovery> stages, int defaultPort, long lastStageDelayNanos) {
    this.defaultPort = defaultPort;
    List<Discovery> push = new ArrayList<>();
    for (Discovery d : stages) {
      (d.pushes() ? push : pullStages).add(d);
    }
    long delay = push.isEmpty() || pullStages.isEmpty() ? 0 : lastStageDelayNanos;
    this.lastStageNotBefore = System.nanoTime() + delay;
    if (delay > 0) {
      CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS).execute(() -> wake.run());
    }
    pushing.set(push.size());
    for (Discovery d : push) {
      Discovery.Stoppable s = d.start(defaultPort, new Sink(d.name()));
      synchronized (running) {
        running.add(s);
      }
      if (stopped.get()) {
        // stop() ran while this stage started: it did not see it.
        s.stop();
      }
    }
  }

  /** Sets what wakes the scan's pump: a candidate arrived, or a push stage ended. Home loop. */
  void onWake(Runnable r) {
    wake = r;
    r.run();
  }

  /** Whether a push stage may still deliver candidates. Home loop. */
  boolean pending() {
    return !stopped.get() && (pushing.get() > 0 || System.nanoTime() - lastStageNotBefore < 0);
  }

  /** The stage of the candidate {@link #next()} returned last. Home loop. */
  String lastStage() {
    return lastStage;
  }

  /** Stops every push stage. Idempotent; any thread. */
  void stop() {
    if (stopped.compareAndSet(false, true)) {
      synchronized (running) {
        for (Discovery.Stoppable s : running) {
          s.stop();
        }
      }
    }
  }

  @Override
  public boolean hasNext() {
    return !pushed.isEmpty() || advancePull();
  }

  @Override
  public InetSocketAddress next() {
    Pushed p = pushed.poll();
    if (p != null) {
      early.add(p.address());
      lastStage = p.stage();
      return p.address();
    }
    if (!advancePull()) {
      throw new NoSuchElementException();
    }
    InetSocketAddress a = lookahead;
    lastStage = lookaheadStage;
    lookahead = null;
    if (pullIndex < pullStages.size() - 1) {
      early.add(a);
    }
    return a;
  }

  /** Fills the lookahead from the pull stages, skipping what earlier stages offered; false when none is left. */
  private boolean advancePull() {
    while (lookahead == null) {
      if (pull != null && pull.hasNext()) {
        InetSocketAddress a = pull.next();
        if (pullIndex < pullStages.size() - 1 || !early.contains(a)) {
          lookahead = a;
          lookaheadStage = pullStages.get(pullIndex).name();
        }
      } else if (pullIndex + 1 < pullStages.size()) {
        if (pullIndex + 1 == pullStages.size() - 1 && System.nanoTime() - lastStageNotBefore < 0) {
          return false;
        }
        pullIndex++;
        pull = pullStages.get(pullIndex).candidates(defaultPort);
      } else {
        return false;
      }
    }
    return true;
  }

  /** A push stage's sink: candidates into the queue, then one done. */
  private final class Sink implements CandidateSink {
    private final String stage;
    private final AtomicBoolean done = new AtomicBoolean();

    Sink(String stage) {
      this.stage = stage;
    }

    @Override
    public void offer(InetSocketAddress candidate) {
      if (!done.get() && !stopped.get()) {
        pushed.add(new Pushed(candidate, stage));
        wake.run();
      }
    }

    @Override
    public void done() {
      if (done.compareAndSet(false, true)) {
        pushing.decrementAndGet();
        wake.run();
      }
    }
  }
}
