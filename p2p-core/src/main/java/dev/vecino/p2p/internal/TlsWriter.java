package dev.vecino.p2p.internal;

import dev.vecino.p2p.transport.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The outbound half of a {@link TlsStage}: every {@code engine.wrap}, the records made and not
 * yet taken by the socket, and the end of the stream (close_notify, the half-close).
 *
 * <h2>Design and hazards</h2>
 * <table>
 * <caption>State: who owns it</caption>
 * <tr><th>state</th><th>guard</th><th>written by</th></tr>
 * <tr><td>{@code netOut}, {@code pendingError}, {@code sent} and the record marks,
 * {@code shutdownWanted}, {@code outputShut}, {@code closing}, {@code writerWaits}, every
 * {@code engine.wrap}</td><td>{@code lock}</td><td>the write-turn holder (the I/O thread or a
 * sender, one at a time by the connection's write turn) in {@link #write}; the I/O thread for the
 * engine's own messages (handshake, alerts, a KeyUpdate answer), which the turn does not cover,
 * and for draining, shutting and closing</td></tr>
 * </table>
 *
 * <p>Invariants: (1) records leave in the order the engine made them: wraps and socket writes
 * happen under {@code lock}; (2) what {@link #write} reports taken was wrapped and is written
 * or held in {@code netOut} (at most {@link #RECORDS} records, beyond the connection's queue
 * bound), and held records leave when the socket drains, whether or not anyone writes again;
 * (3) when the socket fails, only the plaintext of records that reached it whole counts as
 * taken; (4) after {@code closing}, nothing is taken.
 */
final class TlsWriter {

  /** Records {@code netOut} holds, so one write of a whole batch becomes one socket write. */
  static final int RECORDS = 8;
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  /** What {@link #drained} leaves the stage to do. */
  enum Drained {
    /** Records still wait for the socket: writable was asked for again. */
    BLOCKED,
    /** Everything is out: the stage tells the writer, or goes on with the handshake. */
    EMPTY,
    /** Everything is out and the stage is closing: close_notify and the half-close follow. */
    CLOSING
  }

  private final SSLEngine engine;
  private final Supplier<Channel> downstream;
  private final Object lock = new Object();

  // Guarded by lock.
  /** The largest record the engine makes; read once, not under the engine's lock per record. */
  private int packetSize;
  private ByteBuffer netOut;
  private IOException pendingError;
  private boolean shutdownWanted;
  private boolean outputShut;
  private boolean closing;
  private boolean writerWaits;
  /** Bytes {@link #flushLocked} wrote since {@link #takeLocked} began; with the records' ends and plaintext. */
  private long sent;
  private long[] recordEnds = new long[RECORDS];
  private long[] recordPlain = new long[RECORDS];

  TlsWriter(SSLEngine engine, Supplier<Channel> downstream) {
    this.engine = engine;
    this.downstream = downstream;
  }

  /** The handshake begins: room for a batch of records. I/O thread. */
  void begin() {
    synchronized (lock) {
      packetSize = engine.getSession().getPacketBufferSize();
      netOut = ByteBuffer.allocate(RECORDS * packetSize);
    }
  }

  /** The writer waits for the tunnel or the socket; true once, then cleared. */
  boolean takeWriterWaits() {
    synchronized (lock) {
      boolean w = writerWaits;
      writerWaits = false;
      return w;
    }
  }

  /** The writer asked for writable while the tunnel is not up: remembered for when it is. */
  void writerWaits() {
    synchronized (lock) {
      writerWaits = true;
    }
  }

  /** Whether records counted as written still wait for the socket. */
  boolean holding() {
    synchronized (lock) {
      return netOut != null && netOut.position() > 0;
    }
  }

  /** Whether the stage is closing: nothing more is taken. */
  boolean closing() {
    synchronized (lock) {
      return closing;
    }
  }

  /** Whether close_notify and the half-close are sent or on their way. */
  boolean outputShut() {
    synchronized (lock) {
      return outputShut;
    }
  }

  /**
   * Wraps what the engine itself must send (handshake messages, an alert, a KeyUpdate answer)
   * and writes it. I/O thread.
   *
   * @return the handshake status after, or null when the socket is full (writable is asked for)
   */
  HandshakeStatus wrapOwn() throws SSLException {
    synchronized (lock) {
      if (netOut == null) {
        return null;
      }
      HandshakeStatus hs;
      while (true) {
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
          if (!flushLocked()) {
            downstream.get().requestWritable();
            return null;
          }
          continue;
        }
        hs = r.getHandshakeStatus();
        if (hs != HandshakeStatus.NEED_WRAP) {
          break;
        }
      }
      if (!flushLocked()) {
        downstream.get().requestWritable();
        return null;
      }
      return hs;
    }
  }

  /**
   * Wraps and writes plaintext: the write-turn holder's. Takes nothing (0) while the tunnel is
   * not up or records wait for the socket; the writer then waits for writable.
   *
   * @param tunnelUp whether the handshake is done
   * @return the plaintext bytes taken
   */
  int write(ByteBuffer src, boolean tunnelUp) throws IOException {
    boolean held;
    int taken;
    synchronized (lock) {
      if (netOut == null || closing) {
        throw new SSLException("the TLS connection is closed");
      }
      if (pendingError != null) {
        IOException e = pendingError;
        pendingError = null;
        throw e;
      }
      if (!tunnelUp || !flushLocked()) {
        writerWaits = true;
        return 0;
      }
      taken = takeLocked(src);
      held = netOut.position() > 0;
    }
    if (held) {
      flushWhenWritable();
    }
    return taken;
  }

  /**
   * Wraps {@code src} into records and writes them, as far as the socket takes them (records it
   * did not take are held, and count as taken). When the socket fails, only the plaintext of
   * records that reached it whole counts: {@code src} is set back to the end of the last one,
   * and the error is thrown now if none did, else by the next write. Lock held; {@code netOut}
   * empty on entry.
   */
  private int takeLocked(ByteBuffer src) throws IOException {
    int start = src.position();
    sent = 0;
    long produced = 0;
    int records = 0;
    try {
      while (src.hasRemaining()) {
        if (netOut.remaining() < packetSize && !flushLocked()) {
          break;
        }
        SSLEngineResult r = engine.wrap(src, netOut);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
          if (src.position() == start) {
            throw new SSLException("TLS output closed");
          }
          break;
        }
        produced += r.bytesProduced();
        recordEnds = grow(recordEnds, records);
        recordPlain = grow(recordPlain, records);
        recordEnds[records] = produced;
        recordPlain[records] = src.position() - start;
        records++;
      }
      flushLocked();
      return src.position() - start;
    } catch (IOException e) {
      int whole = 0;
      for (int i = 0; i < records && recordEnds[i] <= sent; i++) {
        whole = (int) recordPlain[i];
      }
      src.position(start + whole);
      netOut.clear();
      if (whole == 0) {
        throw e;
      }
      // Like a socket: a write that took bytes returns their count; the error comes next.
      pendingError = e;
      return whole;
    }
  }

  private static long[] grow(long[] a, int n) {
    return n < a.length ? a : Arrays.copyOf(a, 2 * a.length);
  }

  /** Asks the transport for writable to write held records: they leave whether or not the writer writes again. */
  private void flushWhenWritable() {
    Channel ch = downstream.get();
    if (ch.eventLoop().inEventLoop()) {
      ch.requestWritable();
    } else {
      ch.eventLoop().execute(() -> {
        if (ch.isOpen()) {
          ch.requestWritable();
        }
      });
    }
  }

  /** Writes the records in {@code netOut}; true when none are left. Lock held. */
  private boolean flushLocked() throws SSLException {
    if (netOut.position() == 0) {
      return true;
    }
    netOut.flip();
    try {
      while (netOut.hasRemaining()) {
        int n = downstream.get().write(netOut);
        sent += n;
        if (n == 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      throw new SSLException("write failed: " + e.getMessage(), e);
    } finally {
      netOut.compact();
    }
  }

  /** The socket drained: writes held records, and a half-close that waited for them. I/O thread. */
  Drained drained() throws IOException {
    synchronized (lock) {
      if (netOut != null && !flushLocked()) {
        downstream.get().requestWritable();
        return Drained.BLOCKED;
      }
      if (shutdownWanted) {
        shutdownWanted = false;
        downstream.get().shutdownOutput();
      }
      return closing && !outputShut ? Drained.CLOSING : Drained.EMPTY;
    }
  }

  /** Ends the stream: close_notify after the held records, then the TCP half-close. I/O thread. */
  void shutdown() throws IOException {
    synchronized (lock) {
      if (netOut == null || outputShut) {
        return;
      }
      outputShut = true;
      engine.closeOutbound();
      while (!engine.isOutboundDone()) {
        SSLEngineResult r = engine.wrap(EMPTY, netOut);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && !flushLocked()) {
          break;
        }
        if (r.getStatus() == SSLEngineResult.Status.CLOSED && r.bytesProduced() == 0) {
          break;
        }
      }
      if (flushLocked()) {
        downstream.get().shutdownOutput();
      } else {
        shutdownWanted = true;
        downstream.get().requestWritable();
      }
    }
  }

  /**
   * Starts closing: nothing more is taken. I/O thread.
   *
   * @param tunnelUp whether the handshake is done (else there is no stream to end)
   * @return -1 to close at once (a second close, no tunnel, or a stream ended and written), 0
   *     when nothing is held (end the stream now), 1 when records wait for the socket
   */
  int beginClose(boolean tunnelUp) {
    synchronized (lock) {
      boolean first = !closing;
      closing = true;
      if (!first || netOut == null || !tunnelUp) {
        return -1;
      }
      try {
        if (!flushLocked()) {
          // Records counted as written (a BYE among them) still wait for the socket, even when
          // the stream was ended already: they go first, as a socket's kernel would send them.
          return 1;
        }
        if (shutdownWanted) {
          shutdownWanted = false;
          downstream.get().shutdownOutput();
        }
      } catch (IOException e) {
        return -1;
      }
      return outputShut ? -1 : 0;
    }
  }

  /** The tunnel failed: sends the engine's alert, if it has one, as a courtesy. I/O thread. */
  void alert() {
    synchronized (lock) {
      if (netOut == null) {
        return;
      }
      try {
        engine.closeOutbound();
        engine.wrap(EMPTY, netOut);
        flushLocked();
      } catch (SSLException | RuntimeException ignored) {
        // The alert is a courtesy; the close is what matters.
      }
    }
  }

  /** The channel closed: drops the records. I/O thread. */
  void release() {
    synchronized (lock) {
      netOut = null;
    }
  }
}
