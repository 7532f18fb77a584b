package dev.vecino.bench.scan;

import dev.vecino.p2p.scan.ScanOptions;
import dev.vecino.p2p.scan.Targets;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * ScanMain's command line, parsed and checked: every target range is on loopback
 * (127.0.0.0/8, ::1) unless {@code --i-own-this-network} is given, and no host name is looked
 * up without it either (a name means DNS traffic, and could stand for any address).
 *
 * @param targets the target ranges, one benchmark case each, as the user wrote them
 * @param port the TCP port scanned
 * @param peers Vecino nodes started in each loopback range, listening on {@code port}
 * @param silent addresses of each loopback range made silent on {@code port}
 * @param timeout the per-probe timeout
 * @param window the probes in flight
 * @param warmups untimed scans of each range first
 * @param runs timed scans of each range
 * @param out where the chart and the CSV go
 * @param ownNetwork the user owns the network: targets off loopback are allowed
 */
record ScanArgs(List<String> targets, int port, int peers, int silent, Duration timeout,
    int window, int warmups, int runs, Path out, boolean ownNetwork) {

  /** The flag that allows targets off loopback; no documented example or CI run passes it. */
  static final String OWN_NETWORK = "--i-own-this-network";

  static final String USAGE = "usage: ScanMain TARGETS... --port P [--peers N] [--silent N]"
      + " [--timeout 500ms] [--window N] [--warmups N] [--runs N] [--out DIR] [" + OWN_NETWORK
      + "]\n  TARGETS: ranges as Targets.parse takes them, e.g. 127.77.0.0/24 127.77.16.0/20;"
      + " each is one case.\n  Only 127.0.0.0/8 and ::1 may be scanned, unless you own the"
      + " network and say so with " + OWN_NETWORK + ".";

  /**
   * An IPv4 literal, CIDR, dash range or wildcard, or an IPv6 literal (a name never holds a
   * colon): anything else would be a name to look up.
   */
  private static final Pattern LITERAL =
      Pattern.compile("[0-9.*/\\-]+|\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]?");

  /** Most addresses one case may hold: silent hosts cost descriptors, peers threads. */
  static final int MAX_LOCAL = 1_000;

  /**
   * Parses the command line.
   *
   * @param args the arguments
   * @return the checked arguments
   * @throws IllegalArgumentException naming the first bad or refused argument
   */
  static ScanArgs parse(String... args) {
    List<String> targets = new ArrayList<>();
    int port = -1;
    int peers = -1;
    int silent = 0;
    Duration timeout = ScanOptions.DEFAULT_TIMEOUT;
    int window = ScanOptions.DEFAULT_WINDOW;
    int warmups = 1;
    int runs = 3;
    Path out = Path.of("scan-bench");
    boolean own = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--port" -> port = number(a, value(args, ++i), 1, 65_535);
        case "--peers" -> peers = number(a, value(args, ++i), 0, MAX_LOCAL);
        case "--silent" -> silent = number(a, value(args, ++i), 0, MAX_LOCAL);
        case "--timeout" -> timeout = duration(value(args, ++i));
        case "--window" -> window = number(a, value(args, ++i), 1, 65_536);
        case "--warmups" -> warmups = number(a, value(args, ++i), 0, 100);
        case "--runs" -> runs = number(a, value(args, ++i), 1, 100);
        case "--out" -> out = Path.of(value(args, ++i));
        case OWN_NETWORK -> own = true;
        default -> {
          if (a.startsWith("--")) {
            throw new IllegalArgumentException("unknown option: " + a);
          }
          targets.add(a);
        }
      }
    }
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("name the ranges to scan, e.g. 127.77.0.0/24");
    }
    if (port < 0) {
      throw new IllegalArgumentException("--port is required");
    }
    for (String t : targets) {
      checkAllowed(t, own);
    }
    return new ScanArgs(targets, port, peers < 0 ? 1 : peers, silent, timeout, window, warmups,
        runs, out, own);
  }

  /**
   * Parses one target range and checks it may be scanned.
   *
   * @param spec the range as written
   * @param own whether the user owns the network
   * @return the targets
   * @throws IllegalArgumentException if it is malformed, too large, or refused
   */
  static Targets checkAllowed(String spec, boolean own) {
    if (!own) {
      for (String token : spec.trim().split("[,\\s]+")) {
        if (!LITERAL.matcher(token).matches()) {
          throw new IllegalArgumentException("'" + token + "' is a host name: pass addresses"
              + " in 127.0.0.0/8 (names are not looked up unless " + OWN_NETWORK + ")");
        }
      }
    }
    Targets targets = Targets.parse(spec);
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("'" + spec + "' holds no address");
    }
    if (targets.size() > ScanOptions.DEFAULT_MAX_ADDRESSES) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "'%s' holds %,d addresses;"
          + " a case scans at most %,d (a /16)", spec, targets.size(),
          ScanOptions.DEFAULT_MAX_ADDRESSES));
    }
    if (!own) {
      for (Iterator<InetAddress> it = targets.addresses(); it.hasNext(); ) {
        InetAddress a = it.next();
        if (!a.isLoopbackAddress()) {
          throw new IllegalArgumentException(String.format(Locale.ROOT, "refusing to scan %s"
              + " (in '%s'): outside 127.0.0.0/8. Scan only networks you own; if you own this"
              + " one, say so with %s", a.getHostAddress(), spec, OWN_NETWORK));
        }
      }
    }
    return targets;
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static int number(String option, String value, int min, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n < min || n > max) {
        throw new IllegalArgumentException(option + " must be " + min + ".." + max + ": " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number: " + value, e);
    }
  }

  /** {@code 500ms}, {@code 2s} or an ISO-8601 duration ({@code PT0.5S}). */
  private static Duration duration(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      Duration d;
      if (v.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s") && !v.startsWith("pt")) {
        d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      } else {
        d = Duration.parse(value);
      }
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("--timeout must be positive: " + value);
      }
      return d;
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException("--timeout needs a duration like 500ms or 2s: " + value,
          e);
    }
  }
}
