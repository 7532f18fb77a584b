package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Identity;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who a message reaches and how it reads: numbers stay with their peer, private messages are
 * marked, peers of the same name are told apart. Real nodes on 127.0.33.x.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatPeersTest {

  private final BlockingQueue<String> toBob = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> toCarl = new LinkedBlockingQueue<>();

  @Test
  void aNumberShownForAPeerThatLeftReachesNobody() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.33.1", false, null)) {
      PeerNode bob = chat.peer("bob", "127.0.33.2", toBob);
      PeerNode carl = chat.peer("carl", "127.0.33.3", toCarl);
      chat.connect(bob);
      chat.connect(carl);
      chat.session.handle(new ChatInput.Peers());
      assertTrue(chat.console.lines().stream().anyMatch(l -> l.startsWith("1  bob [")), chat.console.lines().toString());
      assertTrue(chat.console.lines().stream().anyMatch(l -> l.startsWith("2  carl [")), chat.console.lines().toString());
      bob.close();
      chat.console.await(l -> l.contains("- bob left"));
      chat.session.handle(new ChatInput.Direct("1", "para bob"));
      assertTrue(chat.console.errors().contains("peer 1 (bob) is no longer connected (see /peers)"),
          chat.console.lines().toString());
      chat.session.handle(new ChatInput.Direct("2", "para carl"));
      assertEquals("TEXT " + ChatFormat.PRIVATE_MARK + "para carl", toCarl.poll(10, TimeUnit.SECONDS));
      assertNull(toCarl.poll(), "carl got only his own message");
      chat.session.handle(new ChatInput.Peers());
      chat.console.await(l -> l.startsWith("2  carl ["));
    }
  }

  @Test
  void aPrivateMessageIsMarkedForTheOneWhoGetsIt() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.33.4", false, null)) {
      PeerNode bob = chat.peer("bob", "127.0.33.5", toBob);
      Peer ana = bob.connect(chat.me.localAddress()).get(5, TimeUnit.SECONDS);
      bob.send(ana, ChatFormat.PRIVATE_MARK + "solo para ti").get(5, TimeUnit.SECONDS);
      bob.send(ana, "para todos").get(5, TimeUnit.SECONDS);
      chat.console.await(l -> l.endsWith("] bob (private): solo para ti"));
      chat.console.await(l -> l.endsWith("] bob: para todos"));
      chat.session.handle(new ChatInput.Direct("bob", "hola"));
      assertEquals("TEXT " + ChatFormat.PRIVATE_MARK + "hola", toBob.poll(10, TimeUnit.SECONDS));
      chat.console.await(l -> l.endsWith("you to bob (private): hola"));
    }
  }

  @Test
  void twoPeersOfTheSameNameAreToldApartByTheirShortId() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.33.6", false, null)) {
      PeerNode bob1 = chat.peer("bob", "127.0.33.7", toBob);
      PeerNode bob2 = PeerNode.builder().identity(Identity.random("bob")).bindAddress("127.0.33.8").port(0)
          .build().start();
      try (bob2) {
        chat.connect(bob1);
        chat.connect(bob2);
        Peer ana1 = bob1.connect(chat.me.localAddress()).get(5, TimeUnit.SECONDS);
        Peer ana2 = bob2.connect(chat.me.localAddress()).get(5, TimeUnit.SECONDS);
        bob1.send(ana1, "soy uno").get(5, TimeUnit.SECONDS);
        bob2.send(ana2, "soy dos").get(5, TimeUnit.SECONDS);
        chat.console.await(l -> l.endsWith("] bob [" + bob1.identity().id().shortId() + "]: soy uno"));
        chat.console.await(l -> l.endsWith("] bob [" + bob2.identity().id().shortId() + "]: soy dos"));
      }
    }
  }
}
