package dev.vecino.p2p;

import dev.vecino.p2p.transport.Acceptor;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import dev.vecino.p2p.transport.Listener;
import dev.vecino.p2p.transport.NioTransport;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportConfig;
import dev.vecino.p2p.transport.TransportFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link NioTransport} (real loopback sockets) that a test can break: it runs a task that
 * throws on an I/O thread, makes the next read of any channel throw from its handler, reports
 * a loop dead through the node's failure handler as a third-party transport would, or fails
 * while the node starts. One instance per node.
 *
 * <p><b>Thread safety:</b> the fault setters from any thread; the rest as {@link Transport}.
 */
final class FaultyTransport implements TransportFactory {

  /** Where {@link #create} fails, if anywhere. */
  enum StartFault { NONE, CREATE, LISTEN }

  private final StartFault startFault;
  private final AtomicReference<Throwable> nextRead = new AtomicReference<>();
  private volatile Transport delegate;
  private volatile TransportConfig config;

  FaultyTransport() {
    this(StartFault.NONE);
  }

  FaultyTransport(StartFault startFault) {
    this.startFault = startFault;
  }

  @Override
  public Transport create(TransportConfig config) {
    this.config = config;
    if (startFault == StartFault.CREATE) {
      throw new IllegalStateException("injected: cannot create the transport");
    }
    delegate = NioTransport.factory().create(config);
    return new Wrapper(delegate);
  }

  /** Runs a task that throws {@code t} on one of the node's I/O threads. */
  void throwOnIoThread(Throwable t) {
    delegate.nextEventLoop().execute(() -> sneakyThrow(t));
  }

  /** The next {@code onRead} of any channel throws {@code t} from the handler, on its I/O thread. */
  void throwOnNextRead(Throwable t) {
    nextRead.set(t);
  }

  /** Reports a loop dead from the calling thread, as a third-party transport may; the loop goes on. */
  void reportLoopDead(Throwable t) {
    config.failureHandler().loopFailed(delegate.nextEventLoop(), t);
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
    throw (T) t;
  }

  private final class Wrapper implements Transport {
    private final Transport nio;

    Wrapper(Transport nio) {
      this.nio = nio;
    }

    @Override
    public Listener listen(InetSocketAddress local, int backlog, Acceptor acceptor) throws IOException {
      if (startFault == StartFault.LISTEN) {
        throw new IllegalArgumentException("injected: cannot listen");
      }
      return nio.listen(local, backlog, remote -> {
        ChannelHandler h = acceptor.accept(remote);
        return h == null ? null : new Faulty(h);
      });
    }

    @Override
    public void connect(InetSocketAddress remote, InetSocketAddress localBind, Duration timeout,
        ChannelHandler handler) {
      nio.connect(remote, localBind, timeout, new Faulty(handler));
    }

    @Override
    public EventLoop nextEventLoop() {
      return nio.nextEventLoop();
    }

    @Override
    public boolean inEventLoop() {
      return nio.inEventLoop();
    }

    @Override
    public void close() {
      nio.close();
    }
  }

  /** Passes every event on, except that a read may throw what the test asked for. */
  private final class Faulty implements ChannelHandler {
    private final ChannelHandler h;

    Faulty(ChannelHandler h) {
      this.h = h;
    }

    @Override
    public void onConnecting(Channel channel) {
      h.onConnecting(channel);
    }

    @Override
    public void onOpen(Channel channel) {
      h.onOpen(channel);
    }

    @Override
    public void onRead(ByteBuffer data) {
      Throwable t = nextRead.getAndSet(null);
      if (t != null) {
        sneakyThrow(t);
      }
      h.onRead(data);
    }

    @Override
    public void onWritable() {
      h.onWritable();
    }

    @Override
    public void onClosed(IOException cause) {
      h.onClosed(cause);
    }
  }
}
