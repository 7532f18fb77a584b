package demo.modular;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.codec.Codec;
import dev.vecino.p2p.transport.NioTransport;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Two nodes on loopback exchange one message; then the program describes the modules it ran in. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    CompletableFuture<Message> inbox = new CompletableFuture<>();
    try (PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1")
            .codec(Codec.framed()).transport(NioTransport.factory())
            .onMessage(inbox::complete).build().start();
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1").build().start()) {
      Peer peer = ana.connect(bob.localAddress()).join();
      ana.send(peer, "hola from a module").join();
      Message m = inbox.get(10, TimeUnit.SECONDS);
      System.out.println("received '" + m.text() + "' from " + m.sender().name());
    }
    Module core = PeerNode.class.getModule();
    System.out.println("core module: " + core.getName()
        + (core.getDescriptor().isAutomatic() ? " (automatic)" : " (explicit)"));
    System.out.println("consumer module: " + Main.class.getModule().getName());
    System.out.println("internal exported: " + core.isExported("dev.vecino.p2p.internal"));
  }
}
