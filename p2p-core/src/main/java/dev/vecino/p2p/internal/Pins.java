package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.NodeKey;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PinnedPeer;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's pinned keys (issue 16): what {@code PeerNode.pinnedPeers()}, {@code trust} and
 * {@code untrust} show and change, and the pinned-name check of a secure connection's HELLO
 * ({@link #checkName}). The pins themselves live in the node's {@link PeerStore}, with the
 * addresses each pinned peer was last seen at and the name it last showed.
 *
 * <p><b>Which nodes check names:</b> every secure node whose store holds pins, whatever its
 * admission policy, as the admission checks pinned addresses. Pins come only from pairing and
 * {@code trust}, so an open node that never paired nor trusted has none, and its peers are free
 * to call themselves anything and to rename; a node that did pin a key keeps that key's name
 * for it, also in a later run without pairing (a person who paired with "bob" once still takes
 * "bob" for that key). Plaintext connections prove no key and are not checked.
 *
 * <p><b>Thread safety:</b> no state of its own; the store's lock makes each check-and-record
 * one step. Any thread; {@link #checkName} runs on the connection's I/O thread.
 */
final class Pins {

  private static final Logger log = LoggerFactory.getLogger(Pins.class);
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private final Node node;

  Pins(Node node) {
    this.node = node;
  }

  private PeerStore store() {
    return node.discovery().store();
  }

  /** The pinned peers, most recently seen first. */
  List<PinnedPeer> list() {
    return store().entries().stream().filter(PeerStore.Entry::pinned).map(Pins::pinned).toList();
  }

  /** Pins a key by fingerprint; see {@code PeerNode.trust}. */
  PinnedPeer trust(String fingerprint) {
    String fp = NodeKey.parseFingerprint(Objects.requireNonNull(fingerprint, "fingerprint"));
    if (node.config().tls() == null) {
      throw new IllegalStateException("node " + node.logName() + " is plaintext: it checks no keys, so it pins none");
    }
    if (node.identity().key().map(k -> k.fingerprint().equals(fp)).orElse(false)) {
      throw new IllegalArgumentException("fingerprint " + fp + " is this node's own key");
    }
    PeerId id = idOf(fp);
    PeerStore s = store();
    Optional<PeerStore.Entry> had = s.get(id).filter(e -> e.pinned() && fp.equals(e.fingerprint()));
    if (had.isPresent()) {
      return pinned(had.get());
    }
    Instant now = Instant.now();
    s.pin(id, fp, now);
    log.info("{}: pinned key {} (id {})", node.logName(), fp, id.shortId());
    // A peer connected with that key right now: its name is pinned with it (unless another key holds the name).
    node.peer(id).ifPresent(p -> s.claimName(id, p.name(), null, now));
    return pinned(s.get(id).orElseThrow());
  }

  /** Unpins a key by fingerprint or id prefix, and disconnects its peer; see {@code PeerNode.untrust}. */
  Optional<PinnedPeer> untrust(String fingerprintOrId) {
    String t = Objects.requireNonNull(fingerprintOrId, "fingerprintOrId").strip();
    PeerId id;
    if (t.length() <= 32 && !t.isEmpty() && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      if (t.length() < 4) {
        throw new IllegalArgumentException("an id prefix needs at least 4 hex digits: '" + t + "'");
      }
      String prefix = t.toLowerCase(Locale.ROOT);
      List<PeerStore.Entry> matches = store().entries().stream()
          .filter(e -> e.pinned() && e.id().toString().startsWith(prefix)).toList();
      if (matches.size() > 1) {
        throw new IllegalArgumentException("id prefix '" + t + "' matches " + matches.size() + " pinned peers: "
            + String.join(", ", matches.stream().map(e -> e.id().shortId()
                + (e.name() == null ? "" : " (" + Names.printable(e.name()) + ")")).toList()));
      }
      if (matches.isEmpty()) {
        return Optional.empty();
      }
      id = matches.get(0).id();
    } else {
      id = idOf(NodeKey.parseFingerprint(t));
    }
    Optional<PeerStore.Entry> removed = store().unpin(id);
    if (removed.isEmpty()) {
      return Optional.empty();
    }
    PeerStore.Entry e = removed.get();
    log.info("{}: unpinned key {} (id {})", node.logName(), e.fingerprint(), e.id().shortId());
    node.peer(e.id()).ifPresent(p -> node.disconnect(p, "key no longer trusted"));
    store().save();
    return Optional.of(pinned(e));
  }

  /**
   * Checks the name in a secure connection's HELLO against the pins, and records it for a pinned
   * key (pinning the key first when a pairing was just accepted, so a key whose name turns out to
   * be taken is not pinned): a name pinned to another key refuses the connection, loudly, with
   * a text that reads the same on both sides. I/O thread.
   *
   * @param c the connection
   * @param hello the peer's HELLO, whose id its key proved
   * @param pairedFingerprint the peer's fingerprint if pairing just accepted it, else null
   * @return the refusal, or null
   */
  DisconnectReason checkName(Connection c, Hello hello, String pairedFingerprint) {
    Optional<PeerStore.Entry> holder;
    try {
      holder = store().claimName(hello.id(), hello.name(), pairedFingerprint, Instant.now());
    } catch (UncheckedIOException e) {
      log.warn("{}: cannot save the peer store: {} (the pin holds until the node closes)", node.logName(),
          e.getMessage());
      return null;
    }
    if (holder.isEmpty()) {
      return null;
    }
    PeerStore.Entry e = holder.get();
    String theirs = NodeKey.fingerprintOf(c.tls().peerCertificate().getPublicKey());
    String name = Names.printable(hello.name());
    node.logBudget.log(LogBudget.Topic.REFUSED_CLAIM, "{}: '{}' at {} shows key {}, but that name is pinned to key "
        + "{} (id {}): refused", node.logName(), name, Node.format(c.remoteAddress()), theirs, e.fingerprint(),
        e.id().shortId());
    boolean acceptor = c.direction == Direction.INBOUND;
    String acceptorAt = Node.format(acceptor ? c.tls().localAddress() : c.remoteAddress());
    String initiatorAt = Node.format(acceptor ? c.remoteAddress() : c.tls().localAddress());
    String them = acceptor ? "initiator " + initiatorAt : "acceptor " + acceptorAt;
    String us = acceptor ? "acceptor " + acceptorAt : "initiator " + initiatorAt;
    return DisconnectReason.of(Kind.NOT_ADMITTED, "the " + them + " is named '" + name + "' and has key " + theirs
        + ", but the " + us + " has that name pinned to key " + e.fingerprint() + " (if that node was reinstalled, "
        + "untrust its old key there first)");
  }

  private static PinnedPeer pinned(PeerStore.Entry e) {
    return new PinnedPeer(e.id(), e.fingerprint(), e.name() == null ? "" : e.name(), e.addresses(), e.firstSeen(),
        e.lastSeen());
  }

  /**
   * The id of the key a canonical fingerprint shows: the first 16 of the 32 bytes, read from the
   * base32 without its four check characters (docs/security.md, "Fingerprint format").
   */
  static PeerId idOf(String fingerprint) {
    String s = fingerprint.replace("-", "");
    StringBuilder base32 = new StringBuilder(52);
    for (int q = 0; q < 4; q++) {
      base32.append(s, q * 14, q * 14 + 13);
    }
    byte[] digest = new byte[32];
    int buffer = 0;
    int bits = 0;
    int n = 0;
    for (int i = 0; i < base32.length() && n < digest.length; i++) {
      buffer = buffer << 5 | BASE32.indexOf(base32.charAt(i));
      bits += 5;
      if (bits >= 8) {
        digest[n++] = (byte) (buffer >>> (bits - 8));
        bits -= 8;
      }
    }
    long high = 0;
    long low = 0;
    for (int i = 0; i < 8; i++) {
      high = high << 8 | (digest[i] & 0xff);
      low = low << 8 | (digest[i + 8] & 0xff);
    }
    return new PeerId(high, low);
  }
}
