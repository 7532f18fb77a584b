package dev.vecino.p2p.embedded;

import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * An in-memory {@link Channel}, in the spirit of Netty's {@code EmbeddedChannel}: a handler (a
 * whole connection, or one stage of it) runs on the test thread, which is the channel's
 * {@link EmbeddedEventLoop}. The test decides everything the network would:
 *
 * <ul>
 *   <li>reads: {@link #feed} delivers bytes as one read, {@link #feedCut} as several reads cut
 *       at any positions, each in a fresh buffer valid only during the call, as a socket's;
 *   <li>writes: everything written is recorded ({@link #written}); {@link #writeBudget} is how
 *       many bytes the socket still takes (0: full), {@link #scriptWrites} caps each next write
 *       (a write that takes N bytes), {@link #writeError} makes a write fail once the budget is
 *       spent, and {@link #drain} empties the socket and tells the handler it may write again;
 *   <li>closes: {@link #remoteClose()} is the other side's FIN; {@link #close()} and
 *       {@link #abort()} close at once, the handler hearing {@code onClosed} inside the call,
 *       as {@code NioChannel} does.
 * </ul>
 *
 * <p>Tasks the handler queues run after each read, drain and close; timers fire when the test
 * tells the loop ({@link EmbeddedEventLoop#fireTimers}, {@link EmbeddedEventLoop#advance}).
 *
 * <p><b>Thread safety:</b> used by the loop's thread, except {@link #write} (any one thread at
 * a time, as {@link Channel} allows: a sender that writes inline), {@link #close()} (hops onto
 * the loop from another thread) and the read-only accessors.
 */
public class EmbeddedChannel implements Channel {

  /** The handler that receives this channel's events. */
  public final ChannelHandler handler;
  /** The other end. */
  public final InetSocketAddress remote;
  /** Our end. */
  public final InetSocketAddress local;
  /** Every byte written so far, in order (guarded by itself). */
  public final ByteArrayOutputStream written = new ByteArrayOutputStream();
  /** Whether the channel is open. */
  public volatile boolean open = true;
  /** Whether the handler half-closed ({@link #shutdownOutput}). */
  public boolean outputShut;
  /** Whether the handler reset the connection ({@link #abort}). */
  public boolean aborted;
  /** Whether reading is paused ({@link #pauseReading}); reads are still delivered when fed. */
  public boolean readPaused;
  /** Bytes the socket still takes; a write takes at most this many (0: the socket is full). */
  public volatile long writeBudget = Long.MAX_VALUE;
  /** Thrown by a write once the budget is spent (a reset), or null: the socket is just full. */
  public volatile IOException writeError;
  /** The handler asked to hear when the full socket drains ({@link #drain}). */
  public volatile boolean writeWanted;
  /** Runs on the writing thread after a write took its bytes, before it returns; or null. */
  public volatile Runnable afterWrite;
  /** Writes made so far, the empty ones included. */
  public volatile int writes;
  private final EmbeddedEventLoop loop;
  private final ArrayDeque<Integer> script = new ArrayDeque<>();

  /**
   * Creates a channel; {@link #open()} tells the handler.
   *
   * @param loop the loop the channel belongs to (the test thread's)
   * @param handler the handler under test
   * @param remote the other end's address
   */
  public EmbeddedChannel(EmbeddedEventLoop loop, ChannelHandler handler, InetSocketAddress remote) {
    this.loop = loop;
    this.handler = handler;
    this.remote = remote;
    this.local = new InetSocketAddress(remote.getAddress(), 7);
  }

  /** Tells the handler the channel opened, then runs the tasks it queued. */
  public EmbeddedChannel open() {
    handler.onOpen(this);
    loop.runTasks();
    return this;
  }

  /** Delivers {@code bytes} as one read. */
  public void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  /** Delivers {@code bytes[from, to)} as one read, then runs the tasks it queued. */
  public void feed(byte[] bytes, int from, int to) {
    if (!open || from == to) {
      return;
    }
    // Like a socket read: a fresh buffer, valid only during the call, with room around it.
    ByteBuffer b = ByteBuffer.allocate(to - from + 16);
    b.position(8);
    b.put(bytes, from, to - from);
    b.limit(b.position()).position(8);
    handler.onRead(b.slice());
    loop.runTasks();
  }

  /** Delivers {@code bytes} as several reads, cut at {@code cuts} (positions, in any order; out of range ones ignored). */
  public void feedCut(byte[] bytes, int... cuts) {
    int[] points = Arrays.stream(cuts).filter(c -> c > 0 && c < bytes.length).sorted().distinct().toArray();
    int from = 0;
    for (int cut : points) {
      feed(bytes, from, cut);
      from = cut;
    }
    feed(bytes, from, bytes.length);
  }

  /** The other side closes: EOF. */
  public void remoteClose() {
    if (open) {
      open = false;
      handler.onClosed(new EOFException("end of stream"));
    }
    loop.runTasks();
  }

  /** The bytes written so far. */
  public byte[] written() {
    synchronized (written) {
      return written.toByteArray();
    }
  }

  /** The bytes written from {@code offset} on (for what followed an earlier look). */
  public byte[] writtenFrom(int offset) {
    byte[] all = written();
    return Arrays.copyOfRange(all, Math.min(offset, all.length), all.length);
  }

  /** Caps the next writes: the first takes at most {@code sizes[0]} bytes, the next {@code sizes[1]}, ... */
  public void scriptWrites(int... sizes) {
    synchronized (script) {
      for (int n : sizes) {
        script.add(n);
      }
    }
  }

  /** The socket drains: writes take {@code budget} more bytes; tells the handler if it asked. */
  public void drain(long budget) {
    writeBudget = budget;
    if (writeWanted) {
      writeWanted = false;
      loop.execute(handler::onWritable);
    }
    loop.runTasks();
  }

  @Override
  public EventLoop eventLoop() {
    return loop;
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return remote;
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    if (!open || outputShut) {
      throw new IOException("closed");
    }
    writes++;
    if (writeBudget == 0 && writeError != null && src.hasRemaining()) {
      throw writeError;
    }
    long cap = writeBudget;
    synchronized (script) {
      Integer next = script.poll();
      if (next != null) {
        cap = Math.min(cap, next);
      }
    }
    int n = (int) Math.min(src.remaining(), cap);
    writeBudget -= n;
    byte[] copy = new byte[n];
    src.get(copy);
    synchronized (written) {
      written.write(copy, 0, n);
    }
    Runnable hook = afterWrite;
    if (hook != null) {
      hook.run();
    }
    return n;
  }

  @Override
  public long write(ByteBuffer[] srcs) throws IOException {
    long n = 0;
    for (ByteBuffer b : srcs) {
      int before = b.remaining();
      int took = write(b);
      n += took;
      if (took < before) {
        break;
      }
    }
    return n;
  }

  @Override
  public void requestWritable() {
    if (writeBudget == 0) {
      // Full: the handler hears of it when the test drains the socket.
      writeWanted = true;
    } else {
      loop.execute(handler::onWritable);
    }
  }

  @Override
  public void pauseReading(boolean paused) {
    readPaused = paused;
  }

  @Override
  public void shutdownOutput() {
    outputShut = true;
  }

  @Override
  public void close() {
    if (!loop.inEventLoop()) {
      loop.execute(this::close);
      return;
    }
    // Like NioChannel: closes at once, the handler hears it inside the call.
    if (open) {
      open = false;
      handler.onClosed(null);
    }
  }

  @Override
  public void abort() {
    aborted = true;
    close();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public String toString() {
    return "EmbeddedChannel{" + remote + (open ? "" : ", closed") + "}";
  }
}
