/**
 * Vecino core: peer-to-peer messaging on a local network.
 *
 * <p>Start with {@link dev.vecino.p2p.PeerNode#builder()}.
 */
module dev.vecino.p2p {
  requires org.slf4j;
  requires java.management;
  // Optional: the open file descriptor count that bounds a scan's probe window (FdLimit). A
  // runtime without jdk.management (a jlink image) still scans, bounded by the window alone.
  requires static jdk.management;

  exports dev.vecino.p2p;
  exports dev.vecino.p2p.codec;
  exports dev.vecino.p2p.transport;
  exports dev.vecino.p2p.discovery;
  exports dev.vecino.p2p.scan;
}
