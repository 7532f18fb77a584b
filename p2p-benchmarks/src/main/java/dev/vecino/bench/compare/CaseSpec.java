package dev.vecino.bench.compare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One comparison case and, after the run, its results: one {@link Result} per successful run.
 *
 * <p><b>Thread safety:</b> none; the runner's thread owns it.
 */
final class CaseSpec {

  final String contender;
  final String kind;
  final int size;
  final Duration warmup;
  final Duration measure;
  double rate;
  final List<Result> runs = new ArrayList<>();
  final List<String> errors = new ArrayList<>();
  String skipped;

  CaseSpec(String contender, String kind, int size, Duration warmup, Duration measure) {
    this.contender = contender;
    this.kind = kind;
    this.size = size;
    this.warmup = warmup;
    this.measure = measure;
  }

  /**
   * Returns a stable id, e.g. {@code oneway-64/netty}.
   *
   * @return the id
   */
  String id() {
    return kind + (size > 0 ? "-" + size : "") + "/" + contender;
  }

  /**
   * Returns the median of a value over the runs that reported it.
   *
   * @param key the value's name
   * @return the median, empty when no run reported it
   */
  OptionalDouble median(String key) {
    double[] v = runs.stream().filter(r -> r.values().containsKey(key))
        .mapToDouble(r -> r.values().get(key)).sorted().toArray();
    if (v.length == 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(v.length % 2 == 1 ? v[v.length / 2]
        : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
  }

  /**
   * Returns the median or NaN.
   *
   * @param key the value's name
   * @return the median, NaN if none
   */
  double med(String key) {
    return median(key).orElse(Double.NaN);
  }

  /**
   * Returns the first note any run gave.
   *
   * @return the note, empty if none
   */
  String note() {
    return runs.stream().map(Result::note).filter(n -> !n.isEmpty()).findFirst().orElse("");
  }
}
