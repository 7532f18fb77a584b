package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import java.util.List;

/** Builds nodes whose connections run through byte-transform stages (see {@link ByteStage}), for tests. */
public final class StagedNodes {

  private StagedNodes() {}

  /**
   * The node {@code builder} builds, with {@code stages} applied to every connection, in order
   * from the transport. Not started. Its {@code toBuilder()} builds nodes without the stages.
   */
  static PeerNode build(PeerNodeBuilder builder, List<ByteStage.Factory> stages) {
    Node plain = (Node) builder.build();
    return new Node(plain.config().withByteStages(stages), plain::toBuilder);
  }
}
