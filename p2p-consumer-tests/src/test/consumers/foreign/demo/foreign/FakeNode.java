package demo.foreign;

import dev.vecino.p2p.PeerNode;

/** A test double of a node: PeerNode is sealed, so this must not compile. */
public abstract class FakeNode implements PeerNode {
}
