package dev.vecino.p2p.embedded;

import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.internal.Hello;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Framed-protocol bytes for tests that play the other side of a connection (docs/PROTOCOL.md 1.1). */
public final class Frames {

  private Frames() {}

  /** One frame: 4-byte length (type byte included), type, body. */
  public static byte[] frame(FrameType type, byte[] body) {
    return ByteBuffer.allocate(5 + body.length).putInt(body.length + 1).put((byte) type.code()).put(body).array();
  }

  /** A HELLO frame of protocol version 1 from {@code id}. */
  public static byte[] hello(PeerId id, String name, String group) {
    return frame(FrameType.HELLO, new Hello(1, 1, id, 0, name, group, List.of()).encode());
  }

  /** A TEXT frame. */
  public static byte[] text(String text) {
    return frame(FrameType.TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A BYE frame with reason code 0 and {@code text}. */
  public static byte[] bye(String text) {
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    byte[] body = new byte[1 + t.length];
    System.arraycopy(t, 0, body, 1, t.length);
    return frame(FrameType.BYE, body);
  }

  /** The frames concatenated. */
  public static byte[] concat(byte[]... frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      out.writeBytes(f);
    }
    return out.toByteArray();
  }

  /** A parsed frame. */
  public record Frame(FrameType type, byte[] body) {}

  /** The whole frames in {@code bytes}, in order (a partial frame at the end is ignored). */
  public static List<Frame> parse(byte[] bytes) {
    List<Frame> frames = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.remaining() >= 5) {
      int length = b.getInt(b.position());
      if (length < 1 || b.remaining() < 4 + length) {
        break;
      }
      byte[] body = new byte[length - 1];
      b.get(b.position() + 5, body);
      frames.add(new Frame(FrameType.fromCode(b.get(b.position() + 4)), body));
      b.position(b.position() + 4 + length);
    }
    return frames;
  }

  /** The types of the whole frames in {@code bytes}, in order. */
  public static List<FrameType> types(byte[] bytes) {
    return parse(bytes).stream().map(Frame::type).toList();
  }
}
