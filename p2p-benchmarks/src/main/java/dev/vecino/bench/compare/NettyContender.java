package dev.vecino.bench.compare;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * Netty 4.1 with the NIO transport (as Vecino uses NIO), one event-loop thread per side,
 * {@link LengthFieldBasedFrameDecoder} on every receiver. One-way writes run on the client's
 * event loop and flush every 64 messages (Netty at its best for small messages); latency cases
 * write from the benchmark thread and echo from the server's event loop.
 */
final class NettyContender implements Contender {

  private static final int FLUSH_EVERY = 64;

  @Override
  public Result oneWay(int size, Duration warmup, Duration measure) throws Exception {
    AtomicLong received = new AtomicLong();
    EventLoopGroup serverGroup = new NioEventLoopGroup(1);
    EventLoopGroup clientGroup = new NioEventLoopGroup(1);
    try {
      Channel server = listen(serverGroup, frame -> received.lazySet(received.get() + 1), false);
      Channel client = connect(clientGroup, server, frame -> { });
      Pump pump = new Pump(client, size);
      client.eventLoop().execute(pump);
      Result rate = Timing.window(received::get, warmup, measure);
      pump.stop.set(true);
      client.close().sync();
      server.close().sync();
      return rate;
    } finally {
      clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /** Writes batches on the event loop while the channel is writable; resumes when it is. */
  private static final class Pump implements Runnable {
    final Channel channel;
    final int size;
    final AtomicBoolean stop = new AtomicBoolean();

    Pump(Channel channel, int size) {
      this.channel = channel;
      this.size = size;
      channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
          if (ctx.channel().isWritable()) {
            ctx.channel().eventLoop().execute(Pump.this);
          }
          ctx.fireChannelWritabilityChanged();
        }
      });
    }

    @Override
    public void run() {
      while (!stop.get() && channel.isActive() && channel.isWritable()) {
        for (int i = 0; i < FLUSH_EVERY; i++) {
          ByteBuf b = channel.alloc().directBuffer(4 + size);
          b.writeInt(size).writeZero(size);
          channel.write(b, channel.voidPromise());
        }
        channel.flush();
        // Yield the loop between batches so reads and writability events get their turn.
        if (channel.isWritable()) {
          channel.eventLoop().execute(this);
          return;
        }
      }
    }
  }

  @Override
  public Result pingPong(int size, Duration warmup, Duration measure) throws Exception {
    AtomicLong replies = new AtomicLong();
    EventLoopGroup serverGroup = new NioEventLoopGroup(1);
    EventLoopGroup clientGroup = new NioEventLoopGroup(1);
    try {
      Channel server = listen(serverGroup, null, true);
      Channel client = connect(clientGroup, server, frame -> replies.lazySet(replies.get() + 1));
      Histogram h = Timing.closedLoop(t -> {
        ByteBuf b = client.alloc().directBuffer(4 + size);
        b.writeInt(size).writeLong(t).writeZero(size - 8);
        client.writeAndFlush(b, client.voidPromise());
      }, replies::get, warmup, measure);
      client.close().sync();
      server.close().sync();
      return new Result().latency(h);
    } finally {
      clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Override
  public Result openLoop(int size, double rate, Duration warmup, Duration measure)
      throws Exception {
    AtomicLong replies = new AtomicLong();
    Histogram h = new Histogram(Timing.MAX_LATENCY_NANOS, 3);
    long[] from = {Long.MAX_VALUE};
    EventLoopGroup serverGroup = new NioEventLoopGroup(1);
    EventLoopGroup clientGroup = new NioEventLoopGroup(1);
    try {
      Channel server = listen(serverGroup, null, true);
      Channel client = connect(clientGroup, server, frame -> {
        long now = System.nanoTime();
        long intended = frame.getLong(frame.readerIndex() + 4);
        if (intended >= from[0]) {
          h.recordValue(Math.min(now - intended, Timing.MAX_LATENCY_NANOS));
        }
        replies.lazySet(replies.get() + 1);
      });
      Timing.openLoop(t -> {
        ByteBuf b = client.alloc().directBuffer(4 + size);
        b.writeInt(size).writeLong(t).writeZero(size - 8);
        client.writeAndFlush(b, client.voidPromise());
      }, replies::get, rate, warmup, measure, v -> from[0] = v);
      client.close().sync();
      server.close().sync();
      return new Result().latency(h).put("rate", rate);
    } finally {
      clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
      serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  /**
   * Starts a server on 127.0.0.1:0 whose child pipeline decodes frames and either counts them
   * ({@code onFrame}) or echoes them.
   */
  private static Channel listen(EventLoopGroup group, Consumer<ByteBuf> onFrame, boolean echo)
      throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(framing(onFrame, echo))
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
  }

  /**
   * A pipeline that splits the length-prefixed frames and either echoes each one or hands it
   * to {@code onFrame} and releases it: the server's and the client's side alike.
   */
  private static ChannelInitializer<SocketChannel> framing(Consumer<ByteBuf> onFrame, boolean echo) {
    return new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 24, 0, 4, 0, 0),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (echo) {
                  ctx.writeAndFlush(msg, ctx.voidPromise());
                } else {
                  onFrame.accept((ByteBuf) msg);
                  ReferenceCountUtil.release(msg);
                }
              }
            });
      }
    };
  }

  private static Channel connect(EventLoopGroup group, Channel server, Consumer<ByteBuf> onFrame)
      throws InterruptedException {
    return new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(framing(onFrame, false))
        .connect(server.localAddress()).sync().channel();
  }
}
