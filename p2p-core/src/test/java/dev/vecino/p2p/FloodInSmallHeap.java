package dev.vecino.p2p;

import dev.vecino.p2p.codec.FrameType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Run with a small -Xmx: floods 1 GiB at a peer that never reads; a leak fails with OutOfMemoryError. */
public final class FloodInSmallHeap {
  private FloodInSmallHeap() {}

  public static void main(String[] args) throws Exception {
    int bound = 4 * 1024 * 1024;
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
         PeerNode a = PeerNode.builder().plaintext(true).bindAddress("127.0.0.1").maxQueuedBytes(bound)
             .heartbeatInterval(Duration.ZERO).build().start()) {
      CompletableFuture<Peer> f = a.connect((InetSocketAddress) server.getLocalSocketAddress());
      try (RawPeer raw = RawPeer.accept(server)) {
        raw.sendFrame(FrameType.HELLO, RawPeer.hello(PeerId.random(), "sink", "vecino"));
        Peer p = f.get(5, TimeUnit.SECONDS);
        byte[] chunk = new byte[256 * 1024];
        long offered = 0;
        long maxQueued = 0;
        while (offered < (1L << 30)) {
          a.trySend(p, chunk);
          a.send(p, MessageKind.BINARY, chunk); // futures fail fast; must not pile up either
          offered += 2L * chunk.length;
          maxQueued = Math.max(maxQueued, p.queuedBytes());
        }
        if (maxQueued > bound) {
          System.out.println("FLOOD FAILED: queued " + maxQueued);
          System.exit(1);
        }
        System.out.println("FLOOD OK max queued " + maxQueued + " heap used "
            + (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
      }
    }
  }
}
