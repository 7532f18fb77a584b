package dev.vecino.examples.cli;

import java.util.Objects;

/**
 * A peer address as the user types it: {@code host:port}, {@code [v6]:port}.
 *
 * <p>Parsing checks the shape and the port range only; the host is resolved when used, so a
 * bad host name is reported by the command that needs it.
 *
 * @param host a host name or address literal, without brackets
 * @param port 1 to 65535
 */
public record HostPort(String host, int port) {

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if the host is empty or the port is out of range
   */
  public HostPort {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("bad address: empty host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad address: port must be 1..65535: " + port);
    }
  }

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}.
   *
   * @param text what the user typed
   * @return the address
   * @throws IllegalArgumentException with a one-line message naming the bad text
   */
  public static HostPort parse(String text) {
    Objects.requireNonNull(text, "text");
    String s = text.strip();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException("bad address '" + text + "': expected host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          "bad address '" + text + "': write IPv6 addresses as [addr]:port");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad address '" + text + "': port is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("bad address '" + text + "': port must be 1..65535");
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException("bad address '" + text + "': empty host");
    }
    return new HostPort(host, port);
  }

  /** Returns {@code host:port}, bracketing IPv6 literals. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
