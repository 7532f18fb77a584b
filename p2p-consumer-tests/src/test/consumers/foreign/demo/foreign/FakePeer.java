package demo.foreign;

import dev.vecino.p2p.Peer;

/** A test double of a peer handle: Peer is sealed, so this must not compile. */
public abstract class FakePeer implements Peer {
}
