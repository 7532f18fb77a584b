package dev.vecino.examples.scan;

import dev.vecino.examples.chat.ChatFormat;
import dev.vecino.examples.cli.Text;
import dev.vecino.examples.scan.Scanner.Found;
import dev.vecino.examples.scan.Scanner.Kind;
import dev.vecino.examples.scan.Scanner.Outcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Formats scan results: text lines for people, JSON lines for programs.
 *
 * <p><b>Thread safety:</b> stateless.
 */
public final class ScanOutput {

  private ScanOutput() {}

  /**
   * Formats one answering address as text, e.g.
   * {@code 127.0.0.2:9999  ana  3f9a1c2e  rtt 0.3 ms}.
   *
   * @param f the result
   * @return the line
   */
  public static String text(Found f) {
    return text(f, null);
  }

  /**
   * Formats one answering address as text, naming a peer by the alias the user gave it, as the
   * chat's peer table does: {@code 127.0.0.2:9999  anita (ana)  3f9a1c2e  rtt 0.3 ms}.
   *
   * @param f the result
   * @param alias the peer's alias, or null for none
   * @return the line
   */
  public static String text(Found f, String alias) {
    String where = address(f.address());
    String who = alias == null ? f.name() : alias + " (" + f.name() + ")";
    return switch (f.kind()) {
      case PEER -> where + "  " + ChatFormat.clean(who) + "  " + shortId(f.id())
          + (f.rttMicros() >= 0 ? "  " + Text.get("scan.rtt", millis(f.rttMicros())) : "");
      case OTHER_GROUP -> where + "  " + (f.group() != null
          ? Text.get("scan.otherGroupNamed", ChatFormat.clean(f.group()))
          : Text.get("scan.otherGroup"));
      case NOT_PEER -> where + "  " + Text.get("scan.notPeer");
      case NOT_ADMITTED -> where + "  " + Text.get("scan.notAdmitted");
      case INCOMPATIBLE -> where + "  " + Text.get("scan.incompatible");
    };
  }

  /**
   * Formats a round trip in microseconds as milliseconds with one decimal: {@code 0.3}.
   *
   * @param micros the round trip
   * @return the milliseconds
   */
  public static String millis(long micros) {
    return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
  }

  /**
   * Returns the results in address order (IPv4 before IPv6, then by port), as people read them.
   *
   * @param found the results in any order
   * @return a sorted copy
   */
  public static List<Found> sorted(List<Found> found) {
    List<Found> copy = new ArrayList<>(found);
    copy.sort(Comparator.comparing((Found f) -> key(f.address().getAddress()))
        .thenComparingInt(f -> f.address().getPort()));
    return copy;
  }

  private static String key(InetAddress a) {
    if (a == null) {
      return "~";
    }
    StringBuilder sb = new StringBuilder(a.getAddress().length == 4 ? "4" : "6");
    for (byte b : a.getAddress()) {
      sb.append(String.format(Locale.ROOT, "%02x", b & 0xFF));
    }
    return sb.toString();
  }

  /**
   * Formats the summary as text. The scanning node's own listener is not counted as open; other
   * open ports listed nowhere are explained: nodes already listed, answering again on another
   * address.
   *
   * @param o the outcome
   * @return e.g. {@code scan done in 53 ms: 254 probed, 3 open, 2 peers}, or
   *     {@code 8 probed, 2 open (1 more address of the nodes listed), 1 peer}
   */
  public static String summaryText(Outcome o) {
    String unlisted = o.repeats() > 0 ? " " + Text.plural("scan.summary.repeats", o.repeats()) : "";
    long open = Math.max(0, o.open() - o.self());
    return Text.plural(o.cancelled() ? "scan.summary.cancelled" : "scan.summary.done", o.peers(),
        o.duration().toMillis(), o.probed(), open, unlisted);
  }

  /**
   * Formats one answering address as a JSON line.
   *
   * @param f the result
   * @return {@code {"type":"peer",...}}, {@code {"type":"other-group",...}},
   *     {@code {"type":"not-peer",...}}, {@code {"type":"not-admitted",...}} or
   *     {@code {"type":"incompatible",...}}
   */
  public static String json(Found f) {
    String host = f.address().getAddress() != null
        ? f.address().getAddress().getHostAddress() : f.address().getHostString();
    if (f.kind() == Kind.PEER) {
      return JsonLine.of("peer").put("address", host).put("port", f.address().getPort())
          .put("name", f.name()).put("id", f.id()).put("group", f.group())
          .put("rttMicros", f.rttMicros()).toString();
    }
    JsonLine line = JsonLine.of(jsonType(f.kind()))
        .put("address", host).put("port", f.address().getPort());
    if (f.kind() == Kind.OTHER_GROUP) {
      line.put("group", f.group());
    }
    return line.toString();
  }

  private static String jsonType(Kind kind) {
    return switch (kind) {
      case PEER -> "peer";
      case OTHER_GROUP -> "other-group";
      case NOT_PEER -> "not-peer";
      case NOT_ADMITTED -> "not-admitted";
      case INCOMPATIBLE -> "incompatible";
    };
  }

  /**
   * Formats the summary as the last JSON line.
   *
   * @param o the outcome
   * @return {@code {"type":"summary","probed":..,"open":..,"peers":..,"durationMs":..}}
   */
  public static String summaryJson(Outcome o) {
    return JsonLine.of("summary").put("probed", o.probed()).put("open", o.open())
        .put("peers", o.peers()).put("durationMs", o.duration().toMillis()).toString();
  }

  private static String shortId(String id) {
    return id == null ? "?" : id.substring(0, Math.min(8, id.length())).toLowerCase(Locale.ROOT);
  }

  private static String address(InetSocketAddress a) {
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
