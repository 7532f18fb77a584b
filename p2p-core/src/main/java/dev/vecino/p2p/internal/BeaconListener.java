package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for discovery beacons and answers them (issue 17), when the node was built with
 * {@code beacons(true)}. Listening is passive: nothing is sent except one unicast reply per
 * beacon heard, and only when all of these hold: the beacon decodes, is not our own, is of our
 * group (its tag matches), comes from an on-link source (in the subnet of one of our links, so
 * no reply crosses a router) inside the network scope, and the {@link BeaconLimiter} allows
 * it. The reply is our own beacon, {@value Beacon#SIZE} bytes, never larger than the request
 * (a shorter request cannot decode). A beacon never registers a peer: the sender handshakes.
 *
 * <p>It also remembers, per source address (at most {@value #MAX_HEARD}), the last beacon heard
 * and whether it was of our group, for "why not found" diagnostics.
 *
 * <p><b>Thread safety:</b> one thread, {@code vecino-beacon-<id>}, owns the port and the
 * limiter; {@link #close()} may be called from any thread and ends it; {@link #heard} and the
 * counters may be read from any thread.
 */
final class BeaconListener implements AutoCloseable {

  /** Sources remembered for diagnostics. */
  static final int MAX_HEARD = 256;

  private static final Logger log = LoggerFactory.getLogger(BeaconListener.class);

  /**
   * What was last heard from one address.
   *
   * @param id the sender's id
   * @param sameGroup whether its tag matched our group
   * @param atNanos when (System.nanoTime)
   */
  record Heard(PeerId id, boolean sameGroup, long atNanos) {}

  private final String logName;
  private final PeerId self;
  private final String group;
  private final int tcpPort;
  private final Datagrams datagrams;
  private final ScopeGuard scope;
  private final BeaconSetup setup;
  private final BeaconLimiter limiter = new BeaconLimiter();
  private final Map<InetAddress, Heard> heard = new LinkedHashMap<>(16, 0.75f, true);
  final LongAdder replies = new LongAdder();
  final LongAdder refused = new LongAdder();
  private volatile List<Datagrams.Link> links;
  private volatile Datagrams.Port port;
  private volatile Thread thread;

  BeaconListener(BeaconSetup setup) {
    this.setup = setup;
    this.logName = setup.logName();
    this.self = setup.self();
    this.group = setup.group();
    this.tcpPort = setup.tcpPort();
    this.datagrams = setup.datagrams();
    this.scope = setup.scope();
  }

  /** Opens the port and starts the thread. */
  void start(String threadSuffix) throws IOException {
    List<Datagrams.Link> joined = setup.usable(datagrams.links());
    links = joined;
    port = datagrams.openListener(joined);
    Thread t = new Thread(this::run, "vecino-beacon-" + threadSuffix);
    t.setDaemon(true);
    thread = t;
    t.start();
    log.debug("{}: listening for beacons on UDP {} (group joined on {})", logName, Beacon.PORT,
        joined.stream().map(Datagrams.Link::name).toList());
  }

  private void run() {
    ByteBuffer in = ByteBuffer.allocate(Beacon.MAX_DATAGRAM);
    Datagrams.Port p = port;
    while (true) {
      InetSocketAddress from;
      try {
        from = p.receive(in, 1000);
      } catch (IOException e) {
        // Closed by close(), or the socket failed: either way the listener ends.
        log.debug("{}: beacon listener ends: {}", logName, e.toString());
        return;
      }
      if (from == null) {
        links = setup.usable(datagrams.links());
        continue;
      }
      ByteBuffer reply = onDatagram(in, from, System.nanoTime());
      if (reply != null) {
        try {
          p.send(reply, from);
          replies.increment();
        } catch (IOException e) {
          log.debug("{}: beacon reply to {} failed: {}", logName, from, e.toString());
        }
      }
    }
  }

  /**
   * Decides the reply to one datagram: the rules of the class documentation. Listener thread.
   *
   * @return the reply to send to {@code from}, or null
   */
  ByteBuffer onDatagram(ByteBuffer data, InetSocketAddress from, long nowNanos) {
    int size = data.remaining();
    Beacon b;
    try {
      b = Beacon.decode(data);
    } catch (IllegalArgumentException e) {
      refused.increment();
      return null;
    }
    if (b.id().equals(self)) {
      return null;
    }
    InetAddress source = from.getAddress();
    boolean same = b.isOfGroup(group);
    remember(source, new Heard(b.id(), same, nowNanos));
    if (!same || b.reply() || !onLink(source) || scope.refusal(source) != null
        || !limiter.tryAcquire(source, nowNanos)) {
      // Replies are never answered: two listeners cannot ping-pong.
      refused.increment();
      return null;
    }
    ByteBuffer out = Beacon.of(self, tcpPort, group, true).encode();
    if (out.remaining() > size) {
      throw new AssertionError("a beacon reply must never be larger than its request");
    }
    return out;
  }

  private boolean onLink(InetAddress source) {
    for (Datagrams.Link l : links) {
      if (l.contains(source)) {
        return true;
      }
    }
    return false;
  }

  private void remember(InetAddress source, Heard h) {
    synchronized (heard) {
      heard.put(source, h);
      if (heard.size() > MAX_HEARD) {
        heard.remove(heard.keySet().iterator().next());
      }
    }
  }

  /** What was last heard from {@code source}, if anything. Any thread. */
  Optional<Heard> heard(InetAddress source) {
    synchronized (heard) {
      return Optional.ofNullable(heard.get(source));
    }
  }

  /** For tests: the links considered on-link, as {@link #start} would list them. */
  void links(List<Datagrams.Link> l) {
    links = List.copyOf(l);
  }

  @Override
  public void close() {
    Datagrams.Port p = port;
    if (p != null) {
      try {
        p.close();
      } catch (IOException e) {
        log.debug("{}: closing the beacon port failed: {}", logName, e.toString());
      }
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
