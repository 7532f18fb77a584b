package dev.vecino.p2p.transport;

/** Creates a node's transport when the node starts. */
@FunctionalInterface
public interface TransportFactory {

  /**
   * Creates a transport for one node.
   *
   * @param config thread naming and sizing
   * @return a new transport, owned by the node, which closes it
   */
  Transport create(TransportConfig config);
}
