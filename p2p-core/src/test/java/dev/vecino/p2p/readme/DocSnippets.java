package dev.vecino.p2p.readme;

import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeMXBean;
import dev.vecino.p2p.VecinoException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CompletionException;
import javax.management.JMX;
import javax.management.ObjectName;

/**
 * The snippets README.md and docs/metrics.md show, compiled here; {@link DocSnippetsTest}
 * checks that the documents show exactly the code between each pair of markers, and runs what
 * can run on loopback.
 */
final class DocSnippets {
  private DocSnippets() {}

  /** README, "Keeping a node alive": compiled only (it waits until the process is stopped). */
  static final class Server {
    private Server() {}

    // keep-alive:BEGIN
    public static void main(String[] args) {
      PeerNode node = PeerNode.builder().name("server").port(9999).build().start();
      Runtime.getRuntime().addShutdownHook(new Thread(node::close));   // Ctrl-C closes it cleanly
      node.closeFuture().join();   // the node's threads are daemons: without this, main would end here
    }
    // keep-alive:END
  }

  /** README, "Futures": the unwrap idiom (prints to System.err). */
  static void unwrap(PeerNode node, int port) {
    // unwrap:BEGIN
    try {
      Peer peer = node.connect("127.0.0.1", port).join();
      node.send(peer, "hola").join();
    } catch (CompletionException e) {
      if (!(e.getCause() instanceof VecinoException cause)) {
        throw e;                                    // not Vecino's: a bug in a callback of yours
      }
      System.err.println("cannot reach the peer: " + cause.getMessage());   // e.g. PeerUnreachableException
    }
    // unwrap:END
  }

  /** docs/metrics.md, "JMX" (prints to System.out). */
  static void jmx() throws Exception {
    // jmx:BEGIN
    PeerNode node = PeerNode.builder().name("ana").bindAddress("127.0.0.1").jmx(true).build().start();
    ObjectName name = new ObjectName("dev.vecino:type=PeerNode,name=ana,id=" + node.identity().id().shortId());
    PeerNodeMXBean bean = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(), name, PeerNodeMXBean.class);
    System.out.println(bean.getConnections() + " peers, " + bean.getRefusals().get("NOT_A_PEER") + " strangers refused");
    node.close();                                   // unregisters the MXBean
    // jmx:END
  }
}
