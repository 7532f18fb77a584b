package dev.vecino.bench;

import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.FramedCodec;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The framed codec alone, in memory: encode one frame, decode one frame, and both. Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} must be ~0 B/op (the codec allocates nothing).
 *
 * <p>{@link #baselineCopy} is the floor: copying the payload into the output buffer, which any
 * encoder must do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class CodecBench {

  /** Payload size in bytes. */
  @Param({"64", "1024"})
  public int size;

  private CodecSession session;
  private byte[] payload;
  private ByteBuffer out;
  private ByteBuffer encoded;
  private CountingSink sink;

  /** Builds the session, the payload and a buffer holding one encoded frame. */
  @Setup(Level.Trial)
  public void setUp() throws CodecException {
    session = FramedCodec.session(16 * 1024 * 1024);
    payload = new byte[size];
    for (int i = 0; i < size; i++) {
      payload[i] = (byte) i;
    }
    out = ByteBuffer.allocateDirect(session.encodedLength(FrameType.BINARY, size) + 64);
    encoded = ByteBuffer.allocateDirect(out.capacity());
    session.encode(FrameType.BINARY, payload, 0, size, encoded);
    encoded.flip();
    sink = new CountingSink();
  }

  /** Floor: the payload copy alone. */
  @Benchmark
  public ByteBuffer baselineCopy() {
    out.clear();
    out.put(payload, 0, size);
    return out;
  }

  /** Encodes one BINARY frame into a reused direct buffer. */
  @Benchmark
  public ByteBuffer encode() throws CodecException {
    out.clear();
    session.encode(FrameType.BINARY, payload, 0, size, out);
    return out;
  }

  /** Decodes one frame; the sink reads the first and last body byte so nothing is dead. */
  @Benchmark
  public int decode(Blackhole bh) throws CodecException {
    encoded.position(0);
    int next = session.decode(encoded, sink);
    bh.consume(sink.checksum);
    return next;
  }

  /** Encodes a frame and decodes it again: the per-message codec cost of a round trip. */
  @Benchmark
  public int encodeDecode(Blackhole bh) throws CodecException {
    out.clear();
    session.encode(FrameType.BINARY, payload, 0, size, out);
    out.flip();
    int next = session.decode(out, sink);
    bh.consume(sink.checksum);
    return next;
  }

  /** Touches each frame's body so the JIT cannot drop the decode. */
  static final class CountingSink implements FrameSink {
    long checksum;

    @Override
    public void onFrame(FrameType type, ByteBuffer buffer, int offset, int length) {
      checksum += type.code() + length + buffer.get(offset) + buffer.get(offset + length - 1);
    }
  }
}
