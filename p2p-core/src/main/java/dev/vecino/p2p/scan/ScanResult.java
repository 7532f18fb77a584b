package dev.vecino.p2p.scan;

import dev.vecino.p2p.PeerId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * What a scan found at one open address and port.
 *
 * @param address the address and port probed
 * @param status what answered
 * @param id the node's id for {@link ScanStatus#PEER}, {@link ScanStatus#OTHER_GROUP},
 *     {@link ScanStatus#INCOMPATIBLE} and {@link ScanStatus#SELF}; null otherwise
 * @param name the node's name, where {@code id} is set; null otherwise
 * @param group the node's group, where {@code id} is set; null otherwise
 * @param rtt the TCP connect round-trip time (SYN to SYN-ACK as seen by this node)
 * @param newPeer true for a {@link ScanStatus#PEER} that was not connected when it was found
 * @param stage the name of the discovery (stage) whose candidate this was: {@code "known"},
 *     {@code "beacon"}, {@code "range-scan"}, {@code "static"}, or a custom discovery's
 *     {@link dev.vecino.p2p.discovery.Discovery#name()}
 */
public record ScanResult(
    InetSocketAddress address, ScanStatus status, PeerId id, String name, String group, Duration rtt,
    boolean newPeer, String stage) {

  /**
   * Validates the components.
   *
   * @param address see the record component
   * @param status see the record component
   * @param id see the record component
   * @param name see the record component
   * @param group see the record component
   * @param rtt see the record component
   * @param newPeer see the record component
   * @param stage see the record component
   * @throws NullPointerException if {@code address}, {@code status}, {@code rtt} or {@code stage} is null
   */
  public ScanResult {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(rtt, "rtt");
    Objects.requireNonNull(stage, "stage");
  }

  /**
   * A result of a range scan (stage {@code "range-scan"}), as before stages existed.
   *
   * @param address see the record component
   * @param status see the record component
   * @param id see the record component
   * @param name see the record component
   * @param group see the record component
   * @param rtt see the record component
   * @param newPeer see the record component
   */
  public ScanResult(InetSocketAddress address, ScanStatus status, PeerId id, String name, String group, Duration rtt,
      boolean newPeer) {
    this(address, status, id, name, group, rtt, newPeer, "range-scan");
  }
}
