package dev.vecino.p2p.internal;

import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A byte-transform stage (TLS, compression, a test's record framing): a decorator between the
 * transport's channel and the {@link Connection}, in both directions.
 *
 * <pre>
 *             onRead(network bytes)             onRead(plaintext)
 * transport ──────────────────────→ ByteStage ───────────────────→ Connection
 *  Channel  ←────────────────────── (Channel   ←─────────────────── (its writer, liveness,
 *            write(transformed)     + Handler)   write(plaintext)    session: every write)
 * </pre>
 *
 * <ul>
 *   <li>Towards the transport it is the {@link ChannelHandler}: {@link #onRead} receives
 *       network bytes, transforms them and passes plaintext to {@code upstream.onRead};
 *       {@link #onOpen}, {@link #onConnecting}, {@link #onWritable} and {@link #onClosed} are
 *       passed on, with this stage as the channel.
 *   <li>Towards the connection it is the {@link Channel}: the connection's writes
 *       ({@link #write}: plaintext) are transformed and written to {@code downstream}. A stage
 *       that holds transformed bytes back because the socket is full returns 0 from further
 *       writes until they are out, and asks the transport for {@link #onWritable} with
 *       {@code downstream.requestWritable()}. Like a socket, a write returns how many plaintext
 *       bytes it took and throws only if it took none: the writer counts taken bytes as
 *       written and completes their sends, so an error after taking some is thrown by the next
 *       write. {@link #shutdownOutput} lets it finish its stream first (a TLS close_notify).
 *       The rest delegates to {@code downstream}.
 * </ul>
 *
 * <p>This base class passes everything through unchanged; a stage overrides {@link #onRead},
 * {@link #write(ByteBuffer)} and, when it has a stream to finish, {@link #shutdownOutput}.
 * {@link #write(ByteBuffer[])} goes through {@link #write(ByteBuffer)}, so no write bypasses a
 * stage.
 *
 * <p><b>Composition:</b> a node's {@link NodeConfig#byteStages()}, a list of {@link Factory},
 * is applied to every connection when it is made (accepted, connected, or a scan probe), in
 * order: the first stage is the one next to the transport. The list is internal (tests use it;
 * TLS will) and empty by default: the connection then is the transport's handler and talks to
 * its channel directly, at no cost.
 *
 * <p><b>Thread safety:</b> the handler methods run on the channel's I/O thread, one at a time.
 * {@link #write} is called by one thread at a time, as {@link Channel} allows: the I/O thread
 * or a sender holding the connection's write turn, so a stateful stage must not assume the I/O
 * thread there, and must serialize nothing itself beyond what that rule gives it. Everything
 * else follows {@link Channel}. {@code downstream} is set on the I/O thread before the
 * connection sees this stage, so every write that follows sees it.
 */
abstract class ByteStage implements Channel, ChannelHandler {

  /** Makes one connection's stage. */
  @FunctionalInterface
  interface Factory {
    /**
     * Creates the stage that passes what it reads to {@code upstream} (the next stage, or the
     * connection); its {@code downstream} channel arrives with {@link ChannelHandler#onOpen}
     * (or {@link ChannelHandler#onConnecting}).
     */
    ByteStage create(ChannelHandler upstream);
  }

  /** What the transport talks to for {@code connection}: the connection itself, or its first stage. */
  static ChannelHandler wrap(List<Factory> factories, ChannelHandler connection) {
    ChannelHandler h = connection;
    for (int i = factories.size() - 1; i >= 0; i--) {
      h = factories.get(i).create(h);
    }
    return h;
  }

  /** The next stage towards the connection, or the connection. */
  protected final ChannelHandler upstream;
  /** The channel towards the transport: the transport's, or the previous stage. */
  protected volatile Channel downstream;

  protected ByteStage(ChannelHandler upstream) {
    this.upstream = upstream;
  }

  // ---- towards the transport: ChannelHandler ----

  @Override
  public void onConnecting(Channel channel) {
    downstream = channel;
    upstream.onConnecting(this);
  }

  @Override
  public void onOpen(Channel channel) {
    downstream = channel;
    upstream.onOpen(this);
  }

  /** Network bytes arrived: passes them on unchanged. A transforming stage overrides it. */
  @Override
  public void onRead(ByteBuffer data) {
    upstream.onRead(data);
  }

  @Override
  public void onWritable() {
    upstream.onWritable();
  }

  @Override
  public void onClosed(IOException cause) {
    upstream.onClosed(cause);
  }

  // ---- towards the connection: Channel ----

  /** Writes plaintext: passes it on unchanged. A transforming stage overrides it. */
  @Override
  public int write(ByteBuffer src) throws IOException {
    return downstream.write(src);
  }

  /** Writes the buffers in order through {@link #write(ByteBuffer)}, until one is not taken whole. */
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
  public void shutdownOutput() throws IOException {
    downstream.shutdownOutput();
  }

  @Override
  public EventLoop eventLoop() {
    return downstream.eventLoop();
  }

  @Override
  public InetSocketAddress localAddress() {
    return downstream.localAddress();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return downstream.remoteAddress();
  }

  @Override
  public void requestWritable() {
    downstream.requestWritable();
  }

  @Override
  public void pauseReading(boolean paused) {
    downstream.pauseReading(paused);
  }

  @Override
  public void close() {
    downstream.close();
  }

  @Override
  public void abort() {
    downstream.abort();
  }

  @Override
  public boolean isOpen() {
    return downstream.isOpen();
  }
}
