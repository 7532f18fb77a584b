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
      throw new IllegalArgumentException(Text.get("address.emptyHost"));
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(Text.get("address.portRange", port));
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
      throw new IllegalArgumentException(Text.get("address.expected", text));
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException(
          Text.get("address.ipv6", text));
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(Text.get("address.portNaN", text));
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(Text.get("address.portRangeOf", text));
    }
    if (host.isBlank()) {
      throw new IllegalArgumentException(Text.get("address.emptyHostOf", text));
    }
    return new HostPort(host, port);
  }

  /** Returns {@code host:port}, bracketing IPv6 literals. */
  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
