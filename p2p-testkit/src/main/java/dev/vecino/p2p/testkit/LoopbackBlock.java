package dev.vecino.p2p.testkit;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A loopback /24, {@code 127.a.b.0/24}: give each test class its own, so classes never see each
 * other's listeners. Every address of 127.0.0.0/8 can be bound on Linux without configuration.
 *
 * @param a the second octet, 0..255
 * @param b the third octet, 0..255
 */
public record LoopbackBlock(int a, int b) {

  /**
   * Validates the octets.
   *
   * @throws IllegalArgumentException if an octet is out of range
   */
  public LoopbackBlock {
    if (a < 0 || a > 255 || b < 0 || b > 255) {
      throw new IllegalArgumentException("octets must be 0..255: " + a + "." + b);
    }
  }

  /**
   * Returns {@code 127.a.b.host}.
   *
   * @param host the last octet, 0..255
   * @return the address literal
   */
  public String host(int host) {
    if (host < 0 || host > 255) {
      throw new IllegalArgumentException("host must be 0..255: " + host);
    }
    return "127." + a + "." + b + "." + host;
  }

  /**
   * Returns {@code 127.a.b.host} as an address.
   *
   * @param host the last octet
   * @return the address
   */
  public InetAddress address(int host) {
    try {
      return InetAddress.getByName(host(host));
    } catch (UnknownHostException e) {
      throw new AssertionError("a literal never needs DNS", e);
    }
  }

  /**
   * Returns {@code 127.a.b.host:port}.
   *
   * @param host the last octet
   * @param port the port
   * @return the socket address
   */
  public InetSocketAddress socket(int host, int port) {
    return new InetSocketAddress(address(host), port);
  }

  /**
   * Returns the block in CIDR notation, {@code 127.a.b.0/24}.
   *
   * @return the CIDR
   */
  public String cidr() {
    return host(0) + "/24";
  }

  @Override
  public String toString() {
    return cidr();
  }
}
