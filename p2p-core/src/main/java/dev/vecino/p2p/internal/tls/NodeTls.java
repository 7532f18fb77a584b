package dev.vecino.p2p.internal.tls;

import dev.vecino.p2p.PeerId;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;

/**
 * A node's TLS setup, made once per node from its key pair: the self-signed certificate and a
 * TLS 1.3 {@link SSLContext} whose key manager ({@link NodeKeyManager}) presents that certificate
 * and key as they are (no key store: the JDK's decrypts the key again for every handshake) and
 * whose trust manager ({@link SelfSignedTrustManager}) accepts exactly one valid self-signed node
 * certificate from the peer, on both sides.
 *
 * <p>Engines come from {@link #clientEngine()} and {@link #serverEngine()} only, which set what the
 * context alone cannot: TLS 1.3 as the only protocol, and on the server {@link
 * SSLEngine#setNeedClientAuth(boolean) setNeedClientAuth(true)}, so the server sends a
 * CertificateRequest and fails the handshake when the client presents no certificate (mutual
 * authentication). Engines are made without a peer host and port, so the JDK never resumes a
 * session (each connection does a full handshake and presents both certificates) and never
 * looks a name up. After the handshake, {@link #peerId(SSLSession)} is the peer's id, derived
 * from its certificate's key.
 *
 * <p>Thread safety: immutable; engines may be made from any thread, each engine then has the
 * owner its stage gives it.
 */
public final class NodeTls {

  /** The one protocol. */
  public static final String TLS_13 = "TLSv1.3";

  /** A server session lifetime over the 7 days a TLS 1.3 ticket may live: the JDK then sends no ticket. */
  static final int NO_TICKET_TIMEOUT_SECONDS = 7 * 24 * 3600 + 1;

  private final SSLContext context;
  private final X509Certificate certificate;
  private final PeerId id;

  private NodeTls(SSLContext context, X509Certificate certificate, PeerId id) {
    this.context = context;
    this.certificate = certificate;
    this.id = id;
  }

  /**
   * Makes the TLS setup for a node key pair (a certificate is written and signed: a few
   * milliseconds, once per node).
   *
   * @param keys the node's P-256 key pair ({@code NodeKey}'s)
   * @return the setup
   * @throws IllegalArgumentException if the key is not on P-256
   */
  public static NodeTls create(KeyPair keys) {
    return create(keys, Clock.systemUTC());
  }

  /** As {@link #create(KeyPair)}, with the clock the trust manager checks validity against. */
  static NodeTls create(KeyPair keys, Clock clock) {
    Objects.requireNonNull(keys, "keys");
    if (!P256.holds(keys.getPublic()) || !P256.holds(keys.getPrivate())) {
      throw new IllegalArgumentException("a node key is an EC key on P-256, not " + keys.getPublic().getAlgorithm());
    }
    X509Certificate certificate = SelfSignedCertificate.of(keys);
    try {
      SSLContext context = SSLContext.getInstance(TLS_13);
      context.init(new KeyManager[] {new NodeKeyManager(keys.getPrivate(), certificate)},
          new TrustManager[] {new SelfSignedTrustManager(clock)}, new SecureRandom());
      // Nodes never resume sessions, yet the JDK caches sessions (the initiator's own, and
      // each one a ticket came for; 20,480 for 24 h by default, over 1 KiB each): memory a peer
      // fills by being connected to and left. One entry each, the least there is (0 is
      // unlimited).
      context.getClientSessionContext().setSessionCacheSize(1);
      context.getServerSessionContext().setSessionCacheSize(1);
      // And no tickets: the JDK sends none when sessions would outlive the 7 days RFC 8446
      // allows a ticket (4.6.1). Each cost both ends work every handshake (a key derived, the
      // session encrypted into the ticket and decrypted again) and a record of over 1 KiB.
      context.getServerSessionContext().setSessionTimeout(NO_TICKET_TIMEOUT_SECONDS);
      return new NodeTls(context, certificate, PeerId.of(keys.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's TLS 1.3 refused a node key pair", e);
    }
  }

  /**
   * Returns a new engine for the side that connected: TLS 1.3 only, client mode.
   *
   * @return a new engine, handshake not begun
   */
  public SSLEngine clientEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(true);
    engine.setEnabledProtocols(new String[] {TLS_13});
    return engine;
  }

  /**
   * Returns a new engine for the side that accepted: TLS 1.3 only, server mode, and the client
   * must present its certificate ({@code setNeedClientAuth(true)}).
   *
   * @return a new engine, handshake not begun
   */
  public SSLEngine serverEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(new String[] {TLS_13});
    engine.setNeedClientAuth(true);
    return engine;
  }

  /**
   * Returns the TLS 1.3 context itself, for a test's blocking client ({@code
   * context().getSocketFactory()}): its sockets must be set to TLS 1.3 only and, on a server,
   * to need client authentication, as {@link #clientEngine()} and {@link #serverEngine()} do.
   *
   * @return the context
   */
  public SSLContext context() {
    return context;
  }

  /**
   * Returns this node's certificate, as it presents it.
   *
   * @return the certificate
   */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * Returns this node's id, derived from its key.
   *
   * @return the id
   */
  public PeerId id() {
    return id;
  }

  /**
   * Returns the certificate the peer presented in a completed handshake (the trust manager has
   * checked it).
   *
   * @param session the engine's session after the handshake
   * @return the peer's certificate
   * @throws SSLPeerUnverifiedException if the peer presented none (not after a completed
   *     handshake of engines from this class)
   */
  public static X509Certificate peerCertificate(SSLSession session) throws SSLPeerUnverifiedException {
    Certificate[] chain = session.getPeerCertificates();
    if (chain.length != 1 || !(chain[0] instanceof X509Certificate)) {
      throw new SSLPeerUnverifiedException("peer presented " + chain.length + " certificates, not one X.509");
    }
    return (X509Certificate) chain[0];
  }

  /**
   * Returns the peer's id, derived from the key of its certificate: the only id a TLS peer can
   * have. The HELLO's id must equal it.
   *
   * @param session the engine's session after the handshake
   * @return the peer's id
   * @throws SSLPeerUnverifiedException if the peer presented no certificate
   */
  public static PeerId peerId(SSLSession session) throws SSLPeerUnverifiedException {
    return PeerId.of(peerCertificate(session).getPublicKey());
  }

  /** Equal when made for the same key: the certificate differs (its serial), the setup does not. */
  @Override
  public boolean equals(Object o) {
    return o instanceof NodeTls t && t.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }
}
