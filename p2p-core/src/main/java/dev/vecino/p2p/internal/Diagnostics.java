package dev.vecino.p2p.internal;

import dev.vecino.p2p.discovery.RangeScanDiscovery;
import dev.vecino.p2p.scan.Diagnosis;
import dev.vecino.p2p.scan.Diagnosis.Check;
import dev.vecino.p2p.scan.Diagnosis.Verdict;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.scan.Targets;
import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.Executor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * "Why not found" (issue 17): walks every discovery stage for one host and port and names the
 * cause. Local checks first (scope, bind address, route: nothing sent), then what discovery
 * already knows (beacons heard, known peers), then one probe through the ordinary scan path.
 *
 * <p><b>Thread safety:</b> one diagnosis per instance; the local checks run on the calling
 * thread, the probe's outcome is read on the callback executor.
 */
final class Diagnostics {

  private static final List<String> VIRTUAL_PREFIXES = List.of("docker", "br-", "virbr", "veth", "tun", "tap", "wg");

  private final Node node;
  private final Scanning scanning;
  private final Connections connections;
  private final List<Check> checks = new ArrayList<>();

  Diagnostics(Node node, Scanning scanning, Connections connections) {
    this.node = node;
    this.scanning = scanning;
    this.connections = connections;
  }

  CompletableFuture<Diagnosis> diagnose(InetSocketAddress target, Duration timeout) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(timeout, "timeout");
    if (!node.isRunning()) {
      throw new IllegalStateException("node " + node.logName() + " is " + node.lifecycleName());
    }
    InetSocketAddress t = target;
    if (t.isUnresolved()) {
      try {
        t = new InetSocketAddress(InetAddress.getByName(t.getHostString()), t.getPort());
      } catch (UnknownHostException e) {
        return done(target, Verdict.UNKNOWN_HOST, "the name " + target.getHostString() + " does not resolve");
      }
    }
    InetAddress a = t.getAddress();
    NodeDiscovery discovery = scanning.discovery();
    String refusal = discovery.scope().refusal(a);
    if (refusal != null) {
      checks.add(new Check("scope", refusal, false));
      return done(t, Verdict.OUTSIDE_SCOPE, refusal + ": nothing is sent there; widen the network scope to reach it");
    }
    checks.add(new Check("scope", "inside " + String.join(", ", discovery.scope().describe()), true));
    String unreachable = connections.unreachableFromBind(t);
    if (unreachable != null) {
      checks.add(new Check("bind", unreachable, false));
      return done(t, Verdict.BOUND_ELSEWHERE, unreachable + "; bind the node to 0.0.0.0 or an interface address");
    }
    String noRoute = route(t, discovery);
    if (noRoute != null) {
      return done(t, Verdict.NO_ROUTE, "no route to " + a.getHostAddress() + " (" + noRoute
          + "): no interface in that subnet and no router to it");
    }
    beacon(a, discovery);
    known(a, discovery);
    return probe(t, timeout);
  }

  /** The route check: a UDP connect makes the kernel pick a route and sends nothing. */
  private String route(InetSocketAddress t, NodeDiscovery discovery) {
    InetAddress a = t.getAddress();
    if (a.isLoopbackAddress()) {
      checks.add(new Check("route", "loopback", true));
      return null;
    }
    InetAddress local;
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.connect(new InetSocketAddress(a, Math.max(1, t.getPort())));
      local = ((InetSocketAddress) ch.getLocalAddress()).getAddress();
    } catch (IOException e) {
      String why = e.getMessage() != null ? e.getMessage() : e.toString();
      checks.add(new Check("route", "none: " + why, false));
      return why;
    }
    Datagrams.Link link = null;
    for (Datagrams.Link l : discovery.datagrams().links()) {
      if (!l.loopback() && l.contains(a)) {
        link = l;
      }
    }
    if (link == null) {
      checks.add(new Check("route", "routed from " + local.getHostAddress() + ", not on-link: beacons and the "
          + "default scan do not reach it; known peers and explicit scans do", true));
    } else if (VIRTUAL_PREFIXES.stream().anyMatch(link.name()::startsWith)) {
      checks.add(new Check("route", "on-link via virtual interface " + link.name() + ", which the default scan "
          + "skips (name it, or scan explicitly)", true));
    } else {
      checks.add(new Check("route", "on-link via " + link.name() + " (" + link.address().getHostAddress() + "/"
          + link.prefix() + ")", true));
    }
    return null;
  }

  private void beacon(InetAddress a, NodeDiscovery discovery) {
    BeaconListener l = discovery.listener();
    if (l == null) {
      checks.add(new Check("beacon", "this node does not listen for beacons (beacons(false))", true));
      return;
    }
    checks.add(l.heard(a).map(h -> new Check("beacon", "heard " + (System.nanoTime() - h.atNanos()) / 1_000_000
        + " ms ago from " + h.id().shortId() + (h.sameGroup() ? ", same group" : ", another group"), h.sameGroup()))
        .orElse(new Check("beacon", "no beacon heard from it (it may not discover, or multicast and broadcast "
            + "are filtered)", true)));
  }

  private void known(InetAddress a, NodeDiscovery discovery) {
    for (PeerStore.Entry e : discovery.store().entries()) {
      for (InetSocketAddress s : e.addresses()) {
        if (a.equals(s.getAddress())) {
          checks.add(new Check("known", "known peer " + e.id().shortId() + ", last seen " + e.lastSeen()
              + " on port " + s.getPort(), true));
          return;
        }
      }
    }
    checks.add(new Check("known", "not a known peer", true));
  }

  private CompletableFuture<Diagnosis> probe(InetSocketAddress t, Duration timeout) {
    ScanOptions o = ScanOptions.builder().autoConnect(false).timeout(timeout).build();
    long started = System.nanoTime();
    RangeScanDiscovery single = RangeScanDiscovery.of(Targets.parse(t.getAddress().getHostAddress()),
        Ports.of(t.getPort()));
    Executor callbacks = node.config().directCallbacks() ? Runnable::run : node.events.newSerialExecutor()::submit;
    return scanning.scan(single, o).report().thenCompose(r -> {
      Diagnosis d = verdict(t, r, Duration.ofNanos(System.nanoTime() - started));
      if (d.verdict() != Verdict.NOT_A_VECINO_NODE) {
        return CompletableFuture.completedFuture(d);
      }
      // Blocking reads off the callback thread; the answer hops back onto it.
      Executor own = task -> {
        Thread th = new Thread(task, "vecino-doctor-" + node.identity().id().shortId());
        th.setDaemon(true);
        th.start();
      };
      return CompletableFuture.supplyAsync(() -> hangsUp(t, timeout) ? refused(t) : d, own)
          .thenApplyAsync(x -> x, callbacks);
    });
  }

  /** Whether the port accepts, then closes before sending a byte (a read sees the end at once). */
  private static boolean hangsUp(InetSocketAddress t, Duration timeout) {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Socket s = new Socket()) {
      s.connect(t, millis);
      s.setSoTimeout(millis);
      return s.getInputStream().read() < 0;
    } catch (IOException e) {
      // Timed out waiting (a silent service), reset, or refused: not a clean hang-up.
      return false;
    }
  }

  private Diagnosis refused(InetSocketAddress t) {
    checks.remove(checks.size() - 1);
    checks.add(new Check("handshake", "closed before a word, every time", false));
    return diagnosis(t, Verdict.REFUSED, "port " + t.getPort() + " accepts and hangs up at once: a Vecino node "
        + "at a connection limit (maxConnections, maxConnectionsPerAddress, pending handshakes) refuses so, "
        + "as does a service that turns this address away");
  }

  private Diagnosis verdict(InetSocketAddress t, ScanReport r, Duration took) {
    String ms = took.toMillis() + " ms";
    if (!r.peers().isEmpty()) {
      ScanResult p = r.peers().get(0);
      checks.add(new Check("tcp", "open", true));
      checks.add(new Check("handshake", "peer '" + p.name() + "' (" + p.id().shortId() + ")", true));
      return diagnosis(t, Verdict.FOUND, "a peer of this group: '" + p.name() + "' (" + p.id().shortId() + ")");
    }
    if (!r.otherGroup().isEmpty()) {
      ScanResult p = r.otherGroup().get(0);
      checks.add(new Check("tcp", "open", true));
      checks.add(new Check("handshake", "group '" + p.group() + "'", false));
      return diagnosis(t, Verdict.OTHER_GROUP, "a Vecino node of group '" + p.group() + "', not '"
          + node.group() + "': nodes of different groups refuse each other");
    }
    if (!r.notPeers().isEmpty()) {
      checks.add(new Check("tcp", "open", true));
      if (r.notPeers().get(0).status() == ScanStatus.INCOMPATIBLE) {
        checks.add(new Check("handshake", "no common protocol version", false));
        return diagnosis(t, Verdict.OTHER_VERSION, "a Vecino node that speaks another protocol version: "
            + "update one of them");
      }
      if (r.notPeers().get(0).status() == ScanStatus.NOT_ADMITTED) {
        checks.add(new Check("handshake", "not admitted (group secret, key allowlist or pairing)", false));
        return diagnosis(t, Verdict.REFUSED, "a Vecino node that did not admit this node: the group secret or "
            + "the key allowlist of one of them leaves the other out");
      }
      checks.add(new Check("handshake", "no Vecino HELLO", false));
      return diagnosis(t, Verdict.NOT_A_VECINO_NODE, "something listens on port " + t.getPort()
          + ", but it is not a Vecino node (or one at its connection limit)");
    }
    if (r.closed() > 0) {
      checks.add(new Check("tcp", "connection refused after " + ms, false));
      return diagnosis(t, Verdict.PORT_CLOSED, "the host is up but nothing listens on port " + t.getPort()
          + ": is the node running, on that port?");
    }
    if (r.silent() > 0) {
      checks.add(new Check("tcp", "no answer in " + ms, false));
      return diagnosis(t, Verdict.HOST_SILENT, "no answer: the host is down, or a firewall drops connections to port "
          + t.getPort());
    }
    checks.add(new Check("handshake", "this node itself", false));
    return diagnosis(t, Verdict.SELF, "that is this node");
  }

  private CompletableFuture<Diagnosis> done(InetSocketAddress t, Verdict v, String explanation) {
    return CompletableFuture.completedFuture(diagnosis(t, v, explanation));
  }

  private Diagnosis diagnosis(InetSocketAddress t, Verdict v, String explanation) {
    return new Diagnosis(t, v, explanation, checks);
  }
}
