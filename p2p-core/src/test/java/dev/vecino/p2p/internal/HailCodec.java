package dev.vecino.p2p.internal;

import dev.vecino.p2p.Direction;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.SessionInfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A third-party codec without a handshake, as an application would write one against the
 * {@link Codec} SPI alone: lines, as the line codec; the side that accepts greets with
 * {@code HAIL <name>\n}, and the side that connected reads that line as the peer's name.
 * With {@code greets} it tells the core how to recognise a greeting, so nodes using it can scan.
 */
final class HailCodec implements Codec {

  private static final byte[] HAIL = "HAIL ".getBytes(StandardCharsets.US_ASCII);

  private final Codec lines = Codec.line();
  private final boolean greets;
  private final Duration announceDelay;

  HailCodec(boolean greets, Duration announceDelay) {
    this.greets = greets;
    this.announceDelay = announceDelay;
  }

  @Override
  public String name() {
    return "hail";
  }

  @Override
  public boolean handshake() {
    return false;
  }

  @Override
  public Duration announceDelay() {
    return announceDelay;
  }

  @Override
  public boolean greets() {
    return greets;
  }

  @Override
  public boolean isGreeting(ByteBuffer firstRead) {
    if (!greets || firstRead.remaining() < HAIL.length) {
      return false;
    }
    for (int i = 0; i < HAIL.length; i++) {
      if (firstRead.get(firstRead.position() + i) != HAIL[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public CodecSession newSession(SessionInfo info) {
    return new Session(info, lines.newSession(info));
  }

  /** Lines, with the first one read on a connection this side opened taken as the greeting. */
  private static final class Session implements CodecSession, FrameSink {
    private final CodecSession lines;
    private final byte[] opening;
    private boolean awaitingGreeting;
    private FrameSink sink;

    Session(SessionInfo info, CodecSession lines) {
      this.lines = lines;
      boolean inbound = info.direction() == Direction.INBOUND;
      this.opening = inbound ? ("HAIL " + info.localName() + "\n").getBytes(StandardCharsets.UTF_8) : new byte[0];
      this.awaitingGreeting = !inbound;
    }

    @Override
    public int decode(ByteBuffer in, FrameSink sink) throws CodecException {
      this.sink = sink;
      return lines.decode(in, this);
    }

    @Override
    public void onFrame(FrameType type, ByteBuffer buffer, int offset, int length) throws CodecException {
      if (awaitingGreeting) {
        awaitingGreeting = false;
        byte[] line = new byte[length];
        buffer.get(offset, line);
        String s = new String(line, StandardCharsets.UTF_8);
        if (s.startsWith("HAIL ") && s.length() > 5) {
          sink.onRemoteName(s.substring(5));
        }
        return;
      }
      sink.onFrame(type, buffer, offset, length);
    }

    @Override
    public int encodedLength(FrameType type, int payloadLength) {
      return lines.encodedLength(type, payloadLength);
    }

    @Override
    public void encode(FrameType type, ByteBuffer payload, ByteBuffer out) throws CodecException {
      lines.encode(type, payload, out);
    }

    @Override
    public boolean supports(FrameType type) {
      return lines.supports(type);
    }

    @Override
    public byte[] openingBytes() {
      return opening.clone();
    }
  }
}
