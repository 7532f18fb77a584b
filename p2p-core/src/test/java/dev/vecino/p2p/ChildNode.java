package dev.vecino.p2p;

import java.time.Duration;

/** A node in a child JVM, for tests that freeze or kill a real process. Prints its port, then waits. */
public final class ChildNode {
  private ChildNode() {}

  public static void main(String[] args) throws Exception {
    PeerNode node = PeerNode.builder().name("child").bindAddress("127.0.0.1")
        .heartbeatInterval(Duration.ofMillis(Long.parseLong(args[0]))).build().start();
    System.out.println("PORT " + node.localAddress().getPort());
    System.out.flush();
    // Exit when the parent closes stdin; bounded by the parent's test timeout.
    while (System.in.read() >= 0) {
      // Discard input.
    }
    node.close();
  }
}
