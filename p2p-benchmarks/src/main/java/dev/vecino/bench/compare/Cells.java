package dev.vecino.bench.compare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the report writes a number, a ratio, a rate, a note or a contender's name in a table
 * cell. Stateless.
 */
final class Cells {

  private Cells() {}

  /**
   * Returns the report's name of a contender.
   *
   * @param contender the contender's id
   * @return its label
   */
  static String label(String contender) {
    return switch (contender) {
      case "nio-ceiling-2t" -> "NIO ceiling: writer thread + reader thread, 1 MiB writes";
      case "nio-ceiling-1t" -> "NIO loop, one thread writes then reads, 1 MiB writes";
      case "vecino-executor" -> "Vecino `trySend`, default callback executor";
      case "vecino-direct" -> "Vecino `trySend`, direct callbacks";
      case "vecino-trysend-payload" ->
          "Vecino plain `trySend`, direct callbacks, zero-copy `onPayload` receiver";
      case "vecino-trysendmore-payload" ->
          "Vecino `trySendMore` (corked stream), direct callbacks, `onPayload` receiver";
      case "vecino-poll" -> "Vecino direct, listener-driven, `busyPoll` 50 µs";
      case TlsCases.TLS -> "Vecino TLS 1.3 (secure nodes, the default)";
      case TlsCases.PLAIN -> "Vecino plaintext (`plaintext(true)`)";
      case "vecino-public-api" -> "Vecino, public API only, direct, `onPayload` both ends";
      case "vecino-echo-client" -> "Vecino `echo-client` against `echo-server` (examples' code)";
      case "blocking-socket" -> "blocking socket (64 KiB buffered stream)";
      case "netty" -> "Netty 4.1 NIO";
      case "jeromq" -> "JeroMQ";
      case "sequential" -> "sequential, 0.5 s timeout (original program)";
      case "nmap" -> "nmap -sT";
      default -> contender;
    };
  }

  /**
   * Formats the median rate of a one-way case, e.g. {@code 12.34 M}.
   *
   * @param c the case, or null
   * @return the cell
   */
  static String rate(CaseSpec c) {
    if (c == null) {
      return "–";
    }
    if (c.skipped != null) {
      return "skipped";
    }
    double v = c.med("msgsPerSec");
    if (Double.isNaN(v)) {
      return c.errors.isEmpty() ? "–" : "failed";
    }
    return rate(v);
  }

  /**
   * Formats a rate in messages per second.
   *
   * @param v the rate
   * @return e.g. {@code 12.34 M} or {@code 950 k}
   */
  static String rate(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return v >= 1e6 ? String.format(Locale.ROOT, "%.2f M", v / 1e6)
        : String.format(Locale.ROOT, "%.0f k", v / 1e3);
  }

  /**
   * Formats the ratio of two cases' medians.
   *
   * @param a the numerator's case, or null
   * @param b the denominator's case, or null
   * @param key the value compared
   * @return the cell, {@code –} if either is missing
   */
  static String ratio(CaseSpec a, CaseSpec b, String key) {
    if (a == null || b == null) {
      return "–";
    }
    double r = a.med(key) / b.med(key);
    return Double.isNaN(r) || Double.isInfinite(r) ? "–" : String.format(Locale.ROOT, "%.2f", r);
  }

  /**
   * Joins the notes, skip reasons and first errors of up to two cases.
   *
   * @param a a case, or null
   * @param b another case, or null
   * @return the cell
   */
  static String notes(CaseSpec a, CaseSpec b) {
    List<String> n = new ArrayList<>();
    for (CaseSpec c : new CaseSpec[] {a, b}) {
      if (c == null) {
        continue;
      }
      if (!c.note().isEmpty() && !n.contains(c.note())) {
        n.add(c.note());
      }
      if (c.skipped != null && !n.contains(c.skipped)) {
        n.add(c.skipped);
      }
      if (!c.errors.isEmpty()) {
        n.add("failed: " + c.errors.get(0).replace('|', '/'));
      }
    }
    return String.join("; ", n);
  }

  /**
   * Formats a number with 3 significant digits or thousands separators.
   *
   * @param v the number
   * @return the cell, {@code –} for NaN
   */
  static String num(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /**
   * Formats a payload size.
   *
   * @param size bytes
   * @return e.g. {@code 64 B} or {@code 1 KiB}
   */
  static String sizeLabel(int size) {
    return size >= 1024 ? (size / 1024) + " KiB" : size + " B";
  }

  /**
   * Formats a duration in seconds.
   *
   * @param d the duration
   * @return e.g. {@code 3.0 s}
   */
  static String secs(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }
}
