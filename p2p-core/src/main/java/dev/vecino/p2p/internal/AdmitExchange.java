package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.NodeKey;
import dev.vecino.p2p.PairingHandler;
import dev.vecino.p2p.PairingRequest;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.internal.tls.Pairing;
import dev.vecino.p2p.internal.tls.SharedSecret;
import dev.vecino.p2p.internal.tls.SharedSecret.Role;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A secure connection's admission (docs/PROTOCOL.md 1.9): inside the TLS tunnel, before either
 * HELLO, each side learns whether the other may join, and nothing of the group is revealed to
 * a side that may not.
 *
 * <pre>
 * acceptor                                             initiator
 *   OFFER (flags, nonce_a)                        →     a fully open acceptor's HELLO follows at once
 *                                                 ←     CLAIM (flags, nonce_i, [proof_i], [commit_i])
 *   checks proof_i; ANSWER ([proof_a], [commit_a]) →    checks proof_a
 *   pairing: REVEAL (nonce)                       ⇄     REVEAL (nonce); each side asks its person
 *   VERDICT                                       ⇄     VERDICT; both accept: admitted
 *   then the acceptor's HELLO                     →     then the initiator's; each side pins the
 *                                                       other's key with its name ({@link Pins#checkName})
 * </pre>
 *
 * <p>Both sides first check the other's key against the allowlist, if the node has one. Group
 * secret proofs are {@link SharedSecret#proof} over both nonces and both certificates as this
 * side's TLS session shows them: a proof made for one session verifies on no other, so neither
 * a replay nor a relay with its own key passes; the acceptor proves second. Pairing runs when a
 * side with a {@link PairingHandler} has not pinned the other's key: each side commits to a
 * nonce before either reveals one, so a man in the middle cannot grind keys until the codes
 * match, and the code covers both keys and both nonces ({@link Pairing#code}). A key both
 * people accepted is pinned only once its HELLO passed the pinned-name check
 * ({@link #pairedFingerprint}), so a key that turns out to show another key's pinned name is not
 * pinned. If the connection ends while the person decides, the handler's future is cancelled
 * ({@link #closed}), so the application can take its question down.
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread; a pairing handler's answer is
 * carried back there, and its future cancelled on the callback thread.
 */
final class AdmitExchange {

  static final int OFFER = 1;
  static final int CLAIM = 2;
  static final int ANSWER = 3;
  static final int REVEAL = 4;
  static final int VERDICT = 5;
  /** Flag: this side has a group secret, and admits only nodes that prove it. */
  static final int SECRET = 0x01;
  /** Flag: this side pairs (it has a pairing handler). */
  static final int PAIRS = 0x02;
  /** Flag: this side pairs and has not pinned the other's key: pairing must run. */
  static final int UNPINNED = 0x04;
  private static final int BYTES = 32;

  private final Connection connection;
  private final Node node;
  private final SharedSecret secret;
  private final PairingHandler pairing;
  /** Whether the decision reaches the session: a refusal, or null once admitted. I/O thread. */
  private final Consumer<DisconnectReason> decided;
  /** Gives the session's wait a new deadline: a person decides now. */
  private final LongConsumer extendWait;
  private final boolean acceptor;
  private byte[] nonceAcceptor;
  private byte[] nonceInitiator;
  private boolean pairingRuns;
  /** Whether we pair and have not pinned the other's key: looked up once, in the store, per connection. */
  private Boolean unpinned;
  private byte[] pairNonce;
  private byte[] theirCommitment;
  private Boolean mine;
  private Boolean theirs;
  private int expected;
  private boolean admitted;
  /** Whether both people accepted on this connection: the key is pinned after the HELLO check. */
  private boolean paired;
  /** The handler's answer while the person decides; set on the callback thread, read on close. */
  private volatile CompletionStage<Boolean> asking;

  AdmitExchange(Connection connection, Consumer<DisconnectReason> decided, LongConsumer extendWait) {
    this.extendWait = extendWait;
    this.connection = connection;
    this.node = connection.node;
    this.secret = node.config().secret();
    this.pairing = node.config().pairing();
    this.decided = decided;
    this.acceptor = connection.direction == Direction.INBOUND;
  }

  /** Whether admission is done: HELLOs may flow. */
  boolean admitted() {
    return admitted;
  }

  /**
   * The tunnel is up: checks the other side's key, and the acceptor makes its offer.
   *
   * @return the refusal, or null
   */
  DisconnectReason start() {
    DisconnectReason refusal = checkKey();
    if (refusal == null) {
      refusal = checkPinnedAddress();
    }
    if (refusal != null) {
      return refusal;
    }
    if (!acceptor) {
      expected = OFFER;
      return null;
    }
    nonceAcceptor = SharedSecret.nonce();
    send(OFFER, nonceAcceptor);
    if (secret == null && pairing == null) {
      // Fully open: anyone may join, so nothing waits.
      admitted = true;
    } else {
      expected = CLAIM;
    }
    return null;
  }

  private DisconnectReason checkKey() {
    var allowed = node.config().allowedKeys();
    if (allowed.isEmpty()) {
      return null;
    }
    String fingerprint = peerFingerprint();
    return allowed.contains(fingerprint) ? null : refuse("the key of the " + theirRole() + " (" + fingerprint
        + ") is not on the " + (acceptor ? "acceptor's" : "initiator's") + " allowlist");
  }

  /**
   * The address we connected to belongs to a pinned peer, and another key answers there: a
   * reinstalled node, or someone in its place. Refused, loudly; unpinning is the person's call.
   */
  private DisconnectReason checkPinnedAddress() {
    if (acceptor || connection.target == null) {
      return null;
    }
    PeerId id = peerId();
    for (PeerStore.Entry e : node.discovery().store().entries()) {
      if (e.pinned() && !e.id().equals(id) && e.addresses().contains(connection.target)) {
        node.logBudget.log(LogBudget.Topic.REFUSED_CLAIM, "{}: {} is pinned to key {} (id {}), but key {} answers "
            + "there: refused", node.logName(), Node.format(connection.target), e.fingerprint(), e.id().shortId(),
            peerFingerprint());
        return refuse("the acceptor " + acceptorAt() + " presents key " + peerFingerprint() + ", but that address "
            + "is pinned to key " + e.fingerprint() + " (if the node was reinstalled, unpin it)");
      }
    }
    return null;
  }

  /**
   * An ADMIT frame arrived.
   *
   * @return the refusal, or null (then {@link #admitted()} says whether HELLOs may flow)
   * @throws CodecException if the frame is malformed or out of turn
   */
  DisconnectReason onAdmit(ByteBuffer buf, int offset, int length) throws CodecException {
    if (length < 2) {
      throw new CodecException("ADMIT of " + length + " bytes");
    }
    int step = buf.get(offset) & 0xFF;
    int flags = buf.get(offset + 1) & 0xFF;
    if (admitted || step != expected) {
      throw new CodecException("ADMIT step " + step + " out of turn");
    }
    Body body = new Body(buf, offset + 2, length - 2);
    if (step == OFFER || step == CLAIM) {
      DisconnectReason mismatch = policies(flags);
      if (mismatch != null) {
        return mismatch;
      }
    }
    return switch (step) {
      case OFFER -> offered(flags, body);
      case CLAIM -> claimed(body);
      case ANSWER -> answered(body);
      case REVEAL -> revealed(body);
      default -> verdict(body);
    };
  }

  /** The other side's policies against ours: the same secret requirement; pairing on both sides if it runs. */
  private DisconnectReason policies(int flags) {
    boolean theirSecret = (flags & SECRET) != 0;
    if (theirSecret != (secret != null)) {
      boolean acceptorHasIt = acceptor ? secret != null : theirSecret;
      return refuse("the " + (acceptorHasIt ? "acceptor " + acceptorAt() : "initiator " + initiatorAt())
          + " admits only nodes with its group secret, and the " + (acceptorHasIt ? "initiator " + initiatorAt()
          : "acceptor " + acceptorAt()) + " has none");
    }
    pairingRuns = (flags & UNPINNED) != 0 || unpinned();
    if (pairingRuns && (pairing == null || (flags & PAIRS) == 0)) {
      boolean weAsk = pairing != null;
      return refuse("the " + (weAsk ? ourRole() : theirRole()) + " pairs with nodes it has not met, and the "
          + (weAsk ? theirRole() : ourRole()) + " does not pair");
    }
    return null;
  }

  /** Initiator: the acceptor's offer. */
  private DisconnectReason offered(int flags, Body body) throws CodecException {
    nonceAcceptor = body.take("nonce");
    body.end();
    if (secret == null && (flags & PAIRS) == 0 && (flags & SECRET) == 0) {
      // A fully open acceptor: its HELLO follows; we pair with it only if we must, and then it refused already.
      admitted = true;
      return null;
    }
    nonceInitiator = SharedSecret.nonce();
    pairNonce = pairingRuns ? SharedSecret.nonce() : null;
    send(CLAIM, nonceInitiator, secret != null ? proof(Role.INITIATOR) : null,
        pairingRuns ? Pairing.commitment(pairNonce) : null);
    expected = ANSWER;
    return null;
  }

  /** Acceptor: the initiator's claim. */
  private DisconnectReason claimed(Body body) throws CodecException {
    nonceInitiator = body.take("nonce");
    byte[] proof = secret != null ? body.take("proof") : null;
    theirCommitment = pairingRuns ? body.take("commitment") : null;
    body.end();
    if (proof != null && !verify(proof, Role.INITIATOR)) {
      return refuse("the initiator " + initiatorAt() + " proved another group secret (or a relay sits between)");
    }
    pairNonce = pairingRuns ? SharedSecret.nonce() : null;
    send(ANSWER, secret != null ? proof(Role.ACCEPTOR) : null, pairingRuns ? Pairing.commitment(pairNonce) : null);
    return pairingRuns ? startPairing() : admit();
  }

  /** Initiator: the acceptor's answer. */
  private DisconnectReason answered(Body body) throws CodecException {
    byte[] proof = secret != null ? body.take("proof") : null;
    theirCommitment = pairingRuns ? body.take("commitment") : null;
    body.end();
    if (proof != null && !verify(proof, Role.ACCEPTOR)) {
      return refuse("the acceptor " + acceptorAt() + " proved another group secret (or a relay sits between)");
    }
    return pairingRuns ? startPairing() : admit();
  }

  /** Both commitments are here: reveal ours (the person has time to decide from now on). */
  private DisconnectReason startPairing() {
    send(REVEAL, pairNonce);
    expected = REVEAL;
    extendWait.accept(node.config().pairingTimeout().toNanos());
    return null;
  }

  /** The other side's nonce: checked against its commitment, then the person decides. */
  private DisconnectReason revealed(Body body) throws CodecException {
    byte[] nonce = body.take("nonce");
    body.end();
    if (!Pairing.opens(theirCommitment, nonce)) {
      return refuse("the " + theirRole() + "'s pairing nonce does not open its commitment (someone sits between)");
    }
    expected = VERDICT;
    byte[] ours = Pairing.keyDigest(connection.tls().localCertificate().getPublicKey());
    byte[] peers = Pairing.keyDigest(connection.tls().peerCertificate().getPublicKey());
    PairingRequest request = new PairingRequest(connection.remoteAddress(), connection.direction, peerId(),
        peerFingerprint(), Pairing.code(ours, pairNonce, peers, nonce));
    ask(request);
    return null;
  }

  /** Asks the person, on the callback thread; the answer comes back to the I/O thread. */
  private void ask(PairingRequest request) {
    var loop = connection.eventLoop();
    node.events.run(() -> {
      if (connection.isClosingOrClosed()) {
        return; // Ended before anyone was asked (the other person declined first): nobody is.
      }
      CompletionStage<Boolean> answer;
      try {
        answer = pairing.pair(request);
      } catch (RuntimeException e) {
        answer = CompletableFuture.completedFuture(false);
      }
      asking = answer;
      answer.whenComplete((ok, error) -> loop.execute(() -> decide(Boolean.TRUE.equals(ok) && error == null)));
      if (connection.isClosingOrClosed()) {
        closed();
      }
    });
  }

  /**
   * The connection ended: a person still deciding about it is not asked any more. The handler's
   * future is cancelled on the callback thread (its dependents must not run on the I/O thread).
   * Any thread.
   */
  void closed() {
    CompletionStage<Boolean> a = asking;
    if (a == null) {
      return;
    }
    asking = null;
    node.events.run(() -> {
      try {
        a.toCompletableFuture().cancel(false);
      } catch (UnsupportedOperationException e) {
        // A stage that is no CompletableFuture cannot be cancelled: its answer is ignored (decide()).
      }
    });
  }

  /** This side's person decided. I/O thread. */
  private void decide(boolean accept) {
    if (admitted || mine != null || connection.isClosingOrClosed()) {
      return;
    }
    mine = accept;
    asking = null;
    send(VERDICT, new byte[] {(byte) (accept ? 1 : 0)});
    if (!accept) {
      decided.accept(refuse("pairing declined on the " + ourRole() + "'s side"));
    } else if (Boolean.TRUE.equals(theirs)) {
      decided.accept(pairedAndAdmit());
    }
  }

  /** The other side's person decided. */
  private DisconnectReason verdict(Body body) throws CodecException {
    byte[] v = body.rest();
    if (v.length != 1) {
      throw new CodecException("ADMIT verdict of " + v.length + " bytes");
    }
    theirs = v[0] == 1;
    if (!theirs) {
      return refuse("pairing declined on the " + theirRole() + "'s side");
    }
    return Boolean.TRUE.equals(mine) ? pairedAndAdmit() : null;
  }

  /** Both accepted: admitted; the key is pinned with its name once its HELLO passes ({@link #pairedFingerprint}). */
  private DisconnectReason pairedAndAdmit() {
    paired = true;
    return admit();
  }

  /**
   * The other side's fingerprint when both people accepted on this connection (the HELLO check
   * pins it), else null.
   */
  String pairedFingerprint() {
    return paired ? peerFingerprint() : null;
  }

  private DisconnectReason admit() {
    admitted = true;
    return null;
  }

  /** Whether we pair and have not pinned the other's key. */
  private boolean unpinned() {
    if (unpinned == null) {
      var e = pairing == null ? null : node.discovery().store().get(peerId());
      unpinned = e != null && (e.isEmpty() || !e.get().pinned() || !peerFingerprint().equals(e.get().fingerprint()));
    }
    return unpinned;
  }

  private byte[] proof(Role role) {
    byte[][] certs = certificates();
    return secret.proof(role, nonceInitiator, nonceAcceptor, certs[0], certs[1]);
  }

  private boolean verify(byte[] proof, Role role) {
    byte[][] certs = certificates();
    return secret.verify(proof, role, nonceInitiator, nonceAcceptor, certs[0], certs[1]);
  }

  /** Both certificates as this side's session shows them: the initiator's, then the acceptor's. */
  private byte[][] certificates() {
    TlsStage tls = connection.tls();
    try {
      byte[] local = tls.localCertificate().getEncoded();
      byte[] peer = tls.peerCertificate().getEncoded();
      return acceptor ? new byte[][] {peer, local} : new byte[][] {local, peer};
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a certificate the TLS session holds cannot be encoded", e);
    }
  }

  private PeerId peerId() {
    return Tls.idOf(connection.tls().peerCertificate());
  }

  private String peerFingerprint() {
    return NodeKey.fingerprintOf(connection.tls().peerCertificate().getPublicKey());
  }

  /** Sends an ADMIT of {@code step} with our flags and {@code parts} (null parts skipped). */
  private void send(int step, byte[]... parts) {
    int n = 2;
    for (byte[] p : parts) {
      n += p == null ? 0 : p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    int flags = (secret != null ? SECRET : 0) | (pairing != null ? PAIRS : 0)
        | (pairing != null && unpinned() ? UNPINNED : 0);
    b.put((byte) step).put((byte) flags);
    for (byte[] p : parts) {
      if (p != null) {
        b.put(p);
      }
    }
    connection.sendControl(FrameType.ADMIT, b.array(), false);
  }

  private String ourRole() {
    return acceptor ? "acceptor " + acceptorAt() : "initiator " + initiatorAt();
  }

  private String theirRole() {
    return acceptor ? "initiator " + initiatorAt() : "acceptor " + acceptorAt();
  }

  private String acceptorAt() {
    return Node.format(acceptor ? connection.tls().localAddress() : connection.remoteAddress());
  }

  private String initiatorAt() {
    return Node.format(acceptor ? connection.remoteAddress() : connection.tls().localAddress());
  }

  /** A refusal whose text reads the same on both sides: it names the roles, not "this node". */
  private static DisconnectReason refuse(String why) {
    return DisconnectReason.of(Kind.NOT_ADMITTED, why);
  }

  /** Reads an ADMIT body's fixed-size parts in order. */
  private static final class Body {
    private final ByteBuffer buf;
    private int at;
    private final int end;

    Body(ByteBuffer buf, int offset, int length) {
      this.buf = buf;
      this.at = offset;
      this.end = offset + length;
    }

    byte[] take(String what) throws CodecException {
      if (end - at < BYTES) {
        throw new CodecException("ADMIT " + what + " of " + (end - at) + " bytes, not " + BYTES);
      }
      byte[] b = new byte[BYTES];
      buf.get(at, b);
      at += BYTES;
      return b;
    }

    byte[] rest() {
      byte[] b = new byte[end - at];
      buf.get(at, b);
      at = end;
      return b;
    }

    void end() throws CodecException {
      if (at != end) {
        throw new CodecException("ADMIT with " + (end - at) + " bytes too many");
      }
    }
  }
}
