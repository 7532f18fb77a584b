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
import dev.vecino.p2p.transport.Listener;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * "Why not found" (issue 17): walks every discovery stage for one host and port and names the
 * cause. Local checks first (scope, bind address, route: nothing sent), then what discovery
 * already knows (beacons heard, known peers), then one probe through the ordinary scan path,
 * and last, for a target on this machine, whether its port is held (a bind, nothing sent).
 *
 * <p>The machine's interfaces come from the node's datagram seam ({@link Datagrams#links()}),
 * so tests give made-up ones. Two local causes need them: a subnet held only by a virtual
 * interface ({@link Datagrams.Link#virtual()}), which the default range scan skips, and a
 * target that is an address of this machine, where a port another program holds is the
 * reason a node could not listen there.
 *
 * <p><b>Thread safety:</b> one diagnosis per instance; the local checks run on the calling
 * thread, the probe's outcome is read on the callback executor (the hang-up test on a thread
 * of its own), one after the other, so the list of checks has one writer at a time.
 */
final class Diagnostics {

  private final Node node;
  private final Scanning scanning;
  private final Connections connections;
  private final List<Check> checks = new ArrayList<>();
  /** The virtual link that alone holds the target's subnet, when the default range scan applies; else null. */
  private String skippedLink;
  /** Whether the target's address is a known peer's: the store finds it whatever the range scan skips. */
  private boolean knownPeer;
  /** Whether the target is an address of this machine: loopback, the wildcard, or a link's own. */
  private boolean local;

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
    List<Datagrams.Link> links = discovery.datagrams().links();
    local = a.isLoopbackAddress() || a.isAnyLocalAddress() || links.stream().anyMatch(l -> l.address().equals(a));
    String noRoute = route(t, links);
    if (noRoute != null) {
      return done(t, Verdict.NO_ROUTE, "no route to " + a.getHostAddress() + " (" + noRoute
          + "): no interface in that subnet and no router to it");
    }
    beacon(a, discovery);
    known(a, discovery);
    return probe(t, timeout);
  }

  /**
   * The route check. A subnet of one of the links is on-link; else a UDP connect makes the
   * kernel pick a route, which sends nothing.
   */
  private String route(InetSocketAddress t, List<Datagrams.Link> links) {
    InetAddress a = t.getAddress();
    List<Datagrams.Link> onLink = new ArrayList<>();
    for (Datagrams.Link l : links) {
      if (!l.loopback() && l.contains(a)) {
        onLink.add(l);
      }
    }
    if (!onLink.isEmpty()) {
      onLink(onLink);
      return null;
    }
    if (a.isLoopbackAddress()) {
      checks.add(new Check("route", "loopback", true));
      return null;
    }
    InetAddress from;
    try (DatagramChannel ch = DatagramChannel.open()) {
      ch.connect(new InetSocketAddress(a, Math.max(1, t.getPort())));
      from = ((InetSocketAddress) ch.getLocalAddress()).getAddress();
    } catch (IOException e) {
      String why = e.getMessage() != null ? e.getMessage() : e.toString();
      checks.add(new Check("route", "none: " + why, false));
      return why;
    }
    checks.add(new Check("route", "routed from " + from.getHostAddress() + ", not on-link: beacons and the "
        + "default scan do not reach it; known peers and explicit scans do", true));
    return null;
  }

  /** The route step of an on-link target: via an ordinary interface, or only via virtual ones. */
  private void onLink(List<Datagrams.Link> holders) {
    for (Datagrams.Link l : holders) {
      if (!l.virtual()) {
        checks.add(new Check("route", "on-link via " + l.name() + " (" + l.address().getHostAddress() + "/"
            + l.prefix() + ")", true));
        return;
      }
    }
    String name = holders.get(0).name();
    if (node.config().discovery() != null) {
      // The builder's discovery replaces the default range scan: it decides what is scanned.
      checks.add(new Check("route", "on-link only via " + name + ", a virtual interface (the default range scan "
          + "skips it; this node's own discovery decides)", true));
      return;
    }
    skippedLink = name;
    checks.add(new Check("route", "on-link only via " + name + ", a virtual interface, which the default range "
        + "scan skips", false));
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
          knownPeer = true;
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
        return CompletableFuture.completedFuture(refine(t, d));
      }
      // Blocking reads off the callback thread; the answer hops back onto it.
      Executor own = task -> {
        Thread th = new Thread(task, "vecino-doctor-" + node.identity().id().shortId());
        th.setDaemon(true);
        th.start();
      };
      return CompletableFuture.supplyAsync(() -> hangsUp(t, timeout) ? refused(t) : local ? heldHere(t) : d, own)
          .thenApplyAsync(x -> x, callbacks);
    });
  }

  /** The local causes that outrank the probe's verdict: a port held here, a skipped virtual interface. */
  private Diagnosis refine(InetSocketAddress t, Diagnosis d) {
    if (d.verdict() == Verdict.PORT_CLOSED && local && t.getPort() > 0) {
      return closedHere(t);
    }
    if (d.verdict() == Verdict.FOUND && skippedLink != null && !knownPeer) {
      return diagnosis(t, Verdict.SKIPPED_INTERFACE, d.explanation() + ", but the only interface in its subnet, "
          + skippedLink + ", is virtual, and the default range scan skips virtual interfaces (docker, veth, bridges, "
          + "tunnels): discover() finds it only if it answers beacons; scan its address explicitly, scan "
          + "Targets.localSubnets(\"" + skippedLink + "\"), or connect to it");
    }
    return d;
  }

  /** Something that is not a Vecino node accepts on a port of this machine: no node can listen there. */
  private Diagnosis heldHere(InetSocketAddress t) {
    checks.add(new Check("port", "in use on this machine, by something that is not a Vecino node", false));
    return diagnosis(t, Verdict.PORT_IN_USE, "port " + t.getPort() + " on this machine is held by a program that "
        + "is not a Vecino node: a node cannot listen on it here (its start fails: address already in use); stop "
        + "that program, or start the node on another port");
  }

  /**
   * A port of this machine refused the probe: whether a node could listen on it now, by binding
   * it as a node's listener would (SO_REUSEADDR) without listening, and letting go at once.
   * Bound to all addresses (the default) a node needs the port free on every address.
   */
  private Diagnosis closedHere(InetSocketAddress t) {
    int port = t.getPort();
    InetAddress a = t.getAddress();
    String here = a.getHostAddress();
    if (!bindable(new InetSocketAddress(a, port)) && bindable(new InetSocketAddress(a, 0))) {
      checks.add(new Check("port", "held on " + here + " by a socket that accepts no connection", false));
      return diagnosis(t, Verdict.PORT_IN_USE, "nothing accepts connections on port " + port + ", but a socket on "
          + "this machine holds it (bound, not listening): a node cannot listen on it here; stop the program that "
          + "holds it, or start the node on another port");
    }
    Listener own = node.listener();
    boolean ours = own != null && own.localAddress().getPort() == port;
    if (!a.isAnyLocalAddress() && !ours && !bindable(new InetSocketAddress(wildcard(a), port))) {
      checks.add(new Check("port", "free on " + here + ", held on another address of this machine", false));
      return diagnosis(t, Verdict.PORT_IN_USE, "nothing listens on " + here + ":" + port + ", but port " + port
          + " is held on another address of this machine: a node bound to all addresses (the default) cannot "
          + "listen on it; bind the node to " + here + ", or start it on another port");
    }
    checks.add(new Check("port", "free: nothing on this machine holds it", true));
    return diagnosis(t, Verdict.PORT_CLOSED, "nothing listens on port " + port + " of this machine, and nothing "
        + "holds it: is the node running, on that port?");
  }

  /** The wildcard address of {@code a}'s family: what a node bound to all addresses binds. */
  private static InetAddress wildcard(InetAddress a) {
    try {
      return InetAddress.getByAddress(new byte[a.getAddress().length]);
    } catch (UnknownHostException e) {
      throw new AssertionError("four or sixteen zero bytes are an address", e);
    }
  }

  /** Whether a TCP socket could bind {@code a} now, as a node's listener binds (SO_REUSEADDR); it never listens. */
  private static boolean bindable(InetSocketAddress a) {
    try (Socket s = new Socket()) {
      s.setReuseAddress(true);
      s.bind(a);
      return true;
    } catch (BindException e) {
      return false;
    } catch (IOException e) {
      // Not a bind conflict (no socket at all, say): no evidence that anything holds the port.
      return true;
    }
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
