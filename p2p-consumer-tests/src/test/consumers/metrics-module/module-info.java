/** A user's application as a named module that publishes a node's metrics through Micrometer and JMX. */
module demo.metrics {
  requires dev.vecino.p2p.micrometer;
  requires java.management;
}
