package dev.vecino.p2p.codec;

import java.nio.ByteBuffer;
import java.time.Duration;
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
 *
 * <pre>{@code
 * // A node that `nc 127.0.0.1 9999` can talk to: one line per message, no handshake.
 * PeerNode node = PeerNode.builder()
 *     .codec(Codec.line())
 *     .bindAddress("127.0.0.1").port(9999)
 *     .onMessage(m -> System.out.println(m.sender().name() + ": " + m.text()))
 *     .build().start();
 * }</pre>
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
   * without it (line text, classic) gives each peer an id derived from its address, and its
   * connections are announced as {@link #announceDelay()} says. Whatever the codec, first bytes
   * that are a framed Vecino HELLO are refused on such a connection before the codec decodes
   * them: a framed Vecino node is no peer of it ({@code docs/PROTOCOL.md}, 2 and 3).
   *
   * @return true to run the handshake
   */
  boolean handshake();

  /**
   * Codecs without a {@linkplain #handshake() handshake}: how long a new connection that has
   * said nothing stays unannounced. A connection is announced to listeners as a peer as soon
   * as the other side says something (a message, or a name through {@link
   * FrameSink#onRemoteName}), or once it has stayed open this long; one that closes before
   * (a scanner's probe: connect, then close without a word) never shows up as a peer. Ignored
   * by codecs with a handshake. The default is 300 ms, the line and classic codecs' delay.
   *
   * @return the delay, zero or more
   */
  default Duration announceDelay() {
    return Duration.ofMillis(300);
  }

  /**
   * Codecs without a {@linkplain #handshake() handshake}: returns whether the first bytes the
   * other side sends on a connection this node opened tell a peer of this codec from any other
   * open port ({@link #isGreeting}), as the classic codec's greeting does. A node can scan for
   * peers only when its codec handshakes or greets; otherwise nothing could be verified, and
   * {@code PeerNode.scan} refuses. The default is false.
   *
   * @return true if {@link #isGreeting} recognises peers
   */
  default boolean greets() {
    return false;
  }

  /**
   * Codecs that {@linkplain #greets() greet}: returns whether {@code firstRead}, the first
   * bytes received on a connection this node opened (one read, as the transport delivered
   * it, of any length), are a greeting of a peer of this codec. A scan counts the other side
   * as a peer only then. A greeting is short and sent at once, so it arrives whole in the first
   * read in practice; one cut short there is not recognised. Called once per such connection, on its I/O thread, before the
   * bytes are decoded; the codec must not move the buffer's position or limit, nor keep it.
   * The default returns false.
   *
   * @param firstRead the bytes, position to limit; owned by the caller
   * @return true if they are a plausible greeting
   */
  default boolean isGreeting(ByteBuffer firstRead) {
    return false;
  }

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
