package dev.vecino.examples.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations users type: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 1m}. The
 * unit is required: a bare {@code 5} could mean 5 ms or 5 s, and guessing wrong is silent.
 */
public final class Durations {

  private static final Pattern FORM = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|us|µs)");
  private static final Pattern BARE = Pattern.compile("\\d+(?:\\.\\d+)?");

  private Durations() {}

  /**
   * Parses a duration with its unit.
   *
   * @param text e.g. {@code "500ms"}
   * @return the duration, never negative
   * @throws IllegalArgumentException naming the bad text
   */
  public static Duration parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (BARE.matcher(t).matches()) {
      throw new IllegalArgumentException(Text.get("duration.unit", text, t));
    }
    Matcher m = FORM.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          Text.get("duration.expected", text));
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2);
    double nanos = switch (unit) {
      case "us", "µs" -> value * 1e3;
      case "ms" -> value * 1e6;
      case "s" -> value * 1e9;
      default -> value * 60e9;
    };
    return Duration.ofNanos(Math.round(nanos));
  }

  /**
   * Formats a duration the way {@link #parse} reads it, e.g. {@code 500ms} or {@code 2s}.
   *
   * @param d the duration
   * @return the short form
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 && ms > 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
