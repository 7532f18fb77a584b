package dev.vecino.p2p;

import java.util.Map;

/**
 * A node's management interface: what a node built with {@link PeerNodeBuilder#jmx(boolean)
 * jmx(true)} registers with the platform MBean server while it runs, as
 * {@code dev.vecino:type=PeerNode,name=<name>,id=<short id>}. Every attribute is read from
 * {@link PeerNode#stats()} when asked, so tools such as JConsole, VisualVM or a JMX exporter
 * see the same numbers; the metric table in {@code docs/metrics.md} lists them all.
 *
 * <pre>{@code
 * PeerNode node = PeerNode.builder().name("ana").jmx(true).build().start();
 * MBeanServer server = ManagementFactory.getPlatformMBeanServer();
 * ObjectName name = new ObjectName("dev.vecino:type=PeerNode,name=ana,id=" + node.identity().id().shortId());
 * PeerNodeMXBean bean = JMX.newMXBeanProxy(server, name, PeerNodeMXBean.class);
 * System.out.println(bean.getConnections() + " peers, " + bean.getRefusals());
 * }</pre>
 *
 * <p>The maps are keyed by {@link DisconnectReason.Kind} name and hold every kind, 0 included;
 * JMX shows them as tables. Counters count from the node's start; they never go down.
 *
 * <p><b>Implementations:</b> the node's own; this interface is public so that
 * {@link javax.management.JMX#newMXBeanProxy} can make a typed proxy of it. Methods may be
 * added in any release.
 *
 * <p><b>Thread safety:</b> every method may be called from any thread.
 */
public interface PeerNodeMXBean {

  /**
   * Returns the node's name.
   *
   * @return the name, as in {@link Identity#name()}
   */
  String getName();

  /**
   * Returns the node's id.
   *
   * @return the full id, as {@link PeerId#toString()} prints it
   */
  String getId();

  /**
   * Returns the node's group.
   *
   * @return the group
   */
  String getGroup();

  /**
   * Returns whether the node runs; see {@link PeerNode#isRunning()}.
   *
   * @return true while running
   */
  boolean isRunning();

  /**
   * Returns the connections in state {@code CONNECTED}: handshake done, peer registered.
   *
   * @return see {@link NodeStats#connections()}
   */
  int getConnections();

  /**
   * Returns the connections opened but not yet through the handshake (scan probes included).
   *
   * @return see {@link NodeStats#handshaking()}
   */
  int getHandshaking();

  /**
   * Returns the inbound TCP connections accepted since start.
   *
   * @return see {@link NodeStats#accepted()}
   */
  long getAccepted();

  /**
   * Returns the handshakes completed since start.
   *
   * @return see {@link NodeStats#established()}
   */
  long getHandshakes();

  /**
   * Returns the connections refused or dropped before or at the handshake, by reason.
   *
   * @return every {@link DisconnectReason.Kind} name with its count
   */
  Map<String, Long> getRefusals();

  /**
   * Returns the peers disconnected since start, by reason.
   *
   * @return every {@link DisconnectReason.Kind} name with its count
   */
  Map<String, Long> getDisconnects();

  /**
   * Returns the messages received.
   *
   * @return see {@link NodeStats#messagesIn()}
   */
  long getMessagesIn();

  /**
   * Returns the messages written.
   *
   * @return see {@link NodeStats#messagesOut()}
   */
  long getMessagesOut();

  /**
   * Returns the bytes received.
   *
   * @return see {@link NodeStats#bytesIn()}
   */
  long getBytesIn();

  /**
   * Returns the bytes written.
   *
   * @return see {@link NodeStats#bytesOut()}
   */
  long getBytesOut();

  /**
   * Returns the bytes queued for all peers, not yet taken by a socket.
   *
   * @return see {@link NodeStats#queuedBytes()}
   */
  long getQueuedBytes();

  /**
   * Returns the scans running now.
   *
   * @return see {@link NodeStats#scansRunning()}
   */
  int getScansRunning();

  /**
   * Returns the scans started since start.
   *
   * @return see {@link NodeStats#scansStarted()}
   */
  long getScansStarted();

  /**
   * Returns the scan probes started since start.
   *
   * @return see {@link NodeStats#probes()}
   */
  long getScanProbes();

  /**
   * Returns the log lines remote parties caused past the node's log budget.
   *
   * @return see {@link NodeStats#logLinesSuppressed()}
   */
  long getLogLinesSuppressed();
}
