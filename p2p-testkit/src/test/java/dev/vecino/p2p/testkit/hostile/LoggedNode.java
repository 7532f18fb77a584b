package dev.vecino.p2p.testkit.hostile;

import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.PeerNode;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node in a child JVM whose log is the subject of a test: started by {@link LogFloodAttackTest}
 * with slf4j-simple writing INFO and up to a file. It answers every TEXT with the same text,
 * except {@code "boom"}, on which its listener throws (an application that fails on input it
 * does not expect). It prints {@code PORT <port>}; when stdin closes it closes the node, prints
 * {@code STATS <NodeStats>} and exits.
 *
 * <p>Arguments: the address to listen on, the handshake timeout in milliseconds, and {@code
 * --plaintext} for a plaintext node (else it is secure, as by default).
 */
public final class LoggedNode {
  private LoggedNode() {}

  public static void main(String[] args) throws Exception {
    AtomicReference<PeerNode> self = new AtomicReference<>();
    PeerNode node = PeerNode.builder().name("logged").bindAddress(args[0]).port(0)
        .plaintext(args.length > 2 && args[2].equals("--plaintext"))
        .handshakeTimeout(Duration.ofMillis(Long.parseLong(args[1])))
        .onMessage(m -> {
          if (m.kind() == MessageKind.TEXT && m.text().equals("boom")) {
            throw new IllegalArgumentException("cannot parse 'boom'");
          }
          if (m.kind() == MessageKind.TEXT) {
            self.get().send(m.sender(), m.text());
          }
        })
        .build();
    self.set(node);
    node.start();
    System.out.println("PORT " + node.localAddress().getPort());
    System.out.flush();
    // Exit when the parent closes stdin; bounded by the parent's test timeout.
    while (System.in.read() >= 0) {
      // Discard input.
    }
    node.close();
    System.out.println("STATS " + node.stats());
    System.out.flush();
  }
}
