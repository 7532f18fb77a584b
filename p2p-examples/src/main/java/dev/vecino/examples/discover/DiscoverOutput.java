package dev.vecino.examples.discover;

import dev.vecino.examples.chat.ChatFormat;
import dev.vecino.examples.cli.Text;
import dev.vecino.examples.scan.JsonLine;
import dev.vecino.p2p.scan.DiscoveryStage;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.ScanResult;
import java.net.InetSocketAddress;
import java.util.Locale;

/** How {@code discover} prints: text lines, or JSON lines like {@code scan --json} plus the stage. */
final class DiscoverOutput {

  private DiscoverOutput() {}

  static String text(ScanResult r) {
    String who = r.id() == null ? "" : " '" + ChatFormat.clean(r.name()) + "' (" + r.id().shortId() + ")";
    return String.format(Locale.ROOT, "%-12s %-22s%s  %s", Text.get(textKind(r)), address(r.address()), who,
        Text.get("discover.via", stage(r.stage())));
  }

  static String json(ScanResult r) {
    String host = r.address().getAddress() != null ? r.address().getAddress().getHostAddress()
        : r.address().getHostString();
    JsonLine j = JsonLine.of(kind(r)).put("address", host).put("port", r.address().getPort());
    if (r.id() != null) {
      j.put("name", r.name()).put("id", r.id().toString()).put("group", r.group())
          .put("rttMicros", r.rtt().toNanos() / 1000);
    }
    return j.put("stage", r.stage()).toString();
  }

  static String summaryText(ScanReport r) {
    return Text.plural("discover.summary", r.peers().size(), r.duration().toMillis(), r.probed(),
        r.otherGroup().size(), r.notPeers().size(),
        r.outOfScope() > 0 ? Text.get("discover.outOfScope", r.outOfScope()) : "");
  }

  /** A stage's name in the console's language, from its label; a label this console does not know stays. */
  static String stage(String label) {
    for (DiscoveryStage s : DiscoveryStage.values()) {
      if (s.label().equals(label)) {
        return Text.get("discover.stage." + s.name().toLowerCase(Locale.ROOT));
      }
    }
    return label;
  }

  private static String textKind(ScanResult r) {
    return switch (r.status()) {
      case PEER -> "discover.kind.peer";
      case OTHER_GROUP -> "discover.kind.otherGroup";
      case NOT_ADMITTED -> "discover.kind.notAdmitted";
      case INCOMPATIBLE -> "discover.kind.incompatible";
      default -> "discover.kind.notPeer";
    };
  }

  static String summaryJson(ScanReport r) {
    return JsonLine.of("summary").put("probed", r.probed()).put("open", r.open()).put("peers", r.peers().size())
        .put("otherGroup", r.otherGroup().size()).put("notPeers", r.notPeers().size())
        .put("outOfScope", r.outOfScope()).put("durationMs", r.duration().toMillis()).toString();
  }

  /** The JSON type, as {@code scan --json} names it. */
  private static String kind(ScanResult r) {
    return switch (r.status()) {
      case PEER -> "peer";
      case OTHER_GROUP -> "other-group";
      case NOT_ADMITTED -> "not-admitted";
      case INCOMPATIBLE -> "incompatible";
      default -> "not-peer";
    };
  }

  private static String address(InetSocketAddress a) {
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
