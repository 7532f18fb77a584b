package dev.vecino.bench.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The performance targets of issue 15 ("Connection pipeline"), each a ratio of two cases'
 * medians within one run (or, for allocation, one case's bytes per message), with PASS or FAIL.
 * Written to the report as a markdown table and to {@code benchmarks-targets.csv}.
 *
 * <p>A verdict counts only from a full run: at least 3 runs, interleaved, each case in a fresh
 * JVM. The table says so when the run was shorter (a smoke run never fails on a target).
 */
final class RatioTargets {

  /** The targets' CSV file. */
  static final String CSV = "benchmarks-targets.csv";

  /** Bytes per message below which a path counts as not allocating (see {@link #TARGETS}). */
  static final double ZERO_BYTES = 1.0;

  /** What a target compares. */
  enum Measure {
    /** Messages per second (higher is better), CPU ns/msg shown beside. */
    RATE("msgsPerSec"),
    /** Round-trip p50 in µs (lower is better), p99 shown beside. */
    P50("p50"),
    /** Bytes allocated per message by the sending thread plus the sender's I/O thread. */
    ALLOC("sendThreadBytesPerMsg");

    final String key;

    Measure(String key) {
      this.key = key;
    }
  }

  /**
   * One target.
   *
   * @param what the target in words
   * @param numerator the case id whose value is measured
   * @param denominator the reference case id, or null for an absolute bar
   * @param measure what is compared
   * @param bar the target value
   * @param atMost true if the value must be at most {@code bar}, false if at least
   */
  record Target(String what, String numerator, String denominator, Measure measure, double bar,
      boolean atMost) {}

  /**
   * The targets. An allocation target passes below {@link #ZERO_BYTES}: a path that allocates
   * per message allocates at least one 16-byte object each time; what stays below 1 B/msg is
   * one-off allocations (timers, heartbeats) spread over millions of messages.
   */
  static final List<Target> TARGETS = List.of(
      new Target("plain `trySend` ≥ 0.75 × `trySendMore` (64 B one-way, direct, `onPayload`)",
          "oneway-64/vecino-trysend-payload", "oneway-64/vecino-trysendmore-payload",
          Measure.RATE, 0.75, false),
      new Target("`trySendMore` ≥ 0.5 × the two-thread NIO ceiling (64 B one-way)",
          "oneway-64/vecino-trysendmore-payload", "oneway-64/nio-ceiling-2t",
          Measure.RATE, 0.5, false),
      new Target("ping-pong p50, direct ≤ 1.15 × blocking socket",
          "pingpong-64/vecino-direct", "pingpong-64/blocking-socket", Measure.P50, 1.15, true),
      new Target("ping-pong p50, public API only ≤ 1.15 × blocking socket",
          "pingpong-64/vecino-public-api", "pingpong-64/blocking-socket", Measure.P50, 1.15,
          true),
      new Target("`echo-client` p50 ≤ 2 × blocking-socket echo",
          "echo-64/vecino-echo-client", "echo-64/blocking-socket", Measure.P50, 2, true),
      new Target("plain `trySend` flood allocates 0 B/msg (sending + sender's I/O thread)",
          "oneway-64/vecino-trysend-payload", null, Measure.ALLOC, ZERO_BYTES, true),
      new Target("plain `trySend` idle path allocates 0 B/msg (sending + sender's I/O thread)",
          "idle-64/vecino-trysend-payload", null, Measure.ALLOC, ZERO_BYTES, true));

  /**
   * One target's outcome.
   *
   * @param target the target
   * @param num the measured case's median, NaN if missing
   * @param numAside CPU ns/msg, p99 or the I/O thread's share, NaN if missing or none
   * @param den the reference's median, NaN if missing or none
   * @param denAside as {@code numAside}, for the reference
   * @param value the ratio (or, without a reference, {@code num})
   * @param runs the fewest runs either case reported
   */
  record Outcome(Target target, double num, double numAside, double den, double denAside,
      double value, int runs) {

    /**
     * Returns the verdict.
     *
     * @return {@code PASS}, {@code FAIL} or {@code NOT RUN}
     */
    String result() {
      if (Double.isNaN(value) || Double.isInfinite(value)) {
        return "NOT RUN";
      }
      boolean met = target.atMost ? value <= target.bar : value >= target.bar;
      if (target.measure == Measure.ALLOC) {
        met = value < target.bar;
      }
      return met ? "PASS" : "FAIL";
    }
  }

  private RatioTargets() {}

  /**
   * Computes every target from the medians of a run.
   *
   * @param cases the run's cases
   * @return one outcome per target
   */
  static List<Outcome> evaluate(CaseSet cases) {
    List<CaseSpec> all = cases.all();
    List<Outcome> out = new ArrayList<>();
    for (Target t : TARGETS) {
      CaseSpec n = byId(all, t.numerator);
      CaseSpec d = t.denominator == null ? null : byId(all, t.denominator);
      double num = value(n, t.measure);
      double den = d == null ? Double.NaN : value(d, t.measure);
      double value = t.denominator == null ? num : num / den;
      int runs = Math.min(runs(n), t.denominator == null ? Integer.MAX_VALUE : runs(d));
      out.add(new Outcome(t, num, aside(n, t.measure), den, aside(d, t.measure), value, runs));
    }
    return out;
  }

  private static CaseSpec byId(List<CaseSpec> all, String id) {
    return all.stream().filter(c -> c.id().equals(id)).findFirst().orElse(null);
  }

  private static int runs(CaseSpec c) {
    return c == null ? 0 : c.runs.size();
  }

  private static double value(CaseSpec c, Measure m) {
    if (c == null) {
      return Double.NaN;
    }
    if (m == Measure.ALLOC) {
      return c.med("sendThreadBytesPerMsg") + c.med("senderIoBytesPerMsg");
    }
    return c.med(m.key);
  }

  private static double aside(CaseSpec c, Measure m) {
    if (c == null) {
      return Double.NaN;
    }
    return switch (m) {
      case RATE -> c.med("cpuNsPerMsg");
      case P50 -> c.med("p99");
      case ALLOC -> c.med("senderIoBytesPerMsg");
    };
  }

  /**
   * Appends the markdown table.
   *
   * @param s the report text
   * @param mode the run's settings
   * @param outcomes from {@link #evaluate}
   */
  static void write(StringBuilder s, CompareMain.Mode mode, List<Outcome> outcomes) {
    s.append("### Targets (issue 15: ratios of medians within this run)\n\n");
    int runs = outcomes.stream().mapToInt(Outcome::runs).filter(r -> r > 0).min().orElse(0);
    if (!mode.name().equals("full") || runs < 3) {
      s.append("**Not a full run** (").append(mode.name()).append(" mode, ").append(runs)
          .append(runs == 1 ? " run" : " runs").append("): the verdicts below are a check that"
              + " the table is computed, not a measurement. Targets are judged on a full run:"
              + " ≥ 3 interleaved runs, fresh JVM per case.\n\n");
    } else {
      s.append("Medians of ").append(runs).append(" interleaved runs, fresh JVM per case; the"
          + " load average of each run is in the header above. One-way cells give msgs/s and"
          + " CPU ns/msg (both ends), latency cells p50 and p99, allocation cells bytes per"
          + " message (sending thread + sender's I/O thread; the I/O thread's share in"
          + " brackets). Also in `" + CSV + "`.\n\n");
    }
    s.append("| target | measured case | reference case | ratio | target | result |\n");
    s.append("|---|---|---|---:|---:|---|\n");
    for (Outcome o : outcomes) {
      Target t = o.target();
      s.append("| ").append(t.what()).append(" | `").append(t.numerator()).append("` ")
          .append(cell(t.measure(), o.num(), o.numAside())).append(" | ")
          .append(t.denominator() == null ? "–" : "`" + t.denominator() + "` "
              + cell(t.measure(), o.den(), o.denAside()))
          .append(" | ").append(t.measure() == Measure.ALLOC ? "–" : fmt(o.value(), "%.2f"))
          .append(" | ").append(t.measure() == Measure.ALLOC ? "< " : t.atMost() ? "≤ " : "≥ ")
          .append(fmt(t.bar(), "%.2f")).append(t.measure() == Measure.ALLOC ? " B/msg" : "")
          .append(" | **").append(o.result()).append("** |\n");
    }
    s.append('\n');
  }

  private static String cell(Measure m, double v, double aside) {
    return switch (m) {
      case RATE -> Cells.rate(v) + " msgs/s · " + Cells.num(aside) + " CPU ns/msg";
      case P50 -> "p50 " + Cells.num(v) + " µs (p99 " + Cells.num(aside) + " µs)";
      case ALLOC -> fmt(v, "%.2f") + " B/msg (I/O " + fmt(aside, "%.2f") + ")";
    };
  }

  private static String fmt(double v, String format) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, format, v);
  }

  /**
   * Returns the CSV: one line per target.
   *
   * @param mode the run's settings
   * @param outcomes from {@link #evaluate}
   * @return the file's text
   */
  static String csv(CompareMain.Mode mode, List<Outcome> outcomes) {
    StringBuilder s = new StringBuilder("target,measured_case,reference_case,key,measured,"
        + "measured_aside,reference,reference_aside,aside_key,ratio,comparison,bar,result,runs,"
        + "mode\n");
    for (Outcome o : outcomes) {
      Target t = o.target();
      String asideKey = switch (t.measure()) {
        case RATE -> "cpuNsPerMsg";
        case P50 -> "p99";
        case ALLOC -> "senderIoBytesPerMsg";
      };
      s.append('"').append(t.what().replace("\"", "'")).append("\",")
          .append(t.numerator()).append(',')
          .append(t.denominator() == null ? "" : t.denominator()).append(',')
          .append(t.measure() == Measure.ALLOC ? "sendThreadBytesPerMsg+senderIoBytesPerMsg"
              : t.measure().key).append(',')
          .append(o.num()).append(',').append(o.numAside()).append(',')
          .append(o.den()).append(',').append(o.denAside()).append(',').append(asideKey)
          .append(',').append(o.value()).append(',')
          .append(t.measure() == Measure.ALLOC ? "<" : t.atMost() ? "<=" : ">=").append(',')
          .append(t.bar()).append(',').append(o.result()).append(',').append(o.runs())
          .append(',').append(mode.name()).append('\n');
    }
    return s.toString();
  }
}
