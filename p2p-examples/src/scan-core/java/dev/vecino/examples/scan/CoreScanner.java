package dev.vecino.examples.scan;

import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanHandle;
import dev.vecino.p2p.scan.ScanListener;
import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.ScanProgress;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import dev.vecino.p2p.scan.ScanStatus;
import dev.vecino.p2p.scan.Targets;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Scanner} over p2p-core's range scan ({@code node.scan(targets, ports, options)}).
 *
 * <p><b>Thread safety:</b> stateless; progress is forwarded from the node's callback thread.
 */
final class CoreScanner implements Scanner {

  static final CoreScanner INSTANCE = new CoreScanner();

  private CoreScanner() {}

  @Override
  public List<String> ownSubnets(PeerNode node) {
    List<String> ranges = new ArrayList<>();
    for (String line : Targets.localSubnets().describe()) {
      // "a-b (n addresses)" or a single address: the range itself parses back.
      int space = line.indexOf(' ');
      ranges.add(space < 0 ? line : line.substring(0, space));
    }
    return ranges;
  }

  @Override
  public long size(String targets) {
    return Targets.parse(targets).size();
  }

  @Override
  public Job start(PeerNode node, Request request, Progress progress) {
    // A discovery's range stage is the node's own subnets, whatever the request names them.
    Targets targets = request.targets() == null || request.discover()
        ? Targets.localSubnets() : Targets.parse(request.targets());
    if (targets.size() > MAX_ADDRESSES) {
      // Said here, in the console's words: the core's message names its option, not a flag.
      throw new IllegalArgumentException(Text.get("scan.tooBig", request.targets() == null
          ? Text.get("scan.ownSubnets") : request.targets(), targets.size(), MAX_ADDRESSES));
    }
    Ports ports = request.ports() == null
        ? Ports.of(node.localAddress().getPort()) : Ports.parse(request.ports());
    ScanOptions options = ScanOptions.builder()
        .timeout(request.timeout())
        .autoConnect(request.connect())
        .maxAddresses(MAX_ADDRESSES)
        .listener(new ScanListener() {
          @Override
          public void onProgress(ScanProgress p) {
            progress.onProgress(p.done(), Math.max(p.total(), 0), p.peersFound());
          }
        })
        .build();
    long self = selfCandidates(targets, ports, listening(node));
    // node.discover() is the one call that sends beacons: only a discovery the user asked for.
    ScanHandle handle = request.discover() ? node.discover(options) : node.scan(targets, ports, options);
    return new Job() {
      @Override
      public CompletableFuture<Outcome> result() {
        return handle.report().thenApply(r -> outcome(r, self));
      }

      @Override
      public void cancel() {
        handle.cancel();
      }
    };
  }

  /**
   * Converts the core's report. The report counts the scanning node's own answers in
   * {@code open} and lists them nowhere, without a count of their own: they are the candidates
   * that are the node's own listening address, of which only those that answered count.
   *
   * @param selfCandidates how many candidates are the node itself (see {@link #selfCandidates})
   */
  static Outcome outcome(ScanReport r, long selfCandidates) {
    List<Found> found = new ArrayList<>();
    r.peers().forEach(s -> found.add(found(Kind.PEER, s)));
    r.otherGroup().forEach(s -> found.add(found(Kind.OTHER_GROUP, s)));
    r.notPeers().forEach(s -> found.add(found(kindOf(s.status()), s)));
    long unlisted = Math.max(0, r.open() - found.size());
    return new Outcome(found, r.probed(), r.open(), Math.min(selfCandidates, unlisted), r.duration(),
        r.cancelled());
  }

  /** The node's listening address, or null for a node that does not listen ({@code vecino scan}). */
  private static InetSocketAddress listening(PeerNode node) {
    try {
      return node.localAddress();
    } catch (IllegalStateException e) {
      // Started without a listener: no candidate can be this node.
      return null;
    }
  }

  /**
   * Counts the candidates that reach the node itself: its bound address on its port, or, bound to
   * a wildcard, every local address (on Linux every 127.x address too) on its port. An estimate
   * from above (an address of an interface that is down is counted): {@link #outcome} caps it
   * with the open candidates nothing was listed for.
   *
   * @param local the node's listening address, or null when it does not listen
   */
  static long selfCandidates(Targets targets, Ports ports, InetSocketAddress local) {
    if (local == null) {
      return 0;
    }
    int port = local.getPort();
    if (ports.ranges().stream().noneMatch(r -> r.first() <= port && port <= r.last())) {
      return 0;
    }
    InetAddress bound = local.getAddress();
    if (!bound.isAnyLocalAddress()) {
      return targets.contains(bound) ? 1 : 0;
    }
    long n;
    try {
      Targets loopback = Targets.range((Inet4Address) InetAddress.getByName("127.0.0.0"),
          (Inet4Address) InetAddress.getByName("127.255.255.255"));
      n = targets.size() - targets.minus(loopback).size();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a literal address did not parse", e);
    }
    try {
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          boolean countedAbove = a instanceof Inet4Address && a.isLoopbackAddress();
          if (!countedAbove && targets.contains(a)) {
            n++;
          }
        }
      }
    } catch (SocketException e) {
      // No interface list: the loopback count stands; the summary may then leave some out.
    }
    return n;
  }

  /** What the core's report lists among "not peers" is, in the console's words. */
  static Kind kindOf(ScanStatus status) {
    return switch (status) {
      case NOT_ADMITTED -> Kind.NOT_ADMITTED;
      case INCOMPATIBLE -> Kind.INCOMPATIBLE;
      default -> Kind.NOT_PEER;
    };
  }

  private static Found found(Kind kind, ScanResult s) {
    return new Found(kind, s.address(), s.name(), s.id() == null ? null : s.id().toString(),
        s.group(), s.rtt().toNanos() / 1000);
  }
}
