package dev.vecino.p2p.internal.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents a node's one key and self-signed certificate, on both sides of every handshake.
 *
 * <p>Why not the JDK's {@code KeyManagerFactory} over a key store: its PKIX key manager gives
 * every handshake a fresh alias, so its per-alias cache never hits, and each handshake took the
 * private key out of the PKCS12 store again, which decrypts it with PBKDF2 (10,000 HMAC-SHA256
 * rounds in JDK 17): about 40 % of a handshake's CPU. This one holds the key and the
 * certificate as they are; nothing is looked up or decrypted per handshake. JSSE asks for a key
 * type (TLS 1.3 with a P-256 certificate: {@code "EC"}); any other type gets no alias, so JSSE
 * never picks a signature scheme the key cannot make.
 *
 * <p>Thread safety: immutable; JSSE calls it from any handshake thread.
 */
final class NodeKeyManager extends X509ExtendedKeyManager {

  /** The one alias. */
  static final String ALIAS = "node";

  private final PrivateKey key;
  private final X509Certificate certificate;
  private final String keyType;

  /**
   * @param key the node's private key
   * @param certificate its self-signed certificate, for the key's public half
   */
  NodeKeyManager(PrivateKey key, X509Certificate certificate) {
    this.key = key;
    this.certificate = certificate;
    this.keyType = key.getAlgorithm();
  }

  private String aliasFor(String type) {
    return keyType.equals(type) ? ALIAS : null;
  }

  private String aliasFor(String[] types) {
    if (types != null) {
      for (String t : types) {
        if (keyType.equals(t)) {
          return ALIAS;
        }
      }
    }
    return null;
  }

  private String[] aliasesFor(String type) {
    return keyType.equals(type) ? new String[] {ALIAS} : null;
  }

  @Override
  public String[] getClientAliases(String type, Principal[] issuers) {
    return aliasesFor(type);
  }

  @Override
  public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) {
    return aliasFor(types);
  }

  @Override
  public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine engine) {
    return aliasFor(types);
  }

  @Override
  public String[] getServerAliases(String type, Principal[] issuers) {
    return aliasesFor(type);
  }

  @Override
  public String chooseServerAlias(String type, Principal[] issuers, Socket socket) {
    return aliasFor(type);
  }

  @Override
  public String chooseEngineServerAlias(String type, Principal[] issuers, SSLEngine engine) {
    return aliasFor(type);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? new X509Certificate[] {certificate} : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
