package dev.vecino.bench.compare;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the JMH suite from the comparison runner (JMH forks its own JVMs) and flattens the
 * results into rows for the report. The codec and dispatch benchmarks run with the GC
 * profiler so {@code gc.alloc.rate.norm} (bytes per operation) is reported.
 */
final class JmhSuite {

  private JmhSuite() {}

  /** One benchmark result. */
  record Row(String benchmark, String params, double score, double error, String unit,
      double allocPerOp, double p50, double p99, double p999, Map<String, Double> aux) {}

  /**
   * Runs the suite.
   *
   * @param only runs only benchmarks whose name matches, or null for all
   * @param smoke tiny iterations, to check that each benchmark runs
   * @return the rows
   * @throws Exception if JMH fails
   */
  static List<Row> run(Pattern only, boolean smoke) throws Exception {
    List<Row> rows = new ArrayList<>();
    String[][] groups = {
        {"dev.vecino.bench.CodecBench", "gc"},
        {"dev.vecino.bench.DispatchBench", "gc"},
        {"dev.vecino.bench.PingPongBench", ""},
        {"dev.vecino.bench.BroadcastBench", ""},
        {"dev.vecino.bench.ConnectBench", ""},
        {"dev.vecino.bench.ScanTargetsBench", ""},
        {"dev.vecino.bench.ScanProbeBench", ""}};
    for (String[] g : groups) {
      if (only != null && !only.matcher(g[0]).find() && !only.matcher("jmh").find()) {
        continue;
      }
      ChainedOptionsBuilder o = new OptionsBuilder()
          .include(Pattern.quote(g[0]) + "\\.")
          .shouldFailOnError(true)
          .forks(1);
      if (!g[1].isEmpty()) {
        o.addProfiler(g[1]);
      }
      if (smoke) {
        // Smoke only checks that each benchmark runs: no fork (JVM start-ups dominate), one
        // short iteration. Never quote these numbers.
        o.forks(0).warmupIterations(1).warmupTime(TimeValue.milliseconds(100))
            .measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
      }
      Collection<RunResult> results = new Runner(o.build()).run();
      for (RunResult rr : results) {
        rows.add(row(rr));
      }
    }
    return rows;
  }

  // JMH's secondary-result map uses the raw Result type.
  @SuppressWarnings("rawtypes")
  private static Row row(RunResult rr) {
    String bench = rr.getParams().getBenchmark();
    bench = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
    StringBuilder params = new StringBuilder();
    for (String k : rr.getParams().getParamsKeys()) {
      if (params.length() > 0) {
        params.append(", ");
      }
      params.append(k).append('=').append(rr.getParams().getParam(k));
    }
    Result<?> primary = rr.getPrimaryResult();
    double alloc = Double.NaN;
    Map<String, Double> aux = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, Result> e : rr.getSecondaryResults().entrySet()) {
      String k = e.getKey();
      if (k.endsWith("gc.alloc.rate.norm")) {
        alloc = e.getValue().getScore();
      } else if (!k.contains("gc.") && !k.matches("p[01]\\..*")) {
        aux.put(k.startsWith("·") ? k.substring(1) : k, e.getValue().getScore());
      }
    }
    double p50 = Double.NaN;
    double p99 = Double.NaN;
    double p999 = Double.NaN;
    if (rr.getParams().getMode() == org.openjdk.jmh.annotations.Mode.SampleTime) {
      Statistics s = primary.getStatistics();
      p50 = s.getPercentile(50);
      p99 = s.getPercentile(99);
      p999 = s.getPercentile(99.9);
    }
    double err = primary.getScoreError();
    return new Row(bench, params.toString(), primary.getScore(), Double.isNaN(err) ? 0 : err,
        primary.getScoreUnit(), alloc, p50, p99, p999, aux);
  }
}
