package dev.vecino.p2p.codec;

import dev.vecino.p2p.Direction;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Talks to the Python LAN chat Vecino grew from ("classic"): raw UTF-8 text over TCP, no
 * framing, no identity (see {@code docs/PROTOCOL.md}, "Classic mode").
 *
 * <p><b>Greeting.</b> When this node <em>accepts</em> a connection it sends a greeting at
 * once ({@link CodecSession#openingBytes()}): its display name, or with {@link
 * Greeting#ORIGINAL} the original's {@code Vecino_<last octet of the other side's IPv4>}.
 * When this node <em>connects</em>, the first received chunk (up to {@value #CHUNK_SIZE}
 * bytes) is the other side's greeting: it becomes the peer's name ({@link
 * FrameSink#onRemoteName}), sanitised by {@link #greetingName}; it is not a message. (A node
 * refuses a connection whose first bytes are a framed Vecino HELLO before they reach the
 * codec: a framed node is no classic peer, see {@code docs/PROTOCOL.md}, 3.)
 *
 * <p><b>Messages.</b> Each message is sent as its raw bytes, with no delimiter. The receiver
 * cannot see message boundaries, so, like the original's {@code recv(1024)}, every received
 * chunk becomes one {@link FrameType#TEXT} message, cut into pieces of at most
 * {@value #CHUNK_SIZE} bytes. Unlike the original, cuts fall between UTF-8 characters, and a
 * character whose bytes are split across two reads is held back until the rest arrives, so
 * accents are never broken. Long messages arrive as several; quick ones may arrive as one.
 *
 * <p><b>Calls.</b> Sending a {@link FrameType#CALL} writes {@code Estás siendo llamado desde
 * <our IP>} and then the text. On receipt, a chunk containing {@value #CALL_MARKER} announces
 * a call: text after the address in the same chunk is the call's text (the two parts were
 * merged on the way); otherwise the next chunk is. A second announcement before any text
 * delivers the first call with an empty text. A normal message containing the words is read
 * as a call too, exactly as the original does.
 *
 * <p>BINARY payloads are sent as raw bytes and arrive as TEXT. HELLO, PING, PONG and BYE
 * cannot be carried. The decoder never throws: every byte sequence is some text.
 *
 * <p><b>Thread safety:</b> the codec is immutable. A session's decoder state belongs to its
 * connection's I/O thread; encoding reads only final fields, so any thread may encode.
 */
public final class ClassicCodec implements Codec {

  /** The original program's port. */
  public static final int DEFAULT_PORT = 9999;
  /** The original's receive size: one chunk, one message. */
  public static final int CHUNK_SIZE = 1024;
  /** The substring by which the original recognises a call. */
  public static final String CALL_MARKER = "llamado desde";
  /** The first part of a call, followed by the caller's IP address. */
  public static final String CALL_PREFIX = "Estás siendo llamado desde ";
  /** The longest greeting {@link #isGreeting} accepts, in bytes (a name's limit). */
  public static final int MAX_GREETING_BYTES = 255;

  private static final byte[] MARKER_BYTES = CALL_MARKER.getBytes(StandardCharsets.UTF_8);

  /** What this node sends as its greeting when it accepts a connection. */
  public enum Greeting {
    /** This node's display name. */
    DISPLAY_NAME,
    /** Like the original: {@code Vecino_} and the last octet of the other side's IPv4. */
    ORIGINAL
  }

  private final Greeting greeting;

  private ClassicCodec(Greeting greeting) {
    this.greeting = greeting;
  }

  /**
   * Returns a classic codec that greets with the node's display name.
   *
   * @return the codec
   */
  public static ClassicCodec create() {
    return new ClassicCodec(Greeting.DISPLAY_NAME);
  }

  /**
   * Returns a classic codec with the given greeting style.
   *
   * @param greeting what to send when accepting a connection
   * @return the codec
   */
  public static ClassicCodec create(Greeting greeting) {
    return new ClassicCodec(Objects.requireNonNull(greeting, "greeting"));
  }

  /**
   * Returns the greeting style.
   *
   * @return the style
   */
  public Greeting greeting() {
    return greeting;
  }

  @Override
  public String name() {
    return "classic";
  }

  /**
   * Returns false: the classic protocol has no identity, a peer is its address.
   *
   * @return false
   */
  @Override
  public boolean handshake() {
    return false;
  }

  /**
   * Returns true: a classic peer greets, so a scan can tell it from any other open port.
   *
   * @return true
   */
  @Override
  public boolean greets() {
    return true;
  }

  /**
   * Returns whether the first chunk of {@code firstRead} (at most {@value #CHUNK_SIZE} bytes,
   * as the original's {@code recv(1024)}) is a plausible greeting: see {@link
   * #isGreeting(byte[], int, int)}.
   *
   * @param firstRead the first bytes received, position to limit; not moved, not kept
   * @return true if they are a plausible greeting
   */
  @Override
  public boolean isGreeting(ByteBuffer firstRead) {
    int n = Math.min(firstRead.remaining(), CHUNK_SIZE);
    byte[] first = new byte[n];
    firstRead.get(firstRead.position(), first);
    return isGreeting(first, 0, n);
  }

  @Override
  public CodecSession newSession(SessionInfo info) {
    return new ClassicSession(info, greetingFor(info));
  }

  private String greetingFor(SessionInfo info) {
    if (greeting == Greeting.ORIGINAL) {
      byte[] a = info.remoteAddress().getAddress().getAddress();
      return "Vecino_" + (a[a.length - 1] & 0xFF);
    }
    return info.localName();
  }

  /**
   * Returns whether a connection's first received chunk looks like a classic greeting: 1 to
   * {@value #MAX_GREETING_BYTES} bytes of valid UTF-8, not blank, without control characters
   * (so a framed Vecino HELLO, whose length field holds zero bytes, and line-based banners
   * such as {@code SSH-2.0-...\r\n} do not count). Range scanners in classic mode use it to
   * tell a classic peer from any other open port.
   *
   * @param chunk the bytes; not kept
   * @param offset the first byte
   * @param length how many bytes were received
   * @return true if it is a plausible greeting
   * @throws IndexOutOfBoundsException if the slice is outside the array
   */
  public static boolean isGreeting(byte[] chunk, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, chunk.length);
    if (length == 0 || length > MAX_GREETING_BYTES) {
      return false;
    }
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(chunk, offset, length)).toString();
    } catch (CharacterCodingException e) {
      return false;
    }
    return !s.isBlank() && s.codePoints().noneMatch(Character::isISOControl);
  }

  /**
   * Turns a received greeting into a peer name: decoded as UTF-8 (malformed bytes replaced),
   * control characters and bidirectional controls (U+202A to U+202E, U+2066 to U+2069, refused
   * in Vecino names) dropped, trimmed, cut to 255 UTF-8 bytes on a character boundary.
   *
   * @param chunk the bytes; not kept
   * @param offset the first byte
   * @param length the number of bytes
   * @return the name, or empty when nothing printable is left
   * @throws IndexOutOfBoundsException if the slice is outside the array
   */
  public static Optional<String> greetingName(byte[] chunk, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, chunk.length);
    String raw = new String(chunk, offset, length, StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(raw.length());
    int bytes = 0;
    for (int i = 0; i < raw.length(); ) {
      int cp = raw.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isISOControl(cp) || Utf8.isBidiControl(cp)) {
        continue;
      }
      int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + n > MAX_GREETING_BYTES) {
        break;
      }
      bytes += n;
      b.appendCodePoint(cp);
    }
    String name = b.toString().strip();
    return name.isEmpty() ? Optional.empty() : Optional.of(name);
  }

  @Override
  public String toString() {
    return "ClassicCodec{greeting=" + greeting + "}";
  }

  /** One connection's classic session. */
  private static final class ClassicSession implements CodecSession {
    private final byte[] opening;
    private final byte[] callPrefix;
    private final byte[] remoteIp;
    private final int maxMessage;

    // Decoder state: I/O thread only.
    private boolean awaitingGreeting;
    private boolean callPending;

    ClassicSession(SessionInfo info, String greeting) {
      boolean inbound = info.direction() == Direction.INBOUND;
      this.opening = inbound ? greeting.getBytes(StandardCharsets.UTF_8) : new byte[0];
      this.awaitingGreeting = !inbound;
      this.callPrefix = (CALL_PREFIX + ip(info.localAddress())).getBytes(StandardCharsets.UTF_8);
      this.remoteIp = ip(info.remoteAddress()).getBytes(StandardCharsets.US_ASCII);
      this.maxMessage = info.maxFrameSize();
    }

    private static String ip(InetSocketAddress a) {
      return a.getAddress().getHostAddress();
    }

    @Override
    public byte[] openingBytes() {
      return opening.clone();
    }

    @Override
    public int decode(ByteBuffer in, FrameSink sink) throws CodecException {
      int pos = in.position();
      int end = in.limit();
      while (pos < end) {
        int n = Math.min(end - pos, CHUNK_SIZE);
        if (pos + n == end) {
          int held = Utf8.incompleteTail(in, pos, end);
          if (held == n) {
            in.position(pos);
            return held + 1;
          }
          n -= held;
        } else {
          n -= Utf8.continuationsBefore(in, pos, pos + n);
        }
        // Advance before the callback so a sink that throws leaves a consistent position.
        in.position(pos + n);
        chunk(in, pos, n, sink);
        pos = in.position();
        end = in.limit();
      }
      return 1;
    }

    private void chunk(ByteBuffer in, int p, int n, FrameSink sink) throws CodecException {
      if (awaitingGreeting) {
        awaitingGreeting = false;
        byte[] bytes = new byte[n];
        in.get(p, bytes);
        Optional<String> name = greetingName(bytes, 0, n);
        if (name.isPresent()) {
          sink.onRemoteName(name.get());
        }
        return;
      }
      int marker = indexOf(in, p, p + n, MARKER_BYTES);
      if (marker >= 0) {
        if (callPending) {
          sink.onFrame(FrameType.CALL, in, p, 0);
        }
        int textStart = afterAddress(in, marker + MARKER_BYTES.length, p + n);
        if (textStart < p + n) {
          callPending = false;
          sink.onFrame(FrameType.CALL, in, textStart, p + n - textStart);
        } else {
          callPending = true;
        }
      } else if (callPending) {
        callPending = false;
        sink.onFrame(FrameType.CALL, in, p, n);
      } else {
        sink.onFrame(FrameType.TEXT, in, p, n);
      }
    }

    /**
     * Skips the spaces and the caller's address after the marker: the remote IP as we see
     * it if it is there, else the longest dotted quad.
     */
    private int afterAddress(ByteBuffer in, int p, int end) {
      while (p < end && in.get(p) == ' ') {
        p++;
      }
      if (startsWith(in, p, end, remoteIp)) {
        return p + remoteIp.length;
      }
      int q = p;
      for (int octet = 0; octet < 4; octet++) {
        int digits = 0;
        int value = 0;
        while (q < end && digits < 3 && in.get(q) >= '0' && in.get(q) <= '9'
            && value * 10 + (in.get(q) - '0') <= 255) {
          value = value * 10 + (in.get(q) - '0');
          q++;
          digits++;
        }
        if (digits == 0) {
          return octet == 0 ? p : q - 1;
        }
        if (octet < 3) {
          if (q < end && in.get(q) == '.') {
            q++;
          } else {
            return q;
          }
        }
      }
      return q;
    }

    private static boolean startsWith(ByteBuffer in, int p, int end, byte[] prefix) {
      if (end - p < prefix.length) {
        return false;
      }
      for (int i = 0; i < prefix.length; i++) {
        if (in.get(p + i) != prefix[i]) {
          return false;
        }
      }
      return true;
    }

    private static int indexOf(ByteBuffer in, int from, int to, byte[] needle) {
      for (int i = from; i <= to - needle.length; i++) {
        if (startsWith(in, i, to, needle)) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public int encodedLength(FrameType type, int payloadLength) {
      return (type == FrameType.CALL ? callPrefix.length : 0) + payloadLength;
    }

    @Override
    public void encode(FrameType type, ByteBuffer payload, ByteBuffer out) throws CodecException {
      if (!supports(type)) {
        throw new CodecException("the classic codec cannot carry " + type + " frames");
      }
      int n = payload.remaining();
      if (n > maxMessage) {
        throw new FrameTooLongException(n, maxMessage);
      }
      if (type == FrameType.CALL) {
        out.put(callPrefix);
      }
      out.put(out.position(), payload, payload.position(), n);
      out.position(out.position() + n);
    }

    @Override
    public boolean supports(FrameType type) {
      return type == FrameType.TEXT || type == FrameType.BINARY || type == FrameType.CALL;
    }
  }
}
