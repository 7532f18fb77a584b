package demo.classpath;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The same exchange as the modular consumer, from a plain class-path application. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    CompletableFuture<Message> inbox = new CompletableFuture<>();
    try (PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1")
            .onMessage(inbox::complete).build().start();
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1").build().start()) {
      Peer peer = ana.connect(bob.localAddress()).join();
      ana.send(peer, "hola from the class path").join();
      Message m = inbox.get(10, TimeUnit.SECONDS);
      System.out.println("received '" + m.text() + "' from " + m.sender().name());
      System.out.println("peers listed: " + ana.peers().size());
    }
    System.out.println("core module named: " + PeerNode.class.getModule().isNamed());
  }
}
