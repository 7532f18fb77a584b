package dev.vecino.bench.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * A grouped bar chart written as a PNG with XChart (headless AWT), in the style of every chart
 * the benchmarks draw: the comparison report's and the scan benchmark's
 * ({@code dev.vecino.bench.scan.ScanMain}).
 *
 * <p>On a logarithmic axis a bar needs a positive value, so a category is left out of the chart
 * when any series lacks a positive, finite value for it (a skipped or failed case); on a linear
 * axis such a bar is drawn as 0.
 *
 * <p><b>Thread safety:</b> not thread-safe; build and write it on one thread.
 */
public final class BarChart {

  private final String title;
  private final String xTitle;
  private final String yTitle;
  private final List<String> categories;
  private final Map<String, List<Double>> series = new LinkedHashMap<>();
  private boolean logarithmic;

  /**
   * Starts a chart.
   *
   * @param title the title
   * @param xTitle the category axis' title
   * @param yTitle the value axis' title, with its unit
   * @param categories the groups of bars, left to right
   */
  public BarChart(String title, String xTitle, String yTitle, List<String> categories) {
    this.title = title;
    this.xTitle = xTitle;
    this.yTitle = yTitle;
    this.categories = List.copyOf(categories);
  }

  /**
   * Adds a series: one bar in every category.
   *
   * @param name the legend's label
   * @param values one value per category, in order; NaN where there is none
   * @return this chart
   * @throws IllegalArgumentException if there is not one value per category
   */
  public BarChart series(String name, List<Double> values) {
    if (values.size() != categories.size()) {
      throw new IllegalArgumentException(name + ": " + values.size() + " values for "
          + categories.size() + " categories");
    }
    series.put(name, List.copyOf(values));
    return this;
  }

  /**
   * Draws the value axis on a logarithmic scale: for values that span decades (p50 to p99.9,
   * a silent scan against a closed one).
   *
   * @return this chart
   */
  public BarChart logarithmic() {
    this.logarithmic = true;
    return this;
  }

  /**
   * Writes the chart.
   *
   * @param png the file, ending in {@code .png}
   * @throws IOException if it cannot be written
   * @throws IllegalStateException if no category has a value to draw
   */
  public void write(Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < categories.size(); i++) {
      if (!logarithmic || drawable(i)) {
        kept.add(i);
      }
    }
    if (kept.isEmpty() || series.isEmpty()) {
      throw new IllegalStateException("nothing to draw in '" + title + "'");
    }
    CategoryChart c = new CategoryChartBuilder().width(1000).height(560).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    c.getStyler().setLabelsVisible(false);
    c.getStyler().setToolTipsEnabled(false);
    if (categories.size() > 4) {
      // Long contender names would run into each other.
      c.getStyler().setXAxisLabelRotation(20);
    }
    List<String> xs = new ArrayList<>();
    kept.forEach(i -> xs.add(categories.get(i)));
    if (logarithmic) {
      // Bars grow from the axis' minimum, which XChart puts at 0 unless told: a decade below
      // the smallest value.
      double min = Double.MAX_VALUE;
      for (List<Double> values : series.values()) {
        for (int i : kept) {
          min = Math.min(min, values.get(i));
        }
      }
      c.getStyler().setYAxisLogarithmic(true);
      c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
    }
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      List<Double> ys = new ArrayList<>();
      for (int i : kept) {
        double v = e.getValue().get(i);
        ys.add(Double.isFinite(v) && v > 0 ? v : 0);
      }
      c.addSeries(e.getKey(), xs, ys);
    }
    // XChart adds the extension only when the name lacks it.
    BitmapEncoder.saveBitmap(c, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private boolean drawable(int category) {
    for (List<Double> values : series.values()) {
      double v = values.get(category);
      if (!Double.isFinite(v) || v <= 0) {
        return false;
      }
    }
    return true;
  }
}
