package dev.vecino.p2p.internal.tls;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/**
 * The one key algorithm of Vecino nodes, ECDSA on NIST P-256 ({@code secp256r1}); {@code
 * dev.vecino.p2p.NodeKey} says why this one.
 *
 * <p>Thread safety: immutable.
 */
public final class P256 {

  /** The JDK's name of the curve. */
  public static final String CURVE = "secp256r1";

  /** The signature algorithm of certificates and key checks. */
  public static final String SIGNATURE = "SHA256withECDSA";

  private static final ECParameterSpec PARAMS = params();

  private P256() {}

  /**
   * Whether {@code key} is an EC key on P-256.
   *
   * @param key any key
   * @return true for a P-256 public or private key
   */
  public static boolean holds(Key key) {
    if (!(key instanceof ECKey)) {
      return false;
    }
    ECParameterSpec have = ((ECKey) key).getParams();
    return have.getCurve().equals(PARAMS.getCurve()) && have.getGenerator().equals(PARAMS.getGenerator())
        && have.getOrder().equals(PARAMS.getOrder()) && have.getCofactor() == PARAMS.getCofactor();
  }

  private static ECParameterSpec params() {
    try {
      AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
      p.init(new ECGenParameterSpec(CURVE));
      return p.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform has the " + CURVE + " parameters", e);
    }
  }
}
