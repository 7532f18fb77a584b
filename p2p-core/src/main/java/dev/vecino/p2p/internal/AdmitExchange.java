package dev.vecino.p2p.internal;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.DisconnectReason.Kind;
import dev.vecino.p2p.Direction;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.internal.tls.SharedSecret;
import dev.vecino.p2p.internal.tls.SharedSecret.Role;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.util.Set;

/**
 * A secure connection's admission (docs/PROTOCOL.md 1.9): inside the TLS tunnel, before either
 * HELLO, each side learns whether the other may join, and nothing of the group is revealed to
 * a side that may not.
 *
 * <pre>
 * acceptor                                   initiator
 *   ADMIT offer (flags, nonce_a)        →
 *   [no secret: its HELLO at once]      →      checks the flags; no secret: HELLO, done
 *                                       ←      ADMIT proof (flags, nonce_i, proof_i)
 *   checks proof_i; ADMIT answer (proof_a), then its HELLO  →   checks proof_a, then HELLO
 * </pre>
 *
 * <p>Both sides first check the other's key against the allowlist, if the node has one. The
 * proofs are {@link SharedSecret#proof} over both nonces and both certificates as this side's
 * TLS session shows them: a proof made for one session verifies on no other, so neither a
 * replay nor a relay with its own key passes. The acceptor proves second, so a stranger learns
 * nothing it could test guesses against.
 *
 * <p>ADMIT body: {@code step (u8) | flags (u8) | nonce (0 or 32 bytes) | proof (0 or 32 bytes)}.
 *
 * <p><b>Thread safety:</b> owned by its connection's I/O thread.
 */
final class AdmitExchange {

  static final int OFFER = 1;
  static final int PROOF = 2;
  static final int ANSWER = 3;
  /** Flag: this side has a group secret, and admits only nodes that prove it. */
  static final int SECRET = 0x01;
  private static final int PROOF_BYTES = 32;

  /** What the session does after a step. */
  enum Next {
    /** Wait for the other side's next ADMIT. */
    WAIT,
    /** Admitted: the acceptor sends its HELLO; the initiator waits for it. */
    ADMITTED
  }

  private final Connection connection;
  private final SharedSecret secret;
  private final Set<String> allowedKeys;
  private final boolean acceptor;
  private byte[] nonceAcceptor;
  private byte[] nonceInitiator;
  private int expected;
  private boolean admitted;

  AdmitExchange(Connection connection, SharedSecret secret, Set<String> allowedKeys) {
    this.connection = connection;
    this.secret = secret;
    this.allowedKeys = allowedKeys;
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
    if (refusal != null) {
      return refusal;
    }
    if (!acceptor) {
      expected = OFFER;
      return null;
    }
    nonceAcceptor = SharedSecret.nonce();
    send(OFFER, nonceAcceptor, null);
    if (secret == null) {
      admitted = true;
    } else {
      expected = PROOF;
    }
    return null;
  }

  private DisconnectReason checkKey() {
    if (allowedKeys.isEmpty()) {
      return null;
    }
    String fingerprint = dev.vecino.p2p.NodeKey.fingerprintOf(connection.tls().peerCertificate().getPublicKey());
    return allowedKeys.contains(fingerprint) ? null : refuse("the key of the " + (acceptor ? "initiator "
        + initiatorAt() : "acceptor " + acceptorAt()) + " (" + fingerprint + ") is not on the "
        + (acceptor ? "acceptor's" : "initiator's") + " allowlist");
  }

  private String acceptorAt() {
    return Node.format(acceptor ? connection.tls().localAddress() : connection.remoteAddress());
  }

  private String initiatorAt() {
    return Node.format(acceptor ? connection.remoteAddress() : connection.tls().localAddress());
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
    boolean theirSecret = (buf.get(offset + 1) & SECRET) != 0;
    if (admitted || step != expected) {
      throw new CodecException("ADMIT step " + step + " out of turn");
    }
    byte[] nonce = step == ANSWER ? null : bytes(buf, offset + 2, length - 2, SharedSecret.NONCE_BYTES, "nonce");
    int rest = length - 2 - (nonce == null ? 0 : nonce.length);
    byte[] proof = rest == 0 ? null : bytes(buf, offset + length - rest, rest, PROOF_BYTES, "proof");
    if (rest > 0 && rest != PROOF_BYTES) {
      throw new CodecException("ADMIT proof of " + rest + " bytes, not " + PROOF_BYTES);
    }
    if (theirSecret != (secret != null)) {
      boolean acceptorHasIt = acceptor ? secret != null : theirSecret;
      return refuse(acceptorHasIt ? "the acceptor " + acceptorAt() + " admits only nodes with its group secret, and "
          + "the initiator " + initiatorAt() + " has none" : "the initiator " + initiatorAt() + " admits only nodes "
          + "with its group secret, and the acceptor " + acceptorAt() + " has none");
    }
    return switch (step) {
      case OFFER -> offered(nonce);
      case PROOF -> proved(nonce, proof);
      default -> answered(proof);
    };
  }

  /** Initiator: the acceptor's offer. */
  private DisconnectReason offered(byte[] nonce) {
    nonceAcceptor = nonce;
    if (secret == null) {
      admitted = true;
      return null;
    }
    nonceInitiator = SharedSecret.nonce();
    send(PROOF, nonceInitiator, proof(Role.INITIATOR));
    expected = ANSWER;
    return null;
  }

  /** Acceptor: the initiator's proof. */
  private DisconnectReason proved(byte[] nonce, byte[] proof) {
    nonceInitiator = nonce;
    if (proof == null || !verify(proof, Role.INITIATOR)) {
      return refuse("the initiator " + initiatorAt() + " proved another group secret (or a relay sits between)");
    }
    send(ANSWER, null, proof(Role.ACCEPTOR));
    admitted = true;
    return null;
  }

  /** Initiator: the acceptor's proof. */
  private DisconnectReason answered(byte[] proof) {
    if (proof == null || !verify(proof, Role.ACCEPTOR)) {
      return refuse("the acceptor " + acceptorAt() + " proved another group secret (or a relay sits between)");
    }
    admitted = true;
    return null;
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

  private void send(int step, byte[] nonce, byte[] proof) {
    ByteBuffer b = ByteBuffer.allocate(2 + (nonce == null ? 0 : nonce.length) + (proof == null ? 0 : proof.length));
    b.put((byte) step).put((byte) (secret != null ? SECRET : 0));
    if (nonce != null) {
      b.put(nonce);
    }
    if (proof != null) {
      b.put(proof);
    }
    connection.sendControl(dev.vecino.p2p.codec.FrameType.ADMIT, b.array(), false);
  }

  /** A refusal whose text reads the same on both sides: it names the roles, not "this node". */
  private static DisconnectReason refuse(String why) {
    return DisconnectReason.of(Kind.NOT_ADMITTED, why);
  }

  private static byte[] bytes(ByteBuffer buf, int offset, int length, int size, String what) throws CodecException {
    if (length < size) {
      throw new CodecException("ADMIT " + what + " of " + length + " bytes, not " + size);
    }
    byte[] b = new byte[size];
    buf.get(offset, b);
    return b;
  }
}
