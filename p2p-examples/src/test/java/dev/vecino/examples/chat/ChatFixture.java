package dev.vecino.examples.chat;

import dev.vecino.examples.scan.Scanner;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerNodeBuilder;
import dev.vecino.p2p.discovery.Backoff;
import dev.vecino.p2p.scan.Targets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A chat session over a {@link ScriptedConsole} and a real node ("ana") on a loopback address
 * of the test's own, with other real nodes to talk to. Scans go to a recording {@link Scanner}
 * whose own subnets are a loopback range: nothing is probed.
 */
final class ChatFixture implements AutoCloseable {

  final ScriptedConsole console;
  final AliasStore aliases = AliasStore.inMemory(Map.of());
  final ChatFormat format;
  final List<Scanner.Request> scans = new CopyOnWriteArrayList<>();
  /** What a scan's result waits for; complete it to end a scan (tests of cancelling). */
  final CompletableFuture<Scanner.Outcome> scanResult = new CompletableFuture<>();
  /** Runs when a scan starts, with its progress callback (tests of the progress lines). */
  volatile java.util.function.Consumer<Scanner.Progress> onScanStart = p -> { };
  final PeerNode me;
  /** The chat's pairing questions; the node asks them only when the fixture pairs. */
  final ChatPairing pairing;
  final ChatActions actions;
  final ChatSession session;
  private final String host;
  private final List<PeerNode> others = new ArrayList<>();

  /**
   * Starts ana on {@code host}.
   *
   * @param host a 127.x address of the test's own
   * @param terminal whether the console poses as a terminal
   * @param retry the chat's retry policy, or null for none
   * @param extra more listeners on ana
   */
  ChatFixture(String host, boolean terminal, Backoff retry, PeerListener... extra) {
    this(host, terminal, retry, null, extra);
  }

  /**
   * Starts ana on {@code host}, pairing when {@code pairingTimeout} is given: the chat's
   * questions ({@link #pairing}) then answer the node, each within that timeout.
   *
   * @param pairingTimeout how long a pairing question waits for an answer, or null for no pairing
   */
  ChatFixture(String host, boolean terminal, Backoff retry, Duration pairingTimeout, PeerListener... extra) {
    this.host = host;
    this.console = new ScriptedConsole(terminal);
    PeerNumbers numbers = new PeerNumbers();
    List<PeerNode> meRef = new ArrayList<>(1);
    this.format = new ChatFormat(Clock.systemUTC(), false, aliases)
        .withPeers(numbers, () -> meRef.isEmpty() ? List.of() : meRef.get(0).peers());
    // A yes counts at once here: tests answer as soon as the question is printed.
    this.pairing = new ChatPairing(console, format, pairingTimeout == null ? ChatPairing.TIMEOUT : pairingTimeout,
        Duration.ZERO, System::nanoTime);
    PeerNodeBuilder b = PeerNode.builder().name("ana").bindAddress(host).port(0)
        .listener(new ChatEvents(console, format, retry == null ? 0 : retry.maxAttempts()));
    if (pairingTimeout != null) {
      b.pairing(pairing, pairingTimeout.plus(ChatPairing.GRACE));
    }
    for (PeerListener l : extra) {
      b.listener(l);
    }
    if (retry != null) {
      b.reconnect(retry);
    }
    me = b.build().start();
    meRef.add(me);
    actions = new ChatActions(me, console, format, aliases, retry, 9999, e -> { });
    session = new ChatSession(me, console, format, actions,
        new ChatScan(me, console, format, recordingScanner(), () -> List.of("127.77.0.0/30")), pairing);
  }

  /** Starts another node on {@code peerHost}; its received messages go to {@code inbox}. */
  PeerNode peer(String name, String peerHost, BlockingQueue<String> inbox) {
    PeerNode n = PeerNode.builder().name(name).bindAddress(peerHost).port(0)
        .listener(new PeerListener() {
          @Override
          public void onMessage(Message m) {
            inbox.add(m.kind() + " " + m.text());
          }
        })
        .build().start();
    others.add(n);
    return n;
  }

  /** Connects ana to {@code other} and waits for the join line. */
  Peer connect(PeerNode other) throws Exception {
    Peer peer = me.connect(other.localAddress()).get(5, TimeUnit.SECONDS);
    String name = other.identity().name();
    console.await(l -> l.contains("+ " + name) && l.contains(peer.id().shortId()));
    return peer;
  }

  long count(String text) {
    return console.lines().stream().filter(l -> l.contains(text)).count();
  }

  @Override
  public void close() {
    me.close();
    others.forEach(PeerNode::close);
  }

  String host() {
    return host;
  }

  private Scanner recordingScanner() {
    return new Scanner() {
      @Override
      public List<String> ownSubnets(PeerNode node) {
        throw new AssertionError("the session must use the fixture's own subnets");
      }

      @Override
      public long size(String targets) {
        return Targets.parse(targets).size();
      }

      @Override
      public Job start(PeerNode node, Request request, Progress progress) {
        scans.add(request);
        onScanStart.accept(progress);
        return new Job() {
          @Override
          public CompletableFuture<Outcome> result() {
            return scanResult;
          }

          @Override
          public void cancel() {
            scanResult.complete(new Outcome(List.of(), 1, 0, Duration.ofMillis(1), true));
          }
        };
      }
    };
  }
}
