package dev.vecino.p2p.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A {@link FrameSink} that records what a codec decodes, for in-memory codec tests. */
final class Collected implements FrameSink {

  /** One decoded frame, its body copied. */
  record Frame(FrameType type, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return type + ":" + text();
    }
  }

  final List<Frame> frames = new ArrayList<>();
  final List<String> names = new ArrayList<>();

  @Override
  public void onFrame(FrameType type, ByteBuffer buffer, int offset, int length) {
    byte[] body = new byte[length];
    buffer.get(offset, body);
    frames.add(new Frame(type, body));
  }

  @Override
  public void onRemoteName(String name) {
    names.add(name);
  }

  List<String> texts() {
    return frames.stream().map(Frame::toString).toList();
  }

  /**
   * Feeds {@code data} to {@code session} in pieces cut at {@code cuts}, the way a connection
   * does: unconsumed bytes stay at the front of an accumulation buffer.
   */
  static Collected feed(CodecSession session, byte[] data, int... cuts) throws CodecException {
    Collected sink = new Collected();
    ByteBuffer acc = ByteBuffer.allocate(data.length + 1);
    int from = 0;
    int[] all = java.util.Arrays.copyOf(cuts, cuts.length + 1);
    all[cuts.length] = data.length;
    java.util.Arrays.sort(all);
    for (int cut : all) {
      int to = Math.max(from, Math.min(cut, data.length));
      acc.put(data, from, to - from);
      from = to;
      acc.flip();
      session.decode(acc, sink);
      acc.compact();
    }
    return sink;
  }
}
