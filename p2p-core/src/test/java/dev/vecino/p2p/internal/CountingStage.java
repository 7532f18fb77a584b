package dev.vecino.p2p.internal;

import dev.vecino.p2p.transport.ChannelHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pass-through byte stage that counts what crosses it: bytes read, bytes written (a sender
 * thread may write, so the counts are atomic), half-closes.
 */
final class CountingStage extends ByteStage {

  final AtomicLong read = new AtomicLong();
  final AtomicLong written = new AtomicLong();
  final AtomicInteger shutdowns = new AtomicInteger();

  CountingStage(ChannelHandler upstream) {
    super(upstream);
  }

  @Override
  public void onRead(ByteBuffer data) {
    read.addAndGet(data.remaining());
    super.onRead(data);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int n = super.write(src);
    written.addAndGet(n);
    return n;
  }

  @Override
  public void shutdownOutput() throws IOException {
    shutdowns.incrementAndGet();
    super.shutdownOutput();
  }
}
