package dev.vecino.bench.compare;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one case reports: named numbers, printed by the child JVM as one
 * {@code RESULT key=value ...} line and parsed back by the parent.
 */
public final class Result {

  /** The prefix of the line a child prints. */
  public static final String PREFIX = "RESULT ";

  private final Map<String, Double> values = new LinkedHashMap<>();
  private String note = "";

  /**
   * Adds a value.
   *
   * @param key a name without spaces or {@code =}
   * @param value the number
   * @return this result
   */
  public Result put(String key, double value) {
    values.put(key, value);
    return this;
  }

  /**
   * Sets a free-text note (spaces allowed), shown in the report.
   *
   * @param note the note
   * @return this result
   */
  public Result note(String note) {
    this.note = note.replace('\n', ' ');
    return this;
  }

  /**
   * Adds the latency percentiles of a histogram recorded in nanoseconds, in microseconds.
   *
   * @param h the histogram
   * @return this result
   */
  public Result latency(Histogram h) {
    put("count", h.getTotalCount());
    put("p50", h.getValueAtPercentile(50) / 1000.0);
    put("p99", h.getValueAtPercentile(99) / 1000.0);
    put("p999", h.getValueAtPercentile(99.9) / 1000.0);
    put("max", h.getMaxValue() / 1000.0);
    put("mean", h.getMean() / 1000.0);
    return this;
  }

  /**
   * Returns the values.
   *
   * @return the live map
   */
  public Map<String, Double> values() {
    return values;
  }

  /**
   * Returns the note.
   *
   * @return the note, empty if none
   */
  public String note() {
    return note;
  }

  /**
   * Formats the result as one line.
   *
   * @return the line
   */
  public String toLine() {
    StringBuilder sb = new StringBuilder(PREFIX);
    values.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
    if (!note.isEmpty()) {
      sb.append("note=").append(note);
    }
    return sb.toString().trim();
  }

  /**
   * Parses a line made by {@link #toLine()}.
   *
   * @param line the line
   * @return the result
   */
  public static Result parse(String line) {
    Result r = new Result();
    String body = line.substring(PREFIX.length());
    int noteAt = body.indexOf("note=");
    if (noteAt >= 0) {
      r.note(body.substring(noteAt + 5));
      body = body.substring(0, noteAt);
    }
    for (String kv : body.trim().split("\\s+")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        r.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
      }
    }
    return r;
  }
}
