package dev.vecino.p2p.testkit.hostile;

import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.testkit.Footprint;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node in a child JVM, for attacks whose bound is the process's memory: started by an
 * {@code *AttackIT} with a small {@code -Xmx} and {@code -XX:MaxDirectMemorySize}. It answers
 * every TEXT with the same text, offers a 32 KiB message to every peer every 10 ms (so a peer
 * that never reads has a full queue), and prints its port, then a line every 50 ms:
 * {@code STAT direct=<bytes> heap=<bytes after the last GC> threads=<vecino-* threads> queued=<largest
 * peer queue> peers=<n> running=<bool>}. When stdin closes it prints {@code DONE maxDirect=<bytes>
 * maxHeap=<bytes after a GC> threads=<at start> maxThreads=<n> maxQueued=<bytes> running=<bool>} and
 * exits. The heap figure is what survived the JVM's own last collection (no collection is
 * forced): the largest one seen shows the live heap never grew toward {@code -Xmx}.
 *
 * <p>Arguments: the address to listen on, {@code maxQueuedBytes}, and {@code --plaintext} for a
 * plaintext node (else it is secure, as by default).
 */
public final class AttackedNode {
  private AttackedNode() {}

  public static void main(String[] args) throws Exception {
    AtomicReference<PeerNode> self = new AtomicReference<>();
    PeerNode node = PeerNode.builder().name("attacked").bindAddress(args[0]).port(0)
        .plaintext(args.length > 2 && args[2].equals("--plaintext"))
        .maxQueuedBytes(Integer.parseInt(args[1]))
        .onMessage(m -> {
          if (m.kind() == MessageKind.TEXT) {
            self.get().send(m.sender(), m.text());
          }
        })
        .build();
    self.set(node);
    node.start();
    System.out.println("PORT " + node.localAddress().getPort());
    System.out.flush();
    BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
    int threadsAtStart = Footprint.vecinoThreadCount();
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // Discard input: the parent closes stdin to stop this node.
        }
      } catch (java.io.IOException e) {
        // The parent went away: stop as well.
      }
    }, "stdin");
    stdin.setDaemon(true);
    stdin.start();
    byte[] chunk = new byte[32 * 1024];
    long maxDirect = 0;
    long maxHeap = 0;
    int maxThreads = 0;
    long maxQueued = 0;
    long nextStat = 0;
    // Bounded by the parent's test timeout: it closes stdin (or is killed) well before.
    while (stdin.isAlive()) {
      for (Peer p : node.peers()) {
        node.trySend(p, chunk);
      }
      long queued = node.peers().stream().mapToLong(Peer::queuedBytes).max().orElse(0);
      long used = direct.getMemoryUsed();
      maxDirect = Math.max(maxDirect, used);
      maxQueued = Math.max(maxQueued, queued);
      if (System.nanoTime() - nextStat > 0) {
        long heap = heapAfterLastGc();
        int threads = Footprint.vecinoThreadCount();
        maxHeap = Math.max(maxHeap, heap);
        maxThreads = Math.max(maxThreads, threads);
        System.out.println("STAT direct=" + used + " heap=" + heap + " threads=" + threads + " queued=" + queued
            + " peers=" + node.peers().size() + " running=" + node.isRunning());
        System.out.flush();
        nextStat = System.nanoTime() + 50_000_000L;
      }
      Thread.sleep(10);
    }
    System.out.println("DONE maxDirect=" + maxDirect + " maxHeap=" + maxHeap + " threads=" + threadsAtStart
        + " maxThreads=" + maxThreads + " maxQueued=" + maxQueued + " running=" + node.isRunning());
    System.out.flush();
    node.close();
  }

  /** Heap that survived the last collection, whichever it was: none is forced here. */
  private static long heapAfterLastGc() {
    long heap = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage afterGc = pool.getCollectionUsage();
      if (pool.getType() == MemoryType.HEAP && afterGc != null) {
        heap += afterGc.getUsed();
      }
    }
    return heap;
  }

}
