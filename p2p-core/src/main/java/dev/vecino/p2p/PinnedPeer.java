package dev.vecino.p2p;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A peer whose key this node has pinned, as the node's peer store keeps it
 * ({@link PeerNode#pinnedPeers()}): pairing accepted it, or {@link PeerNode#trust(String)}
 * pinned it. A pinned key is admitted under pairing without asking anyone, and another key that
 * turns up under its name, or at an address where it was seen, is refused
 * ({@link NotAdmittedException}).
 *
 * @param id the peer's id, derived from its key
 * @param fingerprint its key's fingerprint ({@link NodeKey#fingerprint()})
 * @param name the display name it last showed on a secure connection; empty until it has
 *     connected since it was pinned
 * @param addresses where it was last seen listening, most recent first; empty until it was seen
 * @param firstSeen when it was first seen (or pinned, if that came first)
 * @param lastSeen when it was last seen (or pinned, if never seen)
 */
public record PinnedPeer(PeerId id, String fingerprint, String name, List<InetSocketAddress> addresses,
    Instant firstSeen, Instant lastSeen) {

  /**
   * Validates the components and copies the addresses.
   *
   * @param id see the record component
   * @param fingerprint see the record component
   * @param name see the record component
   * @param addresses see the record component
   * @param firstSeen see the record component
   * @param lastSeen see the record component
   */
  public PinnedPeer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(name, "name");
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(firstSeen, "firstSeen");
    Objects.requireNonNull(lastSeen, "lastSeen");
  }
}
