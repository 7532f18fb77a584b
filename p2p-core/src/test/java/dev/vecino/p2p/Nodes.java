package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

/** Test helpers: nodes on loopback with an ephemeral port, and thread-leak checks. */
final class Nodes {
  private Nodes() {}

  static PeerNodeBuilder local(String name) {
    return PeerNode.builder().name(name).bindAddress("127.0.0.1").port(0)
        .handshakeTimeout(Duration.ofSeconds(2)).closeTimeout(Duration.ofSeconds(1));
  }

  /** A plaintext node (protocol 1): for tests that speak the protocol's bytes themselves, or choose ids. */
  static PeerNodeBuilder plain(String name) {
    return local(name).plaintext(true);
  }

  static PeerNode startPlain(String name, PeerListener listener) {
    return plain(name).listener(listener).build().start();
  }

  static PeerNode start(String name, PeerListener listener) {
    return local(name).listener(listener).build().start();
  }

  static Set<String> vecinoThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("vecino-"))
        .collect(Collectors.toSet());
  }

  static Set<String> threadsOf(PeerNode node) {
    String id = node.identity().id().shortId();
    return vecinoThreads().stream().filter(n -> n.endsWith(id) || n.contains(id + "-")).collect(Collectors.toSet());
  }

  static void assertNoThreadsOf(PeerNode node) {
    Await.until("threads of " + node + " to end: " + threadsOf(node), () -> threadsOf(node).isEmpty());
    assertTrue(threadsOf(node).isEmpty());
  }
}
