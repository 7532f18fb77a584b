package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.transport.ChannelHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stateful byte-transform stage for tests, shaped like a TLS record layer: between the node
 * and the socket it cuts the outgoing stream into records of at most {@link #MAX_RECORD} bytes,
 * each numbered by a running counter ({@code [counter:4][length:2][bytes]}), and checks and
 * strips them on the way in. Like {@code SSLEngine.wrap}, it must see every write, one at a
 * time and in order: a write that bypassed it, two writers at once, or a record written twice
 * or out of order makes the other side see a wrong counter, which closes the connection with a
 * clear reason (a failure of the test that uses it), and an overlapping write fails at once.
 *
 * <p>Like a socket, a write returns how many plaintext bytes it took and throws only if it took
 * none: an error after it took some is thrown by the next write (the node counts taken bytes
 * as written and completes their sends). It holds encoded bytes the socket did not take and
 * reports no progress until they are out, as a TLS stage must: the node's writer then waits for the socket to drain
 * ({@code Channel.requestWritable}), and this stage writes the held bytes first.
 *
 * <p>It is a {@link ByteStage}, the seam TLS will use: {@link #node} puts it on every
 * connection of a node, between the transport and the connection, in both directions.
 *
 * <p><b>Thread safety:</b> the outbound side is called by the holder of the connection's write
 * turn (any thread, one at a time: checked), and by the I/O thread for
 * {@code shutdownOutput}/{@code onWritable}; the inbound side on the I/O thread only.
 */
public final class RecordStage extends ByteStage {

  static final int MAX_RECORD = 1_000;
  private static final int HEADER = 6;

  /** Records checked by every stage in this JVM, for tests to see the stage worked. */
  public static final AtomicLong RECORDS_IN = new AtomicLong();

  private final AtomicBoolean writing = new AtomicBoolean();

  // Outbound: the write-turn holder's.
  private int outCounter;
  /** Encoded bytes the socket has not taken yet. */
  private final ByteBuffer held = ByteBuffer.allocate(HEADER + MAX_RECORD);
  private boolean shutdownWanted;
  /** A write failed after this stage took bytes of the same call: thrown by the next write. */
  private IOException pendingError;

  // Inbound: the I/O thread's.
  private int inCounter;
  private final ByteBuffer partial = ByteBuffer.allocate(HEADER + MAX_RECORD);

  RecordStage(ChannelHandler upstream) {
    super(upstream);
    held.flip();
  }

  /** The node {@code builder} builds (not started), with a record stage on every connection. */
  public static PeerNode node(PeerNodeBuilder builder) {
    return StagedNodes.build(builder, java.util.List.of(RecordStage::new));
  }

  // ---- towards the node: a Channel ----

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (!writing.compareAndSet(false, true)) {
      throw new IllegalStateException("two writers at once on a stateful stage");
    }
    try {
      if (pendingError != null) {
        throw pendingError;
      }
      if (!flushHeld()) {
        return 0;
      }
      int taken = 0;
      while (src.hasRemaining()) {
        int n = Math.min(src.remaining(), MAX_RECORD);
        held.clear();
        held.putInt(outCounter++).putShort((short) n);
        ByteBuffer slice = src.slice(src.position(), n);
        held.put(slice);
        held.flip();
        src.position(src.position() + n);
        taken += n;
        try {
          if (!flushHeld()) {
            break;
          }
        } catch (IOException e) {
          // Like a socket, a write that took bytes returns their count; the error comes next.
          pendingError = e;
          break;
        }
      }
      return taken;
    } finally {
      writing.set(false);
    }
  }

  /** Writes held bytes; true when none are left. */
  private boolean flushHeld() throws IOException {
    while (held.hasRemaining()) {
      if (downstream.write(held) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Writes held bytes outside a write (the socket drained, the end of the stream); checks nobody writes. */
  private boolean flushHeldAlone() throws IOException {
    if (!writing.compareAndSet(false, true)) {
      throw new IllegalStateException("the I/O thread flushes a stateful stage while a sender writes");
    }
    try {
      return flushHeld();
    } finally {
      writing.set(false);
    }
  }




  @Override
  public void shutdownOutput() throws IOException {
    // The stream ends after the held bytes, as TLS sends close_notify after its last record.
    if (flushHeldAlone()) {
      downstream.shutdownOutput();
    } else {
      shutdownWanted = true;
      downstream.requestWritable();
    }
  }







  // ---- towards the transport: a ChannelHandler ----



  @Override
  public void onRead(ByteBuffer data) {
    // What arrives now, and the start of a record an earlier read cut.
    ByteBuffer plain = ByteBuffer.allocate(data.remaining() + partial.position());
    while (data.hasRemaining()) {
      int need = partial.position() < HEADER ? HEADER - partial.position()
          : HEADER + (partial.getShort(4) & 0xFFFF) - partial.position();
      int n = Math.min(need, data.remaining());
      partial.put(partial.position(), data, data.position(), n);
      partial.position(partial.position() + n);
      data.position(data.position() + n);
      if (partial.position() >= HEADER && partial.position() == HEADER + (partial.getShort(4) & 0xFFFF)) {
        int counter = partial.getInt(0);
        if (counter != inCounter) {
          // A lost, doubled or reordered record: the write path broke its promise.
          downstream.close();
          throw new IllegalStateException("record " + counter + " arrived where " + inCounter + " was due");
        }
        inCounter++;
        RECORDS_IN.incrementAndGet();
        plain.put(partial.array(), HEADER, partial.position() - HEADER);
        partial.clear();
      }
    }
    plain.flip();
    if (plain.hasRemaining()) {
      upstream.onRead(plain);
    }
  }

  @Override
  public void onWritable() {
    try {
      if (!flushHeldAlone()) {
        downstream.requestWritable();
        return;
      }
      if (shutdownWanted) {
        shutdownWanted = false;
        downstream.shutdownOutput();
      }
    } catch (IOException e) {
      downstream.close();
      return;
    }
    upstream.onWritable();
  }

}
