package dev.vecino.p2p.embedded;

import dev.vecino.p2p.transport.Acceptor;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import dev.vecino.p2p.transport.Listener;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportConfig;
import dev.vecino.p2p.transport.TransportFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A transport driven by the test thread, for driving a whole node's connections through the
 * transport SPI: the test thread <em>is</em> the I/O thread (this transport is its one
 * {@link EmbeddedEventLoop}). It opens {@link EmbeddedChannel}s when told ({@link #accept()},
 * {@link #completeConnect()}), and the test feeds them bytes, drains them, and fires timers.
 * No sockets, no threads, deterministic.
 *
 * <pre>{@code
 * ManualTransport transport = new ManualTransport();
 * PeerNode node = PeerNode.builder().transport(transport).directCallbacks(true)...build().start();
 * EmbeddedChannel ch = transport.accept();   // the node greets: ch.written() holds its HELLO
 * ch.feed(helloFrame);                       // the node reads it
 * transport.fireTimers();                    // every pending timer fires
 * }</pre>
 *
 * <p><b>Thread safety:</b> {@link EventLoop#execute} from any thread; everything else on the
 * thread that last called {@link #claim()} (the test thread; the node is built there too).
 */
public final class ManualTransport extends EmbeddedEventLoop implements TransportFactory, Transport {

  private final ArrayDeque<ChannelHandler> connects = new ArrayDeque<>();
  private Acceptor acceptor;
  private int nextPort = 1;

  @Override
  public Transport create(TransportConfig config) {
    claim();
    return this;
  }

  @Override
  public Listener listen(InetSocketAddress local, int backlog, Acceptor acceptor) {
    this.acceptor = acceptor;
    InetSocketAddress bound = new InetSocketAddress(local.getAddress(), 7);
    return new Listener() {
      @Override
      public InetSocketAddress localAddress() {
        return bound;
      }

      @Override
      public void close() {
        // Nothing is bound.
      }
    };
  }

  @Override
  public void connect(InetSocketAddress remote, InetSocketAddress localBind, Duration timeout, ChannelHandler handler) {
    synchronized (connects) {
      connects.add(handler);
    }
  }

  @Override
  public EventLoop nextEventLoop() {
    return this;
  }

  @Override
  public void close() {
    runTasks();
  }

  /** A remote address unique to this transport, so per-address limits never interfere. */
  private InetSocketAddress nextRemote() {
    int n = nextPort++;
    return new InetSocketAddress("127.9." + ((n >> 16) & 0xFF) + "." + ((n >> 8) & 0xFF), 1024 + (n & 0xFF));
  }

  /** Accepts a connection as the listener would; null if the node refused it. */
  public EmbeddedChannel accept() {
    claim();
    InetSocketAddress remote = nextRemote();
    ChannelHandler h = acceptor.accept(remote);
    if (h == null) {
      return null;
    }
    return new EmbeddedChannel(this, h, remote).open();
  }

  /** Completes the oldest connect the node asked for. */
  public EmbeddedChannel completeConnect() {
    claim();
    runTasks();
    ChannelHandler h;
    synchronized (connects) {
      h = connects.poll();
    }
    if (h == null) {
      throw new AssertionError("the node asked for no connection");
    }
    return new EmbeddedChannel(this, h, nextRemote()).open();
  }
}
