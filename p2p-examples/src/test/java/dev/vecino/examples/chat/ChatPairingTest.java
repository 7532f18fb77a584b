package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.NotAdmittedException;
import dev.vecino.p2p.PairingRequest;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PinnedPeer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chat's pairing questions and {@code /trust}, {@code /untrust}, {@code /keys}, with a real
 * pairing chat ("ana", on 127.0.63.x) and real nodes connecting to it: the question shows where,
 * the key and the code; {@code y} accepts, an empty line, Ctrl-C and silence reject, and the
 * answer comes from the input thread while the node waits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatPairingTest {

  private static final Duration LONG = Duration.ofSeconds(20);

  /** Bob: a pairing node whose person's answer is {@code answer}; the request he saw goes to {@code seen}. */
  private static PeerNode bob(String host, CompletableFuture<Boolean> answer, CompletableFuture<PairingRequest> seen) {
    return PeerNode.builder().name("bob").bindAddress(host).port(0)
        .pairing(r -> {
          seen.complete(r);
          return answer;
        }, LONG).build().start();
  }

  private static String fingerprint(PeerNode n) {
    return n.identity().key().orElseThrow().fingerprint();
  }

  private static NotAdmittedException refused(CompletableFuture<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(15, TimeUnit.SECONDS));
    return assertInstanceOf(NotAdmittedException.class, e.getCause());
  }

  @Test
  void aRequestShowsWhereTheKeyAndTheCodeAndYesAccepts() throws Exception {
    CompletableFuture<PairingRequest> bobSaw = new CompletableFuture<>();
    try (ChatFixture chat = new ChatFixture("127.0.63.1", true, null, LONG);
         PeerNode bob = bob("127.0.63.2", CompletableFuture.completedFuture(true), bobSaw)) {
      CompletableFuture<Peer> toAna = bob.connect(chat.me.localAddress());
      String request = chat.console.await(l -> l.contains("pairing request from 127.0.63.2:"));
      assertTrue(request.endsWith("(inbound, id " + bob.identity().id().shortId() + "): a key this chat has not met"),
          request);
      chat.console.await(l -> l.equals("  key   " + fingerprint(bob)));
      String code = bobSaw.get(10, TimeUnit.SECONDS).code();
      chat.console.await(l -> l.equals("  code  " + code.substring(0, 3) + " " + code.substring(3)
          + "  (the other screen must show the same code; if it does not, answer no)"));
      chat.console.await(l -> l.startsWith("  accept? [y/N]  (y and Enter accepts; Enter alone, Ctrl-C or anything "
          + "else rejects; 20s to answer)"));
      assertFalse(toAna.isDone(), "the node waits for the person");

      chat.session.line("y");
      chat.console.await(l -> l.contains("you accepted pairing with 127.0.63.2:") && l.endsWith("waiting for the "
          + "other side"));
      assertEquals(chat.me.identity().id(), toAna.get(15, TimeUnit.SECONDS).id());
      chat.console.await(l -> l.contains("+ bob"));
      assertEquals(List.of("bob"), chat.me.pinnedPeers().stream().map(PinnedPeer::name).toList());
      assertEquals(List.of(fingerprint(bob)), chat.me.pinnedPeers().stream().map(PinnedPeer::fingerprint).toList());
      assertFalse(chat.pairing.answer("hola"), "no question is asked now: the next line is a chat line");
    }
  }

  @Test
  void anEmptyAnswerRejectsAndSoDoesCtrlCWithoutLeaving() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.63.3", true, null, LONG);
         PeerNode bob = bob("127.0.63.4", CompletableFuture.completedFuture(true), new CompletableFuture<>())) {
      CompletableFuture<Peer> first = bob.connect(chat.me.localAddress());
      chat.console.await(l -> l.startsWith("  accept? [y/N]"));
      chat.session.line("");
      chat.console.await(l -> l.contains("you rejected pairing with 127.0.63.4:"));
      NotAdmittedException e = refused(first);
      assertTrue(e.getMessage().contains("pairing declined on the acceptor"), e.getMessage());

      chat.console.clear();
      CompletableFuture<Peer> second = bob.connect(chat.me.localAddress());
      chat.console.await(l -> l.startsWith("  accept? [y/N]"));
      chat.session.interrupt();
      chat.console.await(l -> l.contains("you rejected pairing with 127.0.63.4:"));
      refused(second);
      assertFalse(chat.session.quitting(), "Ctrl-C at a question rejects it, and the chat goes on");

      chat.console.clear();
      CompletableFuture<Peer> third = bob.connect(chat.me.localAddress());
      chat.console.await(l -> l.startsWith("  accept? [y/N]"));
      chat.session.line("yes please");
      chat.console.await(l -> l.contains("you rejected pairing with 127.0.63.4:"));
      refused(third);
      assertEquals(List.of(), chat.me.pinnedPeers());
      assertEquals(List.of(), chat.me.peers());
    }
  }

  @Test
  void noAnswerWithinTheTimeoutRejects() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.63.5", true, null, Duration.ofMillis(300));
         PeerNode bob = bob("127.0.63.6", CompletableFuture.completedFuture(true), new CompletableFuture<>())) {
      NotAdmittedException e = refused(bob.connect(chat.me.localAddress()));
      assertTrue(e.getMessage().contains("pairing declined on the acceptor"), e.getMessage());
      chat.console.await(l -> l.contains("no answer within 300ms: pairing with 127.0.63.6:") && l.endsWith("rejected"));
      assertFalse(chat.pairing.answer("y"), "the question is gone");
    }
  }

  @Test
  void offATerminalNobodyCanAnswerSoEveryRequestIsRejectedSayingWhy() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.63.7", false, null, LONG);
         PeerNode bob = bob("127.0.63.8", CompletableFuture.completedFuture(true), new CompletableFuture<>())) {
      refused(bob.connect(chat.me.localAddress()));
      String line = chat.console.await(l -> l.contains("pairing request from 127.0.63.8:"));
      assertTrue(line.endsWith("rejected: nobody can answer off a terminal (/trust its key first)"), line);
      assertEquals(0, chat.count("accept?"));
    }
  }

  @Test
  void aRequestTheOtherSideDeclinedFirstIsWithdrawn() throws Exception {
    CompletableFuture<Boolean> bobSays = new CompletableFuture<>();
    try (ChatFixture chat = new ChatFixture("127.0.63.9", true, null, LONG);
         PeerNode bob = bob("127.0.63.10", bobSays, new CompletableFuture<>())) {
      CompletableFuture<Peer> toAna = bob.connect(chat.me.localAddress());
      chat.console.await(l -> l.startsWith("  accept? [y/N]"));
      bobSays.complete(false);
      refused(toAna);
      chat.console.await(l -> l.contains("pairing with 127.0.63.10:") && l.endsWith("ended before you answered (the "
          + "other side declined, or left)"));
      assertFalse(chat.pairing.answer("y"), "the question is gone: the next line is a chat line again");
    }
  }

  @Test
  void aYesFasterThanAnyoneCanCompareIsNotTakenSoItCannotAcceptTheNextRequest() {
    ScriptedConsole console = new ScriptedConsole(true);
    long[] now = {1_000};
    ChatPairing questions = new ChatPairing(console, new ChatFormat(java.time.Clock.systemUTC(), false),
        Duration.ofMinutes(2), Duration.ofSeconds(1), () -> now[0]);
    CompletableFuture<Boolean> first = questions.pair(request("198.18.0.1")).toCompletableFuture();
    CompletableFuture<Boolean> second = questions.pair(request("198.18.0.2")).toCompletableFuture();
    assertEquals(1, console.lines().stream().filter(l -> l.contains("waits until you answered")).count());
    // The first is withdrawn (its other side declined) just as the person types y for it.
    first.cancel(false);
    assertTrue(console.lines().stream().anyMatch(l -> l.contains("pairing with 198.18.0.1:9999")
        && l.contains("ended before you answered")), console.lines().toString());
    now[0] += Duration.ofMillis(200).toNanos();
    assertTrue(questions.answer("y"));
    assertFalse(second.isDone(), "a yes typed before the second question could be read is not taken");
    assertTrue(console.lines().get(console.lines().size() - 1).contains("not taken: that yes came before you could "
        + "compare the code of 198.18.0.2:9999"), console.lines().toString());
    now[0] += Duration.ofSeconds(1).toNanos();
    assertTrue(questions.answer("Y "));
    assertTrue(second.join(), "a yes after a second is");
    assertFalse(questions.answer("y"), "nothing is asked any more");
  }

  private static PairingRequest request(String host) {
    return new PairingRequest(new java.net.InetSocketAddress(host, 9999), dev.vecino.p2p.Direction.INBOUND,
        dev.vecino.p2p.PeerId.random(), dev.vecino.p2p.NodeKey.generate().fingerprint(), "123456");
  }

  @Test
  void trustedKeysJoinWithoutAQuestionKeysListsThemAndUntrustDisconnects() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.63.11", true, null, LONG);
         PeerNode bob = bob("127.0.63.12", CompletableFuture.completedFuture(false), new CompletableFuture<>())) {
      String bobs = fingerprint(bob);
      String shortId = bob.identity().id().shortId();
      chat.session.line("/keys");
      chat.console.await(l -> l.equals("no pinned keys (--pairing pins the keys you accept; /trust pins one)"));
      chat.session.line("/trust " + bobs.toLowerCase(java.util.Locale.ROOT));
      chat.console.await(l -> l.contains("trusted (name not seen yet) [" + shortId + "], key " + bobs
          + ": admitted without asking"));
      bob.trust(fingerprint(chat.me));

      bob.connect(chat.me.localAddress()).get(15, TimeUnit.SECONDS);
      chat.console.await(l -> l.contains("+ bob"));
      assertEquals(0, chat.count("pairing request"), "nobody was asked");
      chat.console.clear();
      chat.session.line("/keys");
      chat.console.await(l -> l.startsWith("pinned keys (admitted without asking"));
      String pinned = chat.console.await(l -> l.startsWith("  bob [" + shortId + "]  " + bobs + "  last seen "));
      assertTrue(pinned.endsWith(" at 127.0.63.12:" + bob.localAddress().getPort()), pinned);

      chat.session.line("/untrust " + shortId);
      chat.console.await(l -> l.contains("untrusted bob [" + shortId + "], key " + bobs));
      chat.console.await(l -> l.contains("- bob left (closed locally: key no longer trusted)"));
      chat.session.line("/untrust " + shortId);
      chat.console.await(l -> l.equals("error: no pinned key matches '" + shortId + "' (/keys lists them)"));
      chat.session.line("/untrust 12");
      chat.console.await(l -> l.startsWith("error: cannot untrust '12': an id prefix needs at least 4 hex digits"));
      String typo = (bobs.charAt(0) == 'A' ? "B" : "A") + bobs.substring(1);
      chat.session.line("/trust " + typo);
      chat.console.await(l -> l.startsWith("error: cannot trust '" + typo + "': fingerprint has a wrong check "
          + "character in group 2"));
      assertEquals(List.of(), chat.me.pinnedPeers());
    }
  }

  @Test
  void trustAConnectedPeerByNumberPinsTheKeyItProved() throws Exception {
    try (ChatFixture chat = new ChatFixture("127.0.63.13", false, null)) {
      PeerNode bob = chat.peer("bob", "127.0.63.14", new LinkedBlockingQueue<>());
      chat.connect(bob);
      chat.session.line("/trust 1");
      chat.console.await(l -> l.contains("trusted bob [" + bob.identity().id().shortId() + "], key " + fingerprint(bob)));
      assertEquals(List.of("bob"), chat.me.pinnedPeers().stream().map(PinnedPeer::name).toList());
      chat.session.line("/trust carl");
      chat.console.await(l -> l.startsWith("error: ") && l.contains("carl"));
    }
  }
}
