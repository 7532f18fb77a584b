package dev.vecino.examples.scan;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.ScanHandle;
import dev.vecino.p2p.ScanListener;
import dev.vecino.p2p.ScanOptions;
import dev.vecino.p2p.ScanProgress;
import dev.vecino.p2p.ScanReport;
import dev.vecino.p2p.ScanResult;
import dev.vecino.p2p.discovery.Ports;
import dev.vecino.p2p.discovery.Targets;
import java.util.ArrayList;
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
  public List<String> defaultTargets(PeerNode node) {
    List<String> lines = Targets.localSubnets().describe();
    return lines.isEmpty() ? List.of("(no suitable network interface)") : lines;
  }

  @Override
  public Job start(PeerNode node, Request request, Progress progress) {
    Targets targets = request.targets() == null
        ? Targets.localSubnets() : Targets.parse(request.targets());
    Ports ports = request.ports() == null
        ? Ports.of(node.localAddress().getPort()) : Ports.parse(request.ports());
    ScanOptions options = ScanOptions.builder()
        .timeout(request.timeout())
        .autoConnect(request.connect())
        .listener(new ScanListener() {
          @Override
          public void onProgress(ScanProgress p) {
            progress.onProgress(p.done(), Math.max(p.total(), 0), p.peersFound());
          }
        })
        .build();
    ScanHandle handle = node.scan(targets, ports, options);
    return new Job() {
      @Override
      public CompletableFuture<Outcome> result() {
        return handle.report().thenApply(CoreScanner::outcome);
      }

      @Override
      public void cancel() {
        handle.cancel();
      }
    };
  }

  static Outcome outcome(ScanReport r) {
    List<Found> found = new ArrayList<>();
    r.peers().forEach(s -> found.add(found(Kind.PEER, s)));
    r.otherGroup().forEach(s -> found.add(found(Kind.OTHER_GROUP, s)));
    r.notPeers().forEach(s -> found.add(found(Kind.NOT_PEER, s)));
    return new Outcome(found, r.probed(), r.open(), r.duration(), r.cancelled());
  }

  private static Found found(Kind kind, ScanResult s) {
    return new Found(kind, s.address(), s.name(), s.id() == null ? null : s.id().toString(),
        s.group(), s.rtt().toNanos() / 1000);
  }
}
