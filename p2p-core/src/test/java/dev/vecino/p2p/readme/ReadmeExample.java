package dev.vecino.p2p.readme;

// README:BEGIN
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;

public class ReadmeExample {
  public static void main(String[] args) throws Exception {
    try (PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1")
            .onMessage(m -> System.out.println(m.sender().name() + " says " + m.text()))
            .build().start();
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1")
            .build().start()) {

      Peer peer = ana.connect(bob.localAddress()).join();   // handshake done
      ana.send(peer, "hola, bob").join();                    // written to the socket
      ana.broadcast("hello, everyone");                      // to every connected peer

      for (var p : ana.peers()) {
        System.out.println(p.name() + " " + p.remoteAddress() + " " + p.state());
      }
    }                                                        // BYE to peers, threads stopped
  }
}
// README:END
