package dev.vecino.bench.compare;

import java.util.List;
import java.util.Locale;

/**
 * The report's TLS table: each {@link TlsCases} measure on secure and on plaintext nodes of the
 * same run, their ratio, and issue 16's target for it.
 *
 * <p>Thread safety: none; the report's thread.
 */
final class TlsTable {

  private TlsTable() {}

  /** One row: a case kind and size, the value's key, and how the target reads. */
  private record Row(String what, String kind, int size, String key, String unit, Target target) {}

  /** A target: on the TLS ÷ plaintext ratio, or on the TLS value alone. */
  private record Target(String text, boolean onRatio, boolean atLeast, double bound) {
    boolean met(double tls, double ratio) {
      double v = onRatio ? ratio : tls;
      return atLeast ? v >= bound : v <= bound;
    }
  }

  private static final List<Row> ROWS = List.of(
      new Row("one-way 1 KiB", "oneway", 1024, "msgsPerSec", "msgs/s", new Target("TLS ≥ 0.4 × plaintext", true, true, 0.4)),
      new Row("one-way 1 KiB, CPU", "oneway", 1024, "cpuNsPerMsg", "ns/msg", null),
      new Row("one-way 64 B", "oneway", 64, "msgsPerSec", "msgs/s", null),
      new Row("one-way 64 B, CPU", "oneway", 64, "cpuNsPerMsg", "ns/msg", null),
      new Row("ping-pong 64 B, p50", "pingpong", 64, "p50", "µs", new Target("TLS ≤ 1.5 × plaintext", true, false, 1.5)),
      new Row("ping-pong 64 B, p99", "pingpong", 64, "p99", "µs", null),
      new Row("ping-pong 64 B, CPU", "pingpong", 64, "cpuNsPerRoundTrip", "ns/round trip", null),
      new Row("connects + handshakes, warm", TlsCases.HANDSHAKE, 0, "handshakesPerSec", "/s",
          new Target("TLS ≥ 200/s", false, true, 200)),
      new Row("connect + handshake, CPU", TlsCases.HANDSHAKE, 0, "cpuMicrosPerHandshake", "µs", null),
      new Row("/24 scan, three peers (median of 5)", TlsCases.SCAN, 0, "wallMs", "ms",
          new Target("TLS ≤ 100 ms", false, false, 100)),
      new Row("/24 scan, three peers, CPU", TlsCases.SCAN, 0, "cpuMsPerScan", "ms", null));

  /**
   * Appends the TLS table, if its cases ran.
   *
   * @param s the report text
   * @param tls the TLS cases
   */
  static void write(StringBuilder s, List<CaseSpec> tls) {
    if (tls.stream().allMatch(c -> c.runs.isEmpty())) {
      return;
    }
    s.append("### TLS beside plaintext (issue 16)\n\n");
    s.append("Secure nodes (TLS 1.3, ECDSA P-256, the default) and plaintext nodes, the same cases in"
        + " the same run; CPU is the whole process (both nodes). Handshakes: ").append(TlsCases.CLIENTS)
        .append(" client nodes connect and disconnect in a loop, after ").append(TlsCases.WARM_HANDSHAKES)
        .append(" warm-up handshakes and ").append(tls.stream().filter(c -> c.kind.equals(TlsCases.HANDSHAKE)).findFirst()
            .map(c -> Cells.secs(c.warmup)).orElse("–"))
        .append(" of warm-up (the JDK's elliptic-curve code compiles slowly).\n\n");
    s.append("| measure | plaintext | TLS | TLS ÷ plaintext | target | met |\n");
    s.append("|---|---:|---:|---:|---|---|\n");
    for (Row r : ROWS) {
      double tlsValue = value(tls, TlsCases.TLS, r);
      double plain = value(tls, TlsCases.PLAIN, r);
      double ratio = tlsValue / plain;
      s.append("| ").append(r.what).append(" (").append(r.unit).append(") | ").append(Cells.num(plain))
          .append(" | ").append(Cells.num(tlsValue)).append(" | ")
          .append(Double.isNaN(ratio) ? "—" : String.format(Locale.ROOT, "%.2f", ratio)).append(" | ")
          .append(r.target == null ? "" : r.target.text).append(" | ")
          .append(r.target == null || Double.isNaN(tlsValue) ? "" : r.target.met(tlsValue, ratio) ? "yes" : "**no**")
          .append(" |\n");
    }
    s.append('\n');
  }

  private static double value(List<CaseSpec> cases, String contender, Row r) {
    return cases.stream().filter(c -> c.contender.equals(contender) && c.kind.equals(r.kind) && c.size == r.size)
        .mapToDouble(c -> c.med(r.key)).findFirst().orElse(Double.NaN);
  }
}
