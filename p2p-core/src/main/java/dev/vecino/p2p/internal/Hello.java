package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.codec.CodecException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The HELLO frame body (see docs/PROTOCOL.md):
 *
 * <pre>
 * magic "VCNO" (4) | min version (u8) | max version (u8) | id (16) | listen port (u16)
 * | name length (u8) | name (UTF-8) | group length (u8) | group (UTF-8)
 * | extensions: repeated { type (u16) | length (u16) | value }
 * </pre>
 *
 * Unknown extensions are kept and ignored, so later features add extensions, not versions.
 */
public record Hello(
    int minVersion, int maxVersion, PeerId id, int listenPort, String name, String group,
    List<Extension> extensions) {

  /** The magic bytes "VCNO" that open every HELLO body. */
  public static final int MAGIC = 0x56434E4F;
  /** The protocol version this implementation speaks. */
  public static final int VERSION = 1;
  /** The lowest version this implementation accepts. */
  public static final int MIN_VERSION = 1;
  /** The largest HELLO frame accepted, so a stranger cannot make us buffer much. */
  public static final int MAX_HELLO_FRAME = 4096;
  /** Fixed part: magic, versions, id, port. */
  private static final int FIXED_LENGTH = 4 + 1 + 1 + 16 + 2;

  /** An extension: a type and its opaque value. */
  public record Extension(int type, byte[] value) {
    public Extension {
      if (type < 0 || type > 0xFFFF) {
        throw new IllegalArgumentException("extension type must be 0..65535: " + type);
      }
      if (value.length > 0xFFFF) {
        throw new IllegalArgumentException("extension value longer than 65535 bytes");
      }
    }
  }

  public Hello {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(group, "group");
    extensions = List.copyOf(extensions);
  }

  /** Returns the highest version both sides speak, or -1 when they share none. */
  public int negotiate(Hello other) {
    int high = Math.min(maxVersion, other.maxVersion);
    int low = Math.max(minVersion, other.minVersion);
    return high >= low ? high : -1;
  }

  /** Encodes the body into a new array. */
  public byte[] encode() {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] g = group.getBytes(StandardCharsets.UTF_8);
    int size = FIXED_LENGTH + 1 + n.length + 1 + g.length;
    for (Extension e : extensions) {
      size += 4 + e.value().length;
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(MAGIC).put((byte) minVersion).put((byte) maxVersion)
        .putLong(id.high()).putLong(id.low()).putShort((short) listenPort)
        .put((byte) n.length).put(n).put((byte) g.length).put(g);
    for (Extension e : extensions) {
      b.putShort((short) e.type()).putShort((short) e.value().length).put(e.value());
    }
    return b.array();
  }

  /**
   * Returns whether {@code buf[from, to)} (absolute) starts with the header of a framed HELLO:
   * a length a HELLO can have, type 0x01 and the magic. Codecs without a handshake use it to
   * recognise a framed Vecino node, which greets with its HELLO, in a connection's first bytes.
   */
  public static boolean isFramedHelloHeader(ByteBuffer buf, int from, int to) {
    if (to - from < 4 + 1 + 4) {
      return false;
    }
    long length = buf.getInt(from) & 0xFFFF_FFFFL;
    return length >= 1 + FIXED_LENGTH + 2 && length <= MAX_HELLO_FRAME && buf.get(from + 4) == 0x01
        && buf.getInt(from + 5) == MAGIC;
  }

  /** Returns whether a frame body starts with the HELLO magic. */
  public static boolean hasMagic(ByteBuffer buf, int offset, int length) {
    return length >= 4 && buf.getInt(offset) == MAGIC;
  }

  /**
   * Decodes a HELLO body at {@code buf[offset, offset + length)} (absolute; the buffer's
   * position is not moved).
   *
   * @throws CodecException naming what is malformed
   */
  public static Hello decode(ByteBuffer buf, int offset, int length) throws CodecException {
    if (length < FIXED_LENGTH + 2) {
      throw new CodecException("HELLO too short: " + length + " bytes");
    }
    if (buf.getInt(offset) != MAGIC) {
      throw new CodecException("HELLO without the VCNO magic");
    }
    int p = offset + 4;
    int end = offset + length;
    int min = buf.get(p++) & 0xFF;
    int max = buf.get(p++) & 0xFF;
    if (min > max || min == 0) {
      throw new CodecException("HELLO with invalid version range " + min + ".." + max);
    }
    PeerId id = new PeerId(buf.getLong(p), buf.getLong(p + 8));
    p += 16;
    int port = buf.getShort(p) & 0xFFFF;
    p += 2;
    int nameLength = buf.get(p++) & 0xFF;
    String name = utf8(buf, p, nameLength, end, "name");
    p += nameLength;
    if (p >= end) {
      throw new CodecException("HELLO truncated before the group");
    }
    int groupLength = buf.get(p++) & 0xFF;
    String group = utf8(buf, p, groupLength, end, "group");
    p += groupLength;
    List<Extension> extensions = new ArrayList<>(0);
    while (p < end) {
      if (end - p < 4) {
        throw new CodecException("HELLO extension header truncated");
      }
      int type = buf.getShort(p) & 0xFFFF;
      int len = buf.getShort(p + 2) & 0xFFFF;
      p += 4;
      if (end - p < len) {
        throw new CodecException("HELLO extension " + type + " truncated: needs " + len + " bytes");
      }
      byte[] value = new byte[len];
      buf.get(p, value);
      p += len;
      extensions.add(new Extension(type, value));
    }
    return new Hello(min, max, id, port, name, group, extensions);
  }

  private static String utf8(ByteBuffer buf, int p, int len, int end, String what) throws CodecException {
    if (len == 0) {
      throw new CodecException("HELLO with an empty " + what);
    }
    if (end - p < len) {
      throw new CodecException("HELLO " + what + " truncated");
    }
    byte[] bytes = new byte[len];
    buf.get(p, bytes);
    String s;
    try {
      s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new CodecException("HELLO " + what + " is not valid UTF-8", e);
    }
    String bad = Names.forbidden(s);
    if (bad != null) {
      // Refused like any malformed HELLO: a bidi override would let the peer show its name reversed.
      throw new CodecException("HELLO " + what + " contains " + bad);
    }
    return s;
  }
}
