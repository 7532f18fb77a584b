package dev.vecino.p2p.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Address literals written by Vecino's own files and tools: no DNS, ever. */
final class Addresses {

  private Addresses() {}

  /**
   * Parses {@code 198.18.0.5:4000} or {@code [::1]:4000}: an address literal and a port.
   *
   * @throws IllegalArgumentException naming the text when it is not one
   */
  static InetSocketAddress parseLiteral(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected address:port: " + text);
    }
    String host = text.substring(0, colon);
    boolean bracketed = host.startsWith("[") && host.endsWith("]");
    if (bracketed) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException("write IPv6 as [address]:port: " + text);
    }
    if (host.isEmpty() || !host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')
        || (!bracketed && host.chars().filter(c -> c == '.').count() != 3)) {
      throw new IllegalArgumentException("not an address literal: " + text);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port: " + text, e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535: " + text);
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address literal: " + text, e);
    }
  }
}
