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
   * Finds a case in a list.
   *
   * @param list the cases
   * @param kind e.g. {@code oneway}
   * @param size payload bytes, 0 for none
   * @param contender the contender's id
   * @return the case, or null if the list has none such
   */
  static CaseSpec find(List<CaseSpec> list, String kind, int size, String contender) {
    for (CaseSpec c : list) {
      if (c.kind.equals(kind) && c.size == size && c.contender.equals(contender)) {
        return c;
      }
    }
    return null;
  }

  /**
   * Returns the median of a value of a case in a list.
   *
   * @param list the cases
   * @param kind e.g. {@code oneway}
   * @param size payload bytes, 0 for none
   * @param contender the contender's id
   * @param key the value's name
   * @return the median, NaN if the case or the value is missing
   */
  static double med(List<CaseSpec> list, String kind, int size, String contender, String key) {
    CaseSpec c = find(list, kind, size, contender);
    return c == null ? Double.NaN : c.med(key);
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
