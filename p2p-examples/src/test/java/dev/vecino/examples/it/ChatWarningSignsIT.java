package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.Identity;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerNode;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signs docs/reliability.md tells users to watch for reach a real chat's user: a
 * connection replaced (from another address), a refused id claim, a node that failed. Ids can be
 * claimed only without TLS, so the first two run a {@code --plaintext} chat. Peers are
 * in-test nodes and raw sockets on 127.0.0.2, 127.0.0.7 and 127.0.0.9; the chat is on 127.0.0.1.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ChatWarningSignsIT {

  @TempDir
  Path tmp;

  @Test
  void aConnectionReplacedFromAnotherAddressStandsOut() throws Exception {
    PeerId id = PeerId.random();
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"), "--plaintext");
         Socket frozen = Net.frozenPeer(address(ana), "127.0.0.2", id, "bob")) {
      ana.awaitOut("+ bob joined from 127.0.0.2:" + frozen.getLocalPort());
      try (PeerNode bob = plaintextNode(new Identity(id, "bob"), "127.0.0.9")) {
        // Ana checks the frozen connection, finds it silent and gives bob's place to this one.
        Peer atAna = bob.connect(address(ana)).get(20, TimeUnit.SECONDS);
        String line = ana.awaitOut("connection replaced");
        assertTrue(Pattern.matches("\\[\\d\\d:\\d\\d:\\d\\d] ! bob \\(" + id.shortId() + "\\) is now at "
            + "127\\.0\\.0\\.9:\\d+ \\(was 127\\.0\\.0\\.2:" + frozen.getLocalPort() + "\\): connection "
            + "replaced from another address; ids are not proven: if bob did not move, this may be "
            + "someone else", line), line + ana.dump());
        bob.send(atAna, "sigo aquí").get(10, TimeUnit.SECONDS);
        ana.awaitOut("] bob: sigo aquí");
        assertEquals(0, ana.countOut("- bob left"), "a move is no disconnect" + ana.dump());
      }
    }
  }

  @Test
  void aRefusedIdClaimIsShownWithBothAddresses() throws Exception {
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"), "--plaintext");
         PeerNode bob = plaintextNode(Identity.random("bob"), "127.0.0.2")) {
      bob.connect(address(ana)).get(20, TimeUnit.SECONDS);
      ana.awaitOut("+ bob joined from 127.0.0.2:");
      try (PeerNode mallory = plaintextNode(new Identity(bob.identity().id(), "bob"), "127.0.0.7")) {
        // Refused: bob's connection answers the check. How the attempt fails is not the point.
        mallory.connect(address(ana)).handle((p, e) -> p).get(20, TimeUnit.SECONDS);
        String line = ana.awaitErr("refused 'bob' (" + bob.identity().id().shortId() + ") at 127.0.0.7:");
        assertTrue(Pattern.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN ana/[0-9a-f]{8}: refused 'bob' "
            + "\\([0-9a-f]{8}\\) at 127\\.0\\.0\\.7:\\d+: its id is connected at 127\\.0\\.0\\.2:\\d+ "
            + "\\(.*\\); ids are claimed, not proven, so one of the two may be an impostor", line),
            line + ana.dump());
      }
      ana.send("/peers");
      ana.awaitOut(l -> l.matches("1\\s+bob \\[[0-9a-f]{8}]\\s+127\\.0\\.0\\.2:.*"));
      assertEquals(0, ana.countOut("connection replaced"), ana.dump());
    }
  }

  @Test
  void aNodeThatFailsEndsTheChatWithAnErrorAndExitCodeOne() throws Exception {
    // A small heap, and a 15 MB message that the chat's node and listener cannot hold: an
    // OutOfMemoryError on its I/O or callback thread, so the node fails (docs/reliability.md).
    try (VecinoProcess ana = VecinoProcess.chat("ana", tmp.resolve("ana"), List.of("-Xmx32m"));
         PeerNode bob = node(Identity.random("bob"), "127.0.0.2")) {
      Peer atAna = bob.connect(address(ana)).get(20, TimeUnit.SECONDS);
      ana.awaitOut("+ bob joined");
      bob.send(atAna, "a".repeat(15_000_000));
      String line = ana.awaitErr("error: node ana/");
      assertTrue(line.endsWith("; the chat ends (exit code 1)"), line + ana.dump());
      assertTrue(line.contains("java.lang.OutOfMemoryError"), line);
      assertEquals(1, ana.awaitExit(), ana.dump());
      assertEquals(0, ana.countOut("leaving"), "no goodbye from a failed node" + ana.dump());
      assertTrue(ana.errLines().stream()
          .anyMatch(l -> l.contains(" ERROR ana/") && l.contains("node failed")), ana.dump());
    }
  }

  private static InetSocketAddress address(VecinoProcess chat) {
    return new InetSocketAddress("127.0.0.1", chat.port());
  }

  private static PeerNode node(Identity identity, String bind) {
    return PeerNode.builder().identity(identity).bindAddress(bind).port(0).build().start();
  }

  /** A node that may claim any id: only plaintext chats (--plaintext) can be fooled by one. */
  private static PeerNode plaintextNode(Identity identity, String bind) {
    return PeerNode.builder().identity(identity).plaintext(true).bindAddress(bind).port(0).build().start();
  }
}
