package dev.vecino.p2p.scan;

import dev.vecino.p2p.scan.Targets;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How a scan probes: politeness (window, rate, timeout), what happens to the peers it finds,
 * exclusions, the size guard and periodic re-scans. Build with {@link #builder()}.
 *
 * <table>
 *   <caption>Options and defaults</caption>
 *   <tr><th>option</th><th>default</th></tr>
 *   <tr><td>{@link Builder#window(int)}</td><td>256 probes in flight (bounded by free file descriptors)</td></tr>
 *   <tr><td>{@link Builder#timeout(Duration)}</td><td>500 ms per connect, and again for the HELLO</td></tr>
 *   <tr><td>{@link Builder#adaptiveTimeout(boolean)}</td><td>off</td></tr>
 *   <tr><td>{@link Builder#ratePerSecond(int)}</td><td>0 (no limit)</td></tr>
 *   <tr><td>{@link Builder#autoConnect(boolean)}</td><td>true</td></tr>
 *   <tr><td>{@link Builder#exclude(Targets)}</td><td>nothing</td></tr>
 *   <tr><td>{@link Builder#maxAddresses(long)}</td><td>65,536</td></tr>
 *   <tr><td>{@link Builder#rescanEvery(Duration)}</td><td>off</td></tr>
 *   <tr><td>{@link Builder#listener(ScanListener)}</td><td>none</td></tr>
 *   <tr><td>{@link Builder#stages(Set)}</td><td>every {@link DiscoveryStage} ({@code discover()} only)</td></tr>
 *   <tr><td>{@link Builder#beaconWindow(Duration)}</td><td>1.5 s ({@code discover()} only)</td></tr>
 * </table>
 *
 * <pre>{@code
 * ScanOptions polite = ScanOptions.builder()
 *     .window(64)                        // at most 64 probes in flight
 *     .ratePerSecond(500)                // and at most 500 new ones a second
 *     .timeout(Duration.ofMillis(300))
 *     .autoConnect(false)                // only look: connect to the peers later
 *     .exclude(Targets.parse("127.0.0.1"))
 *     .listener(new ScanListener() { @Override public void onFound(ScanResult r) { System.out.println(r); } })
 *     .build();
 * ScanReport report = node.scan(Targets.parse("127.0.0.0/24"), Ports.of(9999), polite).report().join();
 * }</pre>
 *
 * <p><b>Thread safety:</b> immutable.
 */
public final class ScanOptions {

  /** The default number of probes in flight. */
  public static final int DEFAULT_WINDOW = 256;
  /** The default per-probe timeout, as in the program Vecino grew from. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
  /** The default limit on the number of addresses in one scan. */
  public static final long DEFAULT_MAX_ADDRESSES = 65_536;
  /** How long the beacon stage of {@code discover()} listens for answers by default. */
  public static final Duration DEFAULT_BEACON_WINDOW = Duration.ofMillis(1500);

  private static final ScanListener NO_LISTENER = new ScanListener() {};
  /** Declared after {@link #NO_LISTENER}, which the builder reads. */
  private static final ScanOptions DEFAULTS = new Builder().build();

  private final int window;
  private final Duration timeout;
  private final boolean adaptiveTimeout;
  private final int ratePerSecond;
  private final boolean autoConnect;
  private final Targets exclude;
  private final long maxAddresses;
  private final Duration rescanEvery;
  private final ScanListener listener;
  private final Set<DiscoveryStage> stages;
  private final Duration beaconWindow;

  private ScanOptions(Builder b) {
    this.window = b.window;
    this.timeout = b.timeout;
    this.adaptiveTimeout = b.adaptiveTimeout;
    this.ratePerSecond = b.ratePerSecond;
    this.autoConnect = b.autoConnect;
    this.exclude = b.exclude;
    this.maxAddresses = b.maxAddresses;
    this.rescanEvery = b.rescanEvery;
    this.listener = b.listener;
    this.stages = Collections.unmodifiableSet(EnumSet.copyOf(b.stages));
    this.beaconWindow = b.beaconWindow;
  }

  /**
   * Returns the options with every default.
   *
   * @return the defaults
   */
  public static ScanOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a builder with every option at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding these options.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.window = window;
    b.timeout = timeout;
    b.adaptiveTimeout = adaptiveTimeout;
    b.ratePerSecond = ratePerSecond;
    b.autoConnect = autoConnect;
    b.exclude = exclude;
    b.maxAddresses = maxAddresses;
    b.rescanEvery = rescanEvery;
    b.listener = listener;
    b.stages = EnumSet.copyOf(stages);
    b.beaconWindow = beaconWindow;
    return b;
  }

  /**
   * Returns the largest number of probes in flight.
   *
   * @return the window
   */
  public int window() {
    return window;
  }

  /**
   * Returns the per-probe timeout: for the TCP connect, and again for the HELLO.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Returns whether the connect timeout shrinks to what measured round-trip times suggest.
   *
   * @return true if adaptive
   */
  public boolean adaptiveTimeout() {
    return adaptiveTimeout;
  }

  /**
   * Returns the largest number of probes started per second; 0 for no limit.
   *
   * @return the rate
   */
  public int ratePerSecond() {
    return ratePerSecond;
  }

  /**
   * Returns whether a probe that verifies a new peer becomes its connection.
   *
   * @return true to connect to found peers
   */
  public boolean autoConnect() {
    return autoConnect;
  }

  /**
   * Returns the addresses never probed.
   *
   * @return the exclusions, possibly empty
   */
  public Targets exclude() {
    return exclude;
  }

  /**
   * Returns the largest number of addresses a scan may cover.
   *
   * @return the limit
   */
  public long maxAddresses() {
    return maxAddresses;
  }

  /**
   * Returns the pause between the end of a round and the start of the next, if periodic.
   *
   * @return the interval, or empty for a single round
   */
  public Optional<Duration> rescanEvery() {
    return Optional.ofNullable(rescanEvery);
  }

  /**
   * Returns the listener.
   *
   * @return the listener; a no-op one when none was set
   */
  public ScanListener listener() {
    return listener;
  }

  /**
   * Returns the stages {@code discover()} runs; scans of explicit targets ignore it.
   *
   * @return an unmodifiable set, never empty
   */
  public Set<DiscoveryStage> stages() {
    return stages;
  }

  /**
   * Returns how long the beacon stage of {@code discover()} listens for answers.
   *
   * @return the window
   */
  public Duration beaconWindow() {
    return beaconWindow;
  }

  @Override
  public String toString() {
    return "ScanOptions{window=" + window + ", timeout=" + timeout.toMillis() + "ms"
        + (adaptiveTimeout ? " adaptive" : "") + ", rate=" + (ratePerSecond == 0 ? "unlimited" : ratePerSecond + "/s")
        + ", autoConnect=" + autoConnect + ", maxAddresses=" + maxAddresses
        + (rescanEvery != null ? ", rescanEvery=" + rescanEvery : "") + "}";
  }

  /**
   * Builds {@link ScanOptions}; see the table there for defaults.
   *
   * <p><b>Thread safety:</b> not thread-safe; use from one thread.
   */
  public static final class Builder {
    private int window = DEFAULT_WINDOW;
    private Duration timeout = DEFAULT_TIMEOUT;
    private boolean adaptiveTimeout;
    private int ratePerSecond;
    private boolean autoConnect = true;
    private Targets exclude = Targets.none();
    private long maxAddresses = DEFAULT_MAX_ADDRESSES;
    private Duration rescanEvery;
    private ScanListener listener = NO_LISTENER;
    private Set<DiscoveryStage> stages = EnumSet.allOf(DiscoveryStage.class);
    private Duration beaconWindow = DEFAULT_BEACON_WINDOW;

    private Builder() {}

    /**
     * Sets the stages {@code discover()} runs together (default: all). Scans of explicit
     * targets ignore it.
     *
     * @param stages at least one
     * @return this builder
     */
    public Builder stages(Set<DiscoveryStage> stages) {
      this.stages = EnumSet.noneOf(DiscoveryStage.class);
      this.stages.addAll(Objects.requireNonNull(stages, "stages"));
      return this;
    }

    /**
     * Sets how long the beacon stage listens for answers (it sends three beacons in its first
     * 0.7 s or so).
     *
     * @param window 100 ms to one minute
     * @return this builder
     */
    public Builder beaconWindow(Duration window) {
      this.beaconWindow = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * Sets the largest number of probes in flight. The scan lowers it further if the process
     * is short of file descriptors.
     *
     * @param window 1..65,536
     * @return this builder
     */
    public Builder window(int window) {
      this.window = window;
      return this;
    }

    /**
     * Sets the per-probe timeout.
     *
     * @param timeout positive, at most one minute
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Lets the connect timeout shrink, as nmap does, to the smoothed round-trip time plus four
     * deviations once enough connects were measured (never below 50 ms or a tenth of the
     * timeout, never above the timeout).
     *
     * @param adaptive true to adapt
     * @return this builder
     */
    public Builder adaptiveTimeout(boolean adaptive) {
      this.adaptiveTimeout = adaptive;
      return this;
    }

    /**
     * Limits how many probes start per second.
     *
     * @param probesPerSecond 0 for no limit, else 1..1,000,000
     * @return this builder
     */
    public Builder ratePerSecond(int probesPerSecond) {
      this.ratePerSecond = probesPerSecond;
      return this;
    }

    /**
     * Sets whether a probe that verifies a new peer becomes that peer's connection (no second
     * connection is opened). When off, a probe that received a HELLO answers BYE and closes.
     *
     * @param autoConnect true to connect
     * @return this builder
     */
    public Builder autoConnect(boolean autoConnect) {
      this.autoConnect = autoConnect;
      return this;
    }

    /**
     * Sets addresses never to probe ({@code --exclude}).
     *
     * @param excluded the addresses
     * @return this builder
     */
    public Builder exclude(Targets excluded) {
      this.exclude = Objects.requireNonNull(excluded, "excluded");
      return this;
    }

    /**
     * Sets the guard: a scan covering more addresses is refused.
     *
     * @param max at least 1
     * @return this builder
     */
    public Builder maxAddresses(long max) {
      this.maxAddresses = max;
      return this;
    }

    /**
     * Makes the scan periodic: each round starts this long after the previous one ended,
     * until {@link ScanHandle#cancel()} or the node closes.
     *
     * @param interval positive, or null for a single round (the default)
     * @return this builder
     */
    public Builder rescanEvery(Duration interval) {
      this.rescanEvery = interval;
      return this;
    }

    /**
     * Sets the listener.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(ScanListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the options
     * @throws IllegalArgumentException naming the first invalid option
     */
    public ScanOptions build() {
      if (window < 1 || window > 65_536) {
        throw new IllegalArgumentException("window must be 1..65536: " + window);
      }
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("timeout must be positive and at most one minute: " + timeout);
      }
      if (ratePerSecond < 0 || ratePerSecond > 1_000_000) {
        throw new IllegalArgumentException("ratePerSecond must be 0..1000000: " + ratePerSecond);
      }
      if (maxAddresses < 1) {
        throw new IllegalArgumentException("maxAddresses must be at least 1: " + maxAddresses);
      }
      if (stages.isEmpty()) {
        throw new IllegalArgumentException("stages must name at least one stage");
      }
      if (beaconWindow.toMillis() < 100 || beaconWindow.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("beaconWindow must be 100 ms to one minute: " + beaconWindow);
      }
      if (rescanEvery != null && (rescanEvery.isNegative() || rescanEvery.isZero())) {
        throw new IllegalArgumentException("rescanEvery must be positive: " + rescanEvery);
      }
      return new ScanOptions(this);
    }
  }
}
