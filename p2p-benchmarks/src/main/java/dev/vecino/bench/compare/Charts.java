package dev.vecino.bench.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Draws the report's bar charts as PNG files with XChart (headless AWT). */
final class Charts {

  static final String THROUGHPUT = "benchmarks-throughput.png";
  static final String LATENCY = "benchmarks-latency.png";

  private Charts() {}

  static void write(Path dir, List<CaseSpec> throughput, List<CaseSpec> pingPong,
      List<CaseSpec> openLoop) throws IOException {
    System.setProperty("java.awt.headless", "true");
    CategoryChart t = new CategoryChartBuilder().width(1000).height(560)
        .title("One-way throughput, messages received per second (median)")
        .xAxisTitle("payload").yAxisTitle("million msgs/s").build();
    style(t);
    List<String> sizes = List.of("64 B", "1 KiB");
    for (String c : CaseSet.ONE_WAY) {
      List<Double> ys = new ArrayList<>();
      for (int size : CaseSet.SIZES) {
        CaseSpec cs = CaseSpec.find(throughput, "oneway", size, c);
        double v = cs == null ? Double.NaN : cs.med("msgsPerSec") / 1e6;
        ys.add(Double.isNaN(v) || v < 0 ? 0 : v);
      }
      t.addSeries(shortLabel(c), sizes, ys);
    }
    BitmapEncoder.saveBitmap(t, dir.resolve(THROUGHPUT).toString(),
        BitmapEncoder.BitmapFormat.PNG);

    CategoryChart l = new CategoryChartBuilder().width(1000).height(560)
        .title("64 B round trip, p50 (µs, median of runs; p99/p99.9 in the tables)")
        .xAxisTitle("contender").yAxisTitle("µs").build();
    style(l);
    addLatency(l, "closed loop p50", pingPong, "p50");
    addLatency(l, "open loop p50", openLoop, "p50");
    BitmapEncoder.saveBitmap(l, dir.resolve(LATENCY).toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static void addLatency(CategoryChart chart, String series, List<CaseSpec> cases,
      String key) {
    List<String> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (String c : CaseSet.OPEN_LOOP) {
      xs.add(shortLabel(c));
      CaseSpec cs = null;
      for (CaseSpec x : cases) {
        if (x.contender.equals(c)) {
          cs = x;
        }
      }
      double v = cs == null ? Double.NaN : cs.med(key);
      ys.add(Double.isNaN(v) || v < 0 ? 0 : v);
    }
    chart.addSeries(series, xs, ys);
  }

  private static void style(CategoryChart c) {
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    c.getStyler().setLabelsVisible(false);
    c.getStyler().setToolTipsEnabled(false);
  }

  private static String shortLabel(String c) {
    return switch (c) {
      case "nio-ceiling-2t" -> "NIO ceiling (2 threads)";
      case "nio-ceiling-1t" -> "NIO, 1 thread";
      case "vecino-executor" -> "Vecino (executor)";
      case "vecino-direct" -> "Vecino (direct)";
      case "vecino-trysend-payload" -> "Vecino (trySend, onPayload)";
      case "vecino-trysendmore-payload" -> "Vecino (trySendMore)";
      case "vecino-poll" -> "Vecino (busyPoll)";
      case "blocking-socket" -> "blocking socket";
      case "netty" -> "Netty";
      case "jeromq" -> "JeroMQ";
      default -> c;
    };
  }
}
