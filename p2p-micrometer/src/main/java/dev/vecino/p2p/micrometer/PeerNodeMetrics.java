package dev.vecino.p2p.micrometer;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.NodeStats;
import dev.vecino.p2p.PeerNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes a {@link PeerNode}'s counters ({@link PeerNode#stats()}) as Micrometer meters named
 * {@code vecino.*}, each tagged {@code node} (the node's name) and {@code node.id} (its short
 * id), plus the tags given here; refusals and disconnects are also tagged {@code reason} (a
 * {@link Kind} name in lower case, e.g. {@code limit_exceeded}), with one meter per reason.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();   // or Prometheus, OTLP, ...
 * PeerNode node = PeerNode.builder().name("ana").build().start();
 * new PeerNodeMetrics(node).bindTo(registry);
 * // later: registry.get("vecino.connections").tag("state", "connected").gauge().value()
 * }</pre>
 *
 * <table>
 *   <caption>Meters (every one also tagged node and node.id)</caption>
 *   <tr><th>name</th><th>type</th><th>unit</th><th>tags</th></tr>
 *   <tr><td>vecino.connections</td><td>gauge</td><td>connections</td>
 *       <td>state: connected, handshaking</td></tr>
 *   <tr><td>vecino.connections.accepted</td><td>counter</td><td>connections</td><td></td></tr>
 *   <tr><td>vecino.handshakes</td><td>counter</td><td>handshakes</td><td></td></tr>
 *   <tr><td>vecino.refusals</td><td>counter</td><td>connections</td><td>reason</td></tr>
 *   <tr><td>vecino.disconnects</td><td>counter</td><td>peers</td><td>reason</td></tr>
 *   <tr><td>vecino.messages.in</td><td>counter</td><td>messages</td><td></td></tr>
 *   <tr><td>vecino.messages.out</td><td>counter</td><td>messages</td><td></td></tr>
 *   <tr><td>vecino.bytes.in</td><td>counter</td><td>bytes</td><td></td></tr>
 *   <tr><td>vecino.bytes.out</td><td>counter</td><td>bytes</td><td></td></tr>
 *   <tr><td>vecino.queued.bytes</td><td>gauge</td><td>bytes</td><td></td></tr>
 *   <tr><td>vecino.scans.running</td><td>gauge</td><td>scans</td><td></td></tr>
 *   <tr><td>vecino.scans.started</td><td>counter</td><td>scans</td><td></td></tr>
 *   <tr><td>vecino.scan.probes</td><td>counter</td><td>probes</td><td></td></tr>
 *   <tr><td>vecino.log.lines.suppressed</td><td>counter</td><td>lines</td><td></td></tr>
 * </table>
 *
 * <p>The meters read one stats snapshot per {@value #SNAPSHOT_MILLIS} ms at most, so a scrape
 * of all of them costs one {@code stats()} call, not one per meter. They hold the node weakly,
 * as Micrometer's own binders hold what they observe: a node that is closed and dropped can be
 * collected; its meters then read {@code NaN}. Bind each node once per registry.
 *
 * <p><b>Thread safety:</b> {@link #bindTo} may be called from any thread; the meters are read
 * on the registry's threads, any number at once.
 */
public final class PeerNodeMetrics implements MeterBinder {

  /** How long one stats snapshot serves the meters. */
  public static final long SNAPSHOT_MILLIS = 100;

  private final PeerNode node;
  private final Tags tags;
  private final Snapshots snapshots = new Snapshots();

  /**
   * Binds {@code node}'s meters with the node tags only.
   *
   * @param node the node; it need not be started yet
   */
  public PeerNodeMetrics(PeerNode node) {
    this(node, Tags.empty());
  }

  /**
   * Binds {@code node}'s meters with extra tags, e.g. {@code Tags.of("app", "chat")}.
   *
   * @param node the node; it need not be started yet
   * @param tags tags added to every meter
   */
  public PeerNodeMetrics(PeerNode node, Iterable<Tag> tags) {
    this.node = Objects.requireNonNull(node, "node");
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"))
        .and("node", node.identity().name(), "node.id", node.identity().id().shortId());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    gauge(registry, "vecino.connections", "connections", "connections through the handshake",
        Tags.of("state", "connected"), s -> s.connections());
    gauge(registry, "vecino.connections", "connections", "connections opened, not yet through the handshake",
        Tags.of("state", "handshaking"), s -> s.handshaking());
    counter(registry, "vecino.connections.accepted", "connections", "inbound TCP connections accepted",
        Tags.empty(), NodeStats::accepted);
    counter(registry, "vecino.handshakes", "handshakes", "handshakes completed", Tags.empty(),
        NodeStats::established);
    for (Kind kind : Kind.values()) {
      Tags reason = Tags.of("reason", kind.name().toLowerCase(Locale.ROOT));
      counter(registry, "vecino.refusals", "connections", "connections refused or dropped before or at the handshake",
          reason, s -> s.rejected(kind));
      counter(registry, "vecino.disconnects", "peers", "peers disconnected", reason, s -> s.disconnected(kind));
    }
    counter(registry, "vecino.messages.in", "messages", "messages received", Tags.empty(), NodeStats::messagesIn);
    counter(registry, "vecino.messages.out", "messages", "messages written", Tags.empty(), NodeStats::messagesOut);
    counter(registry, "vecino.bytes.in", BaseUnits.BYTES, "bytes received", Tags.empty(), NodeStats::bytesIn);
    counter(registry, "vecino.bytes.out", BaseUnits.BYTES, "bytes written", Tags.empty(), NodeStats::bytesOut);
    gauge(registry, "vecino.queued.bytes", BaseUnits.BYTES, "bytes queued for peers, not yet taken by a socket",
        Tags.empty(), NodeStats::queuedBytes);
    gauge(registry, "vecino.scans.running", "scans", "scans running", Tags.empty(), s -> s.scansRunning());
    counter(registry, "vecino.scans.started", "scans", "scans started", Tags.empty(), NodeStats::scansStarted);
    counter(registry, "vecino.scan.probes", "probes", "scan probes started", Tags.empty(), NodeStats::probes);
    counter(registry, "vecino.log.lines.suppressed", "lines", "log lines remote parties caused past the log budget",
        Tags.empty(), NodeStats::logLinesSuppressed);
  }

  private void gauge(MeterRegistry registry, String name, String unit, String description, Tags extra,
      ToDoubleFunction<NodeStats> value) {
    Snapshots s = snapshots;
    Gauge.builder(name, node, n -> value.applyAsDouble(s.of(n)))
        .tags(tags.and(extra)).baseUnit(unit).description(description).register(registry);
  }

  private void counter(MeterRegistry registry, String name, String unit, String description, Tags extra,
      ToDoubleFunction<NodeStats> value) {
    Snapshots s = snapshots;
    FunctionCounter.builder(name, node, n -> value.applyAsDouble(s.of(n)))
        .tags(tags.and(extra)).baseUnit(unit).description(description).register(registry);
  }

  /**
   * The last stats snapshot, taken again when older than {@link #SNAPSHOT_MILLIS}. Holds no
   * reference to the node. Racing readers may each take one; any of them is a valid snapshot.
   */
  private static final class Snapshots {
    private static final long MAX_AGE_NANOS = TimeUnit.MILLISECONDS.toNanos(SNAPSHOT_MILLIS);

    private volatile Taken last;

    NodeStats of(PeerNode node) {
      Taken t = last;
      long now = System.nanoTime();
      if (t == null || now - t.nanos > MAX_AGE_NANOS) {
        t = new Taken(node.stats(), now);
        last = t;
      }
      return t.stats;
    }

    private record Taken(NodeStats stats, long nanos) {}
  }
}
