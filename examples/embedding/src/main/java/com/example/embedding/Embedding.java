package com.example.embedding;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Start two nodes on loopback, connect, send, receive, close. */
public final class Embedding {
  public static void main(String[] args) throws Exception {
    CompletableFuture<Message> inbox = new CompletableFuture<>();
    try (PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1")
            .onMessage(inbox::complete).build().start();
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1")
            .build().start()) {
      // SCAN-PLACEHOLDER (issue 9): once PeerNode.scan lands on main, find bob by scanning
      // 127.0.0.1 on his port instead of being told his address.
      Peer peer = ana.connect(bob.localAddress()).join();       // TCP + handshake
      ana.send(peer, "hola, vecino").join();                     // written to the socket
      Message m = inbox.get(5, TimeUnit.SECONDS);                // delivered to bob's listener
      System.out.println("bob received '" + m.text() + "' from " + m.sender().name());
    }                                                            // BYE, threads stopped
    System.out.println("both nodes closed");
  }
}
