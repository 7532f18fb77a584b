package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SmokeTest {
  @Test
  void twoNodesTalk() throws Exception {
    LinkedBlockingQueue<Message> got = new LinkedBlockingQueue<>();
    try (PeerNode a = PeerNode.builder().name("ana").bindAddress("127.0.0.1").build().start();
         PeerNode b = PeerNode.builder().name("bob").bindAddress("127.0.0.1").onMessage(got::add).build().start()) {
      Peer p = a.connect(b.localAddress()).get(5, TimeUnit.SECONDS);
      assertEquals("bob", p.name());
      a.send(p, "hola").get(5, TimeUnit.SECONDS);
      Message m = got.poll(5, TimeUnit.SECONDS);
      assertEquals("hola", m.text());
      assertEquals("ana", m.sender().name());
      Await.until("b sees a", () -> b.peers().size() == 1);
    }
  }
}
