package dev.vecino.p2p.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SocketChannel} registered with one {@link NioEventLoop}. All state is confined to
 * that loop's thread; {@link #close()} and {@link #abort()} hop onto it from other threads.
 * {@link #write(ByteBuffer)} is the exception: the holder of the connection's write turn calls
 * it, which may be a sending thread (see {@code Outbound}); it touches only the socket, which
 * is safe for one writer beside the loop's reads. A
 * handler method that throws a {@link RuntimeException} closes this channel (logged at WARN);
 * an {@link Error} is not caught here: it kills the loop, which reports it.
 */
final class NioChannel implements Channel {

  private static final Logger log = LoggerFactory.getLogger(NioChannel.class);

  private final NioEventLoop loop;
  private final SocketChannel ch;
  private final ChannelHandler handler;
  private InetSocketAddress remote;
  private volatile InetSocketAddress local;
  private SelectionKey key;
  private volatile boolean open = true;
  private boolean closedNotified;
  EventLoop.Timer connectTimer;

  NioChannel(NioEventLoop loop, SocketChannel ch, ChannelHandler handler, InetSocketAddress remote) {
    this.loop = loop;
    this.ch = ch;
    this.handler = handler;
    this.remote = remote;
  }

  void register(int ops) throws IOException {
    key = ch.register(loop.selector(), ops, this);
  }

  /** The connection is established: tell the handler. Loop thread. */
  void opened() {
    try {
      local = (InetSocketAddress) ch.getLocalAddress();
      InetSocketAddress r = (InetSocketAddress) ch.getRemoteAddress();
      if (r != null) {
        remote = r;
      }
    } catch (IOException e) {
      closeNow(e);
      return;
    }
    try {
      handler.onOpen(this);
    } catch (RuntimeException e) {
      handlerFailed(e);
    }
  }

  void finishConnect() {
    try {
      if (ch.finishConnect()) {
        if (connectTimer != null) {
          connectTimer.cancel();
        }
        key.interestOps(SelectionKey.OP_READ);
        opened();
      }
    } catch (IOException e) {
      closeNow(NioEventLoop.asConnectFailure(e, remote));
    }
  }

  void connectTimedOut(long timeoutNanos) {
    if (open && !ch.isConnected()) {
      closeNow(NioEventLoop.connectTimeout(timeoutNanos));
    }
  }

  private boolean readPaused;

  @Override
  public void pauseReading(boolean paused) {
    readPaused = paused;
    if (key != null && key.isValid()) {
      key.interestOps(paused ? key.interestOps() & ~SelectionKey.OP_READ : key.interestOps() | SelectionKey.OP_READ);
    }
  }

  void read(ByteBuffer buf, int maxReads) {
    for (int i = 0; i < maxReads && open && !readPaused; i++) {
      buf.clear();
      int n;
      try {
        n = ch.read(buf);
      } catch (IOException e) {
        closeNow(e);
        return;
      }
      if (n < 0) {
        closeNow(new EOFException("end of stream"));
        return;
      }
      if (n == 0) {
        return;
      }
      buf.flip();
      try {
        handler.onRead(buf);
      } catch (RuntimeException e) {
        handlerFailed(e);
        return;
      }
      if (n < buf.capacity()) {
        return;
      }
    }
  }

  void writable() {
    key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
    try {
      handler.onWritable();
    } catch (RuntimeException e) {
      handlerFailed(e);
    }
  }

  private void handlerFailed(RuntimeException e) {
    log.warn("{}: handler failed; closing connection to {}", loop.logPrefix(), remote, e);
    closeNow(new IOException("handler failed: " + e, e));
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
    return ch.write(src);
  }

  @Override
  public long write(ByteBuffer[] srcs) throws IOException {
    return ch.write(srcs);
  }

  @Override
  public void requestWritable() {
    if (key != null && key.isValid()) {
      key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
    }
  }

  @Override
  public void shutdownOutput() throws IOException {
    ch.shutdownOutput();
  }

  @Override
  public void close() {
    if (loop.inEventLoop()) {
      closeNow(null);
    } else {
      loop.execute(() -> closeNow(null));
    }
  }

  @Override
  public void abort() {
    if (loop.inEventLoop()) {
      abortNow();
    } else {
      loop.execute(this::abortNow);
    }
  }

  private void abortNow() {
    if (open) {
      try {
        ch.setOption(StandardSocketOptions.SO_LINGER, 0);
      } catch (IOException e) {
        // Already broken: a plain close is all that is left.
      }
    }
    closeNow(null);
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  /** Closes the socket and tells the handler once. Loop thread. */
  void closeNow(IOException cause) {
    open = false;
    if (connectTimer != null) {
      connectTimer.cancel();
    }
    if (key != null) {
      key.cancel();
    }
    NioEventLoop.closeQuietly(ch);
    if (!closedNotified) {
      closedNotified = true;
      try {
        handler.onClosed(cause);
      } catch (RuntimeException e) {
        log.warn("{}: handler failed in onClosed for {}", loop.logPrefix(), remote, e);
      }
    }
  }

  @Override
  public String toString() {
    return "NioChannel{" + local + " -> " + remote + "}";
  }
}
