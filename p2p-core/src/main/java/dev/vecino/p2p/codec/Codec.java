package dev.vecino.p2p.codec;

import java.util.Locale;
import java.util.Objects;

/**
 * Turns frames into bytes and back: the service provider interface for wire formats.
 *
 * <p>A codec is a stateless factory of per-connection {@link CodecSession}s, shared by every
 * connection of a node and safe to use from any thread. Vecino ships three: the {@linkplain
 * #framed() framed} codec (the default), the {@linkplain #line() line} codec for {@code nc}
 * and scripts, and the {@linkplain #classic() classic} codec for the original Python LAN
 * chat; {@link #byName} picks one by name for command lines. A custom codec plugs in through
 * {@code PeerNode.builder().codec(...)}.
 */
public interface Codec {

  /**
   * Returns a short name for logs and configuration, e.g. {@code "framed"}.
   *
   * @return the name
   */
  String name();

  /**
   * Returns whether connections using this codec run the Vecino HELLO handshake. A codec
   * without it (line text, classic) gives each peer an id derived from its address.
   *
   * @return true to run the handshake
   */
  boolean handshake();

  /**
   * Creates the session for one new connection.
   *
   * @param info the connection's details
   * @return a new session, owned by that connection
   */
  CodecSession newSession(SessionInfo info);

  /**
   * Returns the default codec: 4-byte big-endian length, one type byte, then the body (see
   * {@code docs/PROTOCOL.md}).
   *
   * @return the framed codec
   */
  static Codec framed() {
    return FramedCodec.INSTANCE;
  }

  /**
   * Returns the line codec with its default limit of 64 KiB per line: one UTF-8 text line
   * per message, for {@code nc}, {@code socat} and scripts. No handshake: a peer is its
   * address. See {@link LineCodec}.
   *
   * @return a line codec
   */
  static Codec line() {
    return LineCodec.create();
  }

  /**
   * Returns the line codec with the given limit.
   *
   * @param maxLineLength the most bytes before the {@code \n}, at least 2
   * @return a line codec
   * @throws IllegalArgumentException if {@code maxLineLength} is below 2
   */
  static Codec line(int maxLineLength) {
    return LineCodec.create(maxLineLength);
  }

  /**
   * Returns the classic codec, which talks to the Python LAN chat Vecino grew from (default
   * port {@value ClassicCodec#DEFAULT_PORT}); it greets with the node's display name. No
   * framing and no identity. See {@link ClassicCodec}.
   *
   * @return a classic codec
   */
  static Codec classic() {
    return ClassicCodec.create();
  }

  /**
   * Returns a built-in codec by name, for command lines and configuration files: {@code
   * "framed"}, {@code "line"} or {@code "classic"} (case-insensitive, surrounding spaces
   * ignored), with their default settings.
   *
   * @param name the codec's name
   * @return the codec
   * @throws IllegalArgumentException if no built-in codec has that name (the message lists
   *     the names)
   */
  static Codec byName(String name) {
    Objects.requireNonNull(name, "name");
    return switch (name.strip().toLowerCase(Locale.ROOT)) {
      case "framed" -> framed();
      case "line" -> line();
      case "classic" -> classic();
      default -> throw new IllegalArgumentException(
          "unknown codec '" + name + "'; expected one of: framed, line, classic");
    };
  }
}
