package dev.vecino.examples.scan;

import dev.vecino.examples.cli.Text;
import java.util.Locale;

/**
 * Renders scan progress as {@code [########............]  40% 102/254, 1 peer}: a live bar on a
 * terminal (redrawn in place), or occasional plain lines elsewhere.
 *
 * <p><b>Thread safety:</b> stateless.
 */
public final class ProgressBar {

  private ProgressBar() {}

  /**
   * Renders one state of the bar.
   *
   * @param done targets probed so far
   * @param total targets in all (0 when unknown yet)
   * @param peers peers found so far
   * @param width the bar's inner width in characters
   * @return the line, without terminator
   */
  public static String render(long done, long total, int peers, int width) {
    int percent = percent(done, total);
    int filled = total <= 0 ? 0 : (int) Math.min(width, done * width / total);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "] "
        + String.format(Locale.ROOT, "%3d%%", percent) + " " + done + "/" + total + ", "
        + Text.plural("scan.peers", peers);
  }

  /**
   * Returns the percentage done, 0 to 100, never 100 before the end.
   *
   * @param done probed so far
   * @param total in all
   * @return the percentage
   */
  public static int percent(long done, long total) {
    if (total <= 0) {
      return 0;
    }
    if (done >= total) {
      return 100;
    }
    return (int) Math.min(99, done * 100 / total);
  }
}
