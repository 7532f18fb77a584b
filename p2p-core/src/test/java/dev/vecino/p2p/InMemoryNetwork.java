package dev.vecino.p2p;

import dev.vecino.p2p.transport.Acceptor;
import dev.vecino.p2p.transport.Channel;
import dev.vecino.p2p.transport.ChannelHandler;
import dev.vecino.p2p.transport.EventLoop;
import dev.vecino.p2p.transport.Listener;
import dev.vecino.p2p.transport.Transport;
import dev.vecino.p2p.transport.TransportConfig;
import dev.vecino.p2p.transport.TransportFactory;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-JVM "network" for the Transport SPI test: no sockets, bytes handed between event
 * loops. Addresses are fake 127.77.0.x:port keys in this object's map (not global state).
 */
final class InMemoryNetwork {
  private final Map<InetSocketAddress, Acceptor> listeners = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Loop> owners = new ConcurrentHashMap<>();
  private final AtomicInteger ports = new AtomicInteger(20000);

  TransportFactory factory() {
    return config -> new MemTransport(config);
  }

  private final class Loop implements EventLoop {
    final ScheduledExecutorService exec;
    volatile Thread thread;

    Loop(String name) {
      exec = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        thread = t;
        return t;
      });
    }

    @Override
    public void execute(Runnable task) {
      if (!exec.isShutdown()) {
        exec.execute(task);
      }
    }

    @Override
    public boolean inEventLoop() {
      return Thread.currentThread() == thread;
    }

    @Override
    public Timer schedule(Runnable task, long delay, TimeUnit unit) {
      if (exec.isShutdown()) {
        return () -> { };
      }
      ScheduledFuture<?> f = exec.schedule(task, delay, unit);
      return () -> f.cancel(false);
    }
  }

  private final class MemChannel implements Channel {
    final Loop loop;
    final ChannelHandler handler;
    final InetSocketAddress local;
    final InetSocketAddress remote;
    MemChannel peer;
    volatile boolean open = true;
    boolean outputShut;

    MemChannel(Loop loop, ChannelHandler handler, InetSocketAddress local, InetSocketAddress remote) {
      this.loop = loop;
      this.handler = handler;
      this.local = local;
      this.remote = remote;
    }

    @Override public EventLoop eventLoop() { return loop; }
    @Override public InetSocketAddress localAddress() { return local; }
    @Override public InetSocketAddress remoteAddress() { return remote; }
    @Override public boolean isOpen() { return open; }
    @Override public void requestWritable() { loop.execute(handler::onWritable); }

    @Override
    public int write(ByteBuffer src) throws IOException {
      if (!open || outputShut) {
        throw new IOException("closed");
      }
      byte[] copy = new byte[src.remaining()];
      src.get(copy);
      MemChannel p = peer;
      p.loop.execute(() -> {
        if (p.open) {
          p.handler.onRead(ByteBuffer.wrap(copy));
        }
      });
      return copy.length;
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
      long n = 0;
      for (ByteBuffer b : srcs) {
        n += write(b);
      }
      return n;
    }

    @Override
    public void shutdownOutput() {
      outputShut = true;
      MemChannel p = peer;
      p.loop.execute(() -> p.closeNow(new EOFException("end of stream")));
    }

    @Override
    public void close() {
      loop.execute(() -> closeNow(null));
      MemChannel p = peer;
      p.loop.execute(() -> p.closeNow(new EOFException("end of stream")));
    }

    @Override
    public void abort() {
      close();
    }

    void closeNow(IOException cause) {
      if (open) {
        open = false;
        handler.onClosed(cause);
      }
    }
  }

  private final class MemTransport implements Transport {
    final Loop loop;

    MemTransport(TransportConfig config) {
      // Not a vecino-io-* name: the node must learn which threads are the transport's from
      // the transport, not from a naming convention.
      loop = new Loop("mem-loop-" + config.threadNameSuffix());
    }

    @Override
    public Listener listen(InetSocketAddress local, int backlog, Acceptor acceptor) {
      InetSocketAddress bound = new InetSocketAddress("127.77.0.1", ports.incrementAndGet());
      listeners.put(bound, acceptor);
      owners.put(bound, loop);
      return new Listener() {
        @Override public InetSocketAddress localAddress() { return bound; }
        @Override public void close() { listeners.remove(bound); }
      };
    }

    @Override
    public void connect(InetSocketAddress remote, InetSocketAddress localBind, Duration timeout, ChannelHandler handler) {
      loop.execute(() -> {
        Acceptor acceptor = listeners.get(remote);
        if (acceptor == null) {
          handler.onClosed(new ConnectException("Connection refused"));
          return;
        }
        InetSocketAddress local = new InetSocketAddress("127.77.0.2", ports.incrementAndGet());
        Loop serverLoop = owners.get(remote);
        MemChannel client = new MemChannel(loop, handler, local, remote);
        serverLoop.execute(() -> {
          ChannelHandler serverHandler = acceptor.accept(local);
          if (serverHandler == null) {
            loop.execute(() -> handler.onClosed(new ConnectException("refused")));
            return;
          }
          MemChannel server = new MemChannel(serverLoop, serverHandler, remote, local);
          server.peer = client;
          client.peer = server;
          serverHandler.onOpen(server);
          loop.execute(() -> handler.onOpen(client));
        });
      });
    }

    @Override
    public EventLoop nextEventLoop() {
      return loop;
    }

    @Override
    public boolean inEventLoop() {
      return loop.inEventLoop();
    }

    @Override
    public void close() {
      loop.exec.shutdown();
      if (loop.inEventLoop()) {
        return; // Closed from its own thread: it ends once this task returns.
      }
      try {
        loop.exec.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
