package com.example.embedding;

import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.ScanReport;
import dev.vecino.p2p.scan.Targets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Start two nodes on loopback, find one by scanning, send, receive, close. */
public final class Embedding {
  public static void main(String[] args) throws Exception {
    CompletableFuture<Message> inbox = new CompletableFuture<>();
    try (PeerNode bob = PeerNode.builder().name("bob").bindAddress("127.0.0.1")
            .onMessage(inbox::complete).build().start();
         PeerNode ana = PeerNode.builder().name("ana").bindAddress("127.0.0.1")
            .build().start()) {
      ScanReport found = ana.scan(Targets.parse("127.0.0.1/32"),  // loopback only,
          Ports.of(bob.localAddress().getPort())).report().join(); // bob's port only
      Peer peer = ana.peer(found.peers().get(0).id()).orElseThrow(); // the scan connected him
      ana.send(peer, "hola, vecino").join();                     // written to the socket
      Message m = inbox.get(5, TimeUnit.SECONDS);                // delivered to bob's listener
      System.out.println("bob received '" + m.text() + "' from " + m.sender().name());
    }                                                            // BYE, threads stopped
    System.out.println("both nodes closed");
  }
}
