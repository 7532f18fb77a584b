package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.NodeStats;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's {@link PeerNodeMXBean} (builder option {@code jmx(true)}): registered with the
 * platform MBean server by {@link #register}, at the end of the node's start, and removed by
 * {@link #unregister} when the node stops (close, failure, or a start that failed). Every
 * attribute reads {@link PeerNode#stats()}.
 *
 * <p><b>Thread safety:</b> the attributes are read on JMX threads, any number at once: they
 * only take stats snapshots. {@link #register} and {@link #unregister} are called by the node's
 * {@link Lifecycle}, which runs start and stop once each; {@code registered} is volatile
 * because the failure thread may be the one that unregisters.
 */
final class NodeJmx implements PeerNodeMXBean {

  private static final Logger log = LoggerFactory.getLogger(NodeJmx.class);
  /** Characters an unquoted object name value may not hold ({@link ObjectName}'s grammar). */
  private static final Pattern RESERVED = Pattern.compile("[,=:\"*?\\\\\\n]");

  private final PeerNode node;
  private final String logName;
  private final ObjectName name;
  private volatile boolean registered;

  NodeJmx(PeerNode node, String logName) {
    this.node = node;
    this.logName = logName;
    this.name = objectName(node.identity().name(), node.identity().id().shortId());
  }

  /**
   * The node's object name: {@code dev.vecino:type=PeerNode,name=<name>,id=<short id>}, the
   * name quoted when it holds a character an unquoted value may not.
   */
  static ObjectName objectName(String nodeName, String shortId) {
    String value = RESERVED.matcher(nodeName).find() || nodeName.isEmpty() ? ObjectName.quote(nodeName) : nodeName;
    try {
      return new ObjectName("dev.vecino:type=PeerNode,name=" + value + ",id=" + shortId);
    } catch (MalformedObjectNameException e) {
      // Quoting makes any string a valid value; the id is hex.
      throw new IllegalStateException("cannot make an object name for node " + nodeName, e);
    }
  }

  ObjectName name() {
    return name;
  }

  /** Registers the MXBean; a name already taken (two nodes with one id) is logged, not thrown. */
  void register() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    try {
      server.registerMBean(this, name);
      registered = true;
      log.debug("{}: registered MXBean {}", logName, name);
    } catch (InstanceAlreadyExistsException e) {
      log.warn("{}: MXBean {} is already registered (another node with this id?); running without it",
          logName, name);
    } catch (JMException e) {
      log.warn("{}: cannot register MXBean {}; running without it", logName, name, e);
    }
  }

  /** Removes the MXBean, if this node registered it. Idempotent. */
  void unregister() {
    if (!registered) {
      return;
    }
    registered = false;
    try {
      ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
    } catch (InstanceNotFoundException e) {
      // Someone else unregistered it already: nothing left to remove.
      log.debug("{}: MXBean {} was already unregistered", logName, name);
    } catch (JMException e) {
      log.warn("{}: cannot unregister MXBean {}", logName, name, e);
    }
  }

  private static Map<String, Long> byKind(Function<Kind, Long> count) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (Kind k : Kind.values()) {
      m.put(k.name(), count.apply(k));
    }
    return m;
  }

  @Override
  public String getName() {
    return node.identity().name();
  }

  @Override
  public String getId() {
    return node.identity().id().toString();
  }

  @Override
  public String getGroup() {
    return node.group();
  }

  @Override
  public boolean isRunning() {
    return node.isRunning();
  }

  @Override
  public int getConnections() {
    return node.stats().connections();
  }

  @Override
  public int getHandshaking() {
    return node.stats().handshaking();
  }

  @Override
  public long getAccepted() {
    return node.stats().accepted();
  }

  @Override
  public long getHandshakes() {
    return node.stats().established();
  }

  @Override
  public Map<String, Long> getRefusals() {
    NodeStats s = node.stats();
    return byKind(s::rejected);
  }

  @Override
  public Map<String, Long> getDisconnects() {
    NodeStats s = node.stats();
    return byKind(s::disconnected);
  }

  @Override
  public long getMessagesIn() {
    return node.stats().messagesIn();
  }

  @Override
  public long getMessagesOut() {
    return node.stats().messagesOut();
  }

  @Override
  public long getBytesIn() {
    return node.stats().bytesIn();
  }

  @Override
  public long getBytesOut() {
    return node.stats().bytesOut();
  }

  @Override
  public long getQueuedBytes() {
    return node.stats().queuedBytes();
  }

  @Override
  public int getScansRunning() {
    return node.stats().scansRunning();
  }

  @Override
  public long getScansStarted() {
    return node.stats().scansStarted();
  }

  @Override
  public long getScanProbes() {
    return node.stats().probes();
  }

  @Override
  public long getLogLinesSuppressed() {
    return node.stats().logLinesSuppressed();
  }
}
