package dev.vecino.p2p.testkit;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Starts nodes on chosen loopback addresses and closes them all at once, for
 * try-with-resources.
 *
 * <p><b>Thread safety:</b> not thread-safe; use from the test thread.
 */
public final class TestNodes implements AutoCloseable {

  private final List<PeerNode> nodes = new ArrayList<>();

  /**
   * Starts a node listening on {@code host:port}.
   *
   * @param host an address literal in 127.0.0.0/8, or {@code 0.0.0.0}
   * @param port the port; 0 for any free one
   * @param name the node's name
   * @return the started node, closed by {@link #close()}
   */
  public PeerNode start(String host, int port, String name) {
    return start(host, port, b -> b.name(name));
  }

  /**
   * Starts a node listening on {@code host:port}, with more settings.
   *
   * @param host an address literal in 127.0.0.0/8, or {@code 0.0.0.0}
   * @param port the port; 0 for any free one
   * @param settings changes the builder (name, group, listeners...)
   * @return the started node, closed by {@link #close()}
   */
  public PeerNode start(String host, int port, UnaryOperator<PeerNodeBuilder> settings) {
    PeerNode node = settings.apply(PeerNode.builder().bindAddress(host).port(port)).build().start();
    nodes.add(node);
    return node;
  }

  /**
   * Returns the nodes started so far.
   *
   * @return an immutable list
   */
  public List<PeerNode> all() {
    return List.copyOf(nodes);
  }

  /** Closes every node, last started first. */
  @Override
  public void close() {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close();
    }
    nodes.clear();
  }
}
