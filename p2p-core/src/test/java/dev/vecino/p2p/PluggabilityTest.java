package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.codec.CodecException;
import dev.vecino.p2p.codec.CodecSession;
import dev.vecino.p2p.codec.FrameSink;
import dev.vecino.p2p.codec.FrameType;
import dev.vecino.p2p.codec.FramedCodec;
import dev.vecino.p2p.codec.SessionInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Transport and Codec SPIs accept implementations the core has never seen. */
@Timeout(30)
class PluggabilityTest {

  @Test
  void runsOverACustomInMemoryTransport() throws Exception {
    InMemoryNetwork net = new InMemoryNetwork();
    Recorder rb = new Recorder();
    try (PeerNode a = PeerNode.builder().name("a").transport(net.factory()).build().start();
         PeerNode b = PeerNode.builder().name("b").transport(net.factory()).listener(rb).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      assertEquals("b", p.name());
      a.send(p, "over memory").get(5, TimeUnit.SECONDS);
      Await.until("message", () -> rb.messages.size() == 1);
      assertEquals("over memory", rb.messages.get(0).text());
      a.close();
      Await.until("bye", () -> rb.disconnects.size() == 1);
      assertEquals(DisconnectReason.Kind.CLOSED_BY_PEER, rb.disconnects.get(0).kind());
    }
  }

  /**
   * A listener that closes its node from the loop thread of a transport whose threads are not
   * named like Vecino's (direct mode): the node asks the transport whether the caller is one of
   * its loops, so it does not wait for connections that only this thread can close, and close
   * returns at once instead of after the close timeout.
   */
  @Test
  void closingFromTheLoopThreadOfACustomTransportDoesNotWaitForItself() throws Exception {
    InMemoryNetwork net = new InMemoryNetwork();
    Recorder rb = new Recorder();
    CompletableFuture<Long> closedAfterNanos = new CompletableFuture<>();
    CompletableFuture<String> closingThread = new CompletableFuture<>();
    PeerNode[] self = new PeerNode[1];
    PeerListener closer = new PeerListener() {
      @Override
      public void onMessage(Message m) {
        closingThread.complete(Thread.currentThread().getName());
        long start = System.nanoTime();
        self[0].close();
        closedAfterNanos.complete(System.nanoTime() - start);
      }
    };
    try (PeerNode a = PeerNode.builder().name("a").transport(net.factory()).directCallbacks(true)
            .closeTimeout(Duration.ofSeconds(5)).listener(closer).build();
         PeerNode b = PeerNode.builder().name("b").transport(net.factory()).listener(rb).build().start()) {
      self[0] = a.start();
      Peer p = b.connect(a.localAddress()).get(5, TimeUnit.SECONDS);
      b.send(p, "please close").get(5, TimeUnit.SECONDS);
      assertTrue(closingThread.get(5, TimeUnit.SECONDS).startsWith("mem-loop-"), closingThread.get());
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(closedAfterNanos.get(10, TimeUnit.SECONDS));
      assertTrue(tookMillis < 2_000, "close() on the loop thread took " + tookMillis + " ms");
      a.closeFuture().get(5, TimeUnit.SECONDS);
      Await.until("b hears the close", () -> rb.disconnects.size() == 1);
    }
  }

  /** A codec that XORs every byte of the framed format: proves the node encodes and decodes through the SPI. */
  static final class XorCodec implements Codec {
    final AtomicInteger sessions = new AtomicInteger();

    @Override
    public String name() {
      return "xor";
    }

    @Override
    public boolean handshake() {
      return true;
    }

    @Override
    public CodecSession newSession(SessionInfo info) {
      sessions.incrementAndGet();
      CodecSession framed = FramedCodec.session(info.maxFrameSize());
      return new CodecSession() {
        @Override
        public int decode(ByteBuffer in, FrameSink sink) throws CodecException {
          ByteBuffer plain = ByteBuffer.allocate(in.remaining());
          for (int i = in.position(); i < in.limit(); i++) {
            plain.put((byte) (in.get(i) ^ 0x5A));
          }
          plain.flip();
          int need = framed.decode(plain, sink);
          in.position(in.position() + plain.position());
          return need;
        }

        @Override
        public int encodedLength(FrameType type, int payloadLength) {
          return framed.encodedLength(type, payloadLength);
        }

        @Override
        public void encode(FrameType type, ByteBuffer payload, ByteBuffer out) throws CodecException {
          int start = out.position();
          framed.encode(type, payload, out);
          for (int i = start; i < out.position(); i++) {
            out.put(i, (byte) (out.get(i) ^ 0x5A));
          }
        }
      };
    }
  }

  @Test
  void runsWithACustomCodec() throws Exception {
    XorCodec codec = new XorCodec();
    Recorder rb = new Recorder();
    try (PeerNode a = Nodes.local("a").codec(codec).build().start();
         PeerNode b = Nodes.local("b").codec(codec).listener(rb).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      a.send(p, "scrambled").get(5, TimeUnit.SECONDS);
      Await.until("message", () -> rb.messages.size() == 1);
      assertEquals("scrambled", rb.messages.get(0).text());
      assertTrue(codec.sessions.get() >= 2);
    }
  }
}
