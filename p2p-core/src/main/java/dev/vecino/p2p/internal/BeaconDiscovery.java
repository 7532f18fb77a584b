package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.discovery.CandidateSink;
import dev.vecino.p2p.discovery.Discovery;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The beacon stage of discovery (issue 17), a push {@link Discovery}: sends {@value #SENDS}
 * beacons per round, at 0, about 1/6 and about 1/2 of the round's window (0, 250 and 750 ms of
 * the default 1.5 s; ±30 % jitter), each to the beacon group
 * and to the broadcast address of every up, non-loopback link inside the network scope, and
 * offers each same-group node that answers (its source address and the TCP port it announced)
 * as a candidate, until the round's window ends: each address once, at most
 * {@value #MAX_PER_SOURCE} per source host and {@value #MAX_PER_ROUND} per round. So one
 * {@code discover()} sends at most
 * {@value #SENDS} × 2 datagrams per link; nothing is sent at any other time.
 *
 * <p><b>Thread safety:</b> immutable; each round runs on its own thread
 * ({@code vecino-beacon-discovery-<id>}), which owns the round's port; {@code stop()} may be
 * called from any thread.
 */
final class BeaconDiscovery implements Discovery {

  /** Beacons per round. */
  static final int SENDS = 3;
  /**
   * The shortest time between two rounds that send: a {@code discover()} called sooner (in a
   * loop, or with a short {@code rescanEvery}) sends nothing, so a node never sends more than
   * {@value #SENDS} beacons per link and address every 5 s.
   */
  static final long MIN_BURST_INTERVAL_NANOS = 5_000_000_000L;
  /**
   * Candidates one source address may offer per round (ports it announces): a host runs a few
   * nodes at most, and a hostile one must not fill the probe queue.
   */
  static final int MAX_PER_SOURCE = 4;
  /** Candidates per round from all sources together: a bound on what a round remembers and probes. */
  static final int MAX_PER_ROUND = 1024;
  /** When each beacon goes, as a fraction of the window: 0, 1/6, 1/2 (0, 250, 750 ms by default). */
  private static final double[] SEND_AT = {0, 1 / 6.0, 0.5};

  private static final Logger log = LoggerFactory.getLogger(BeaconDiscovery.class);

  private final String logName;
  private final PeerId self;
  private final String group;
  private final BeaconSetup setup;
  private final long windowMillis;
  /** When this node last started sending beacons (System.nanoTime), 0 for never; shared by its rounds. */
  private final AtomicLong lastBurst;

  BeaconDiscovery(BeaconSetup setup, long windowMillis, AtomicLong lastBurst) {
    this.setup = setup;
    this.lastBurst = lastBurst;
    this.logName = setup.logName();
    this.self = setup.self();
    this.group = setup.group();
    this.windowMillis = windowMillis;
  }

  @Override
  public String name() {
    return "beacon";
  }

  @Override
  public boolean pushes() {
    return true;
  }

  /** Not used: a push discovery. */
  @Override
  public Iterator<InetSocketAddress> candidates(int defaultPort) {
    return Collections.emptyIterator();
  }

  @Override
  public Stoppable start(int defaultPort, CandidateSink sink) {
    List<Datagrams.Link> links = setup.usable(setup.datagrams().links());
    if (links.isEmpty()) {
      log.info("{}: no usable network interface inside the network scope {}: no beacon sent", logName,
          setup.scope().describe());
      sink.done();
      return () -> { };
    }
    long now = System.nanoTime();
    long last = lastBurst.get();
    if ((last != 0 && now - last < MIN_BURST_INTERVAL_NANOS) || !lastBurst.compareAndSet(last, now)) {
      log.info("{}: beacons were sent {} ms ago: none sent before 5 s have passed", logName,
          (now - lastBurst.get()) / 1_000_000);
      sink.done();
      return () -> { };
    }
    Datagrams.Port port;
    try {
      port = setup.datagrams().openSender();
    } catch (IOException e) {
      log.warn("{}: cannot open a UDP port for beacons: {}", logName, e.toString());
      sink.done();
      return () -> { };
    }
    Thread t = new Thread(() -> run(port, links, sink), "vecino-beacon-discovery-" + self.shortId());
    t.setDaemon(true);
    t.start();
    return () -> {
      try {
        port.close();
      } catch (IOException e) {
        log.debug("{}: closing the beacon port failed: {}", logName, e.toString());
      }
    };
  }

  private void run(Datagrams.Port port, List<Datagrams.Link> links, CandidateSink sink) {
    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(windowMillis);
    long[] sendAt = new long[SENDS];
    for (int i = 0; i < SENDS; i++) {
      double jitter = i == 0 ? 1 : 0.7 + 0.6 * ThreadLocalRandom.current().nextDouble();
      sendAt[i] = start + (long) (TimeUnit.MILLISECONDS.toNanos(windowMillis) * SEND_AT[i] * jitter);
    }
    Set<InetSocketAddress> offered = new HashSet<>();
    Map<InetAddress, Integer> perSource = new HashMap<>();
    ByteBuffer in = ByteBuffer.allocate(Beacon.MAX_DATAGRAM);
    int sent = 0;
    try {
      while (true) {
        long now = System.nanoTime();
        if (sent < SENDS && now - sendAt[sent] >= 0) {
          send(port, links);
          sent++;
          continue;
        }
        long until = sent < SENDS ? Math.min(sendAt[sent], end) : end;
        if (now - end >= 0) {
          break;
        }
        InetSocketAddress from = port.receive(in, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - now)));
        if (from != null) {
          heard(in, from, offered, perSource, sink);
        }
      }
    } catch (IOException e) {
      // Closed by stop(), or the port failed: the round ends with what it found.
      log.debug("{}: beacon round ends: {}", logName, e.toString());
    } finally {
      try {
        port.close();
      } catch (IOException e) {
        log.debug("{}: closing the beacon port failed: {}", logName, e.toString());
      }
      sink.done();
    }
  }

  private void send(Datagrams.Port port, List<Datagrams.Link> links) {
    for (Datagrams.Link l : links) {
      ByteBuffer beacon = Beacon.of(self, setup.tcpPort(), group, false).encode();
      try {
        if (l.multicast()) {
          port.sendToGroup(beacon.duplicate(), l);
        }
        if (l.broadcast() != null && setup.scope().refusal(l.broadcast()) == null) {
          port.send(beacon, new InetSocketAddress(l.broadcast(), Beacon.PORT));
        }
      } catch (IOException e) {
        log.debug("{}: beacon on {} failed: {}", logName, l.name(), e.toString());
      }
    }
  }

  /**
   * Offers a same-group answer's address once. Merged by address, not by the id a beacon
   * claims: ids are unproven until the handshake, and a host that answered first with another
   * node's id would otherwise hide that node for the round. Results merge by id after the
   * handshake, as every stage's do.
   */
  private void heard(ByteBuffer in, InetSocketAddress from, Set<InetSocketAddress> offered,
      Map<InetAddress, Integer> perSource, CandidateSink sink) {
    Beacon b;
    try {
      b = Beacon.decode(in);
    } catch (IllegalArgumentException e) {
      return;
    }
    if (b.tcpPort() <= 0 || b.id().equals(self) || !b.isOfGroup(group) || offered.size() >= MAX_PER_ROUND) {
      return;
    }
    InetSocketAddress candidate = new InetSocketAddress(from.getAddress(), b.tcpPort());
    if (offered.contains(candidate) || perSource.getOrDefault(from.getAddress(), 0) >= MAX_PER_SOURCE) {
      return;
    }
    offered.add(candidate);
    perSource.merge(from.getAddress(), 1, Integer::sum);
    sink.offer(candidate);
  }

  @Override
  public String toString() {
    return "BeaconDiscovery{window " + windowMillis + " ms}";
  }
}
