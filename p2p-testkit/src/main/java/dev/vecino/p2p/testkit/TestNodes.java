package dev.vecino.p2p.testkit;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Starts nodes on chosen loopback addresses and closes them all at once, for
 * try-with-resources. Nodes are secure (TLS), as by default, unless made by {@link
 * #plaintext()}: then every node is built with {@code plaintext(true)} (protocol 1), for tests
 * that speak the protocol's bytes in clear or choose ids.
 *
 * <p><b>Thread safety:</b> not thread-safe; use from the test thread.
 */
public final class TestNodes implements AutoCloseable {

  private final List<PeerNode> nodes = new ArrayList<>();
  private final boolean plaintext;

  /** Starts secure nodes, as {@link PeerNode#builder()} makes them. */
  public TestNodes() {
    this(false);
  }

  private TestNodes(boolean plaintext) {
    this.plaintext = plaintext;
  }

  /**
   * Returns a set whose nodes are all plaintext ({@code plaintext(true)}, protocol 1), before
   * the test's own settings apply.
   *
   * @return an empty set of plaintext nodes
   */
  public static TestNodes plaintext() {
    return new TestNodes(true);
  }

  /**
   * Whether this set's nodes are plaintext.
   *
   * @return true for a set made by {@link #plaintext()}
   */
  public boolean isPlaintext() {
    return plaintext;
  }

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
    PeerNode node = settings.apply(PeerNode.builder().plaintext(plaintext).bindAddress(host).port(port)).build().start();
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
