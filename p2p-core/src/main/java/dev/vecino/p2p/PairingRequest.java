package dev.vecino.p2p;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A node met for the first time under the pairing policy (see {@link PairingHandler}).
 *
 * @param address where the other node is
 * @param direction whether this node connected ({@link Direction#OUTBOUND}) or accepted
 * @param id the other node's id, which its key proves
 * @param fingerprint the other node's key fingerprint ({@link NodeKey#fingerprint()})
 * @param code the verification code both nodes show: six digits, the same on both sides only if
 *     no one sits between them
 */
public record PairingRequest(InetSocketAddress address, Direction direction, PeerId id, String fingerprint,
    String code) {

  /**
   * Validates the components.
   *
   * @param address see the record component
   * @param direction see the record component
   * @param id see the record component
   * @param fingerprint see the record component
   * @param code see the record component
   */
  public PairingRequest {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(code, "code");
  }
}
