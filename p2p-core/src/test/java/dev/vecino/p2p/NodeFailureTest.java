package dev.vecino.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.scan.Ports;
import dev.vecino.p2p.scan.Targets;
import dev.vecino.p2p.transport.TransportFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node never dies quietly: when one of its threads dies (an I/O thread on an {@link Error},
 * the callback thread or a user's executor on a listener's {@link Error}), it fails: every peer
 * hears a BYE, its listeners hear {@code onDisconnected} for every peer, its port closes, its
 * threads end and {@link PeerNode#closeFuture()} fails with the cause. And a start that fails
 * half-way leaves no thread. Real loopback sockets; the failures are injected through a
 * {@link FaultyTransport} or a listener.
 */
@Timeout(60)
class NodeFailureTest {

  /** What the tests inject: an Error, so nothing may treat it as a RuntimeException. */
  static final class InjectedError extends Error {
    private static final long serialVersionUID = 1L;

    InjectedError(String message) {
      super(message);
    }
  }

  private static final String FAILED_BYE = "node failed (" + InjectedError.class.getName() + ")";

  /**
   * The failing node's listener: records like {@link Recorder}, throws {@code error} on the
   * message "die", and notes the threads it ran on.
   */
  static final class Dying extends Recorder {
    final Throwable error;
    volatile Thread diedOn;
    final List<Thread> disconnectThreads = new CopyOnWriteArrayList<>();

    Dying(Throwable error) {
      this.error = error;
    }

    @Override
    public void onMessage(Message message) {
      if (message.text().equals("die")) {
        diedOn = Thread.currentThread();
        if (error instanceof Error e) {
          throw e;
        }
        throw (RuntimeException) error;
      }
      super.onMessage(message);
    }

    @Override
    public void onDisconnected(Peer peer, DisconnectReason reason) {
      disconnectThreads.add(Thread.currentThread());
      super.onDisconnected(peer, reason);
    }
  }

  /**
   * The node that fails, with two peers (one it connected to, one that connected to it), and a
   * bystander node connected to one of those peers, which must not notice anything.
   */
  private static final class Scene implements AutoCloseable {
    final Dying events;
    final PeerNode failing;
    final Recorder outEvents = new Recorder();
    final Recorder inEvents = new Recorder();
    final Recorder bystanderEvents = new Recorder();
    final PeerNode out;
    final PeerNode in;
    final PeerNode bystander;
    final Peer outAtFailing;
    final Peer failingAtIn;
    final InetSocketAddress failingAddress;

    Scene(Throwable listenerError, Consumer<PeerNodeBuilder> failingOptions) throws Exception {
      events = new Dying(listenerError);
      out = Nodes.start("out", outEvents);
      in = Nodes.start("in", inEvents);
      bystander = Nodes.start("bystander", bystanderEvents);
      PeerNodeBuilder b = Nodes.local("failing").listener(events);
      failingOptions.accept(b);
      failing = b.build().start();
      failingAddress = failing.localAddress();
      outAtFailing = failing.connect(out.localAddress()).get(5, TimeUnit.SECONDS);
      failingAtIn = in.connect(failingAddress).get(5, TimeUnit.SECONDS);
      bystander.connect(out.localAddress()).get(5, TimeUnit.SECONDS);
      Await.until("the failing node has both peers", () -> failing.peers().size() == 2);
      Await.until("out has both peers", () -> out.peers().size() == 2);
    }

    @Override
    public void close() {
      failing.close();
      out.close();
      in.close();
      bystander.close();
    }
  }

  private static Throwable failure(CompletableFuture<?> f) {
    return assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause();
  }

  /** Whether nothing answers at {@code a} any more: refused, reset, or closed before a byte. */
  private static boolean refuses(InetSocketAddress a) {
    try (Socket s = new Socket()) {
      s.connect(a, 1000);
      s.setSoTimeout(1000);
      return s.getInputStream().read() == -1;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // Refused (ConnectException) or reset (SocketException).
      return true;
    }
  }

  /** Everything a failed node owes: see the class comment. */
  private static void assertFailedWith(Scene s, Throwable cause) throws Exception {
    Throwable closed = failure(s.failing.closeFuture());
    assertInstanceOf(NodeFailedException.class, closed);
    assertSame(cause, closed.getCause());
    assertTrue(closed.getMessage().contains("failed") && closed.getMessage().contains(cause.toString()),
        closed.getMessage());
    assertFalse(s.failing.isRunning());

    // Both peers heard why, in a BYE.
    Await.until("both peers hear the BYE", () -> s.outEvents.disconnects.size() == 1 && s.inEvents.disconnects.size() == 1,
        () -> s.outEvents.disconnects + " / " + s.inEvents.disconnects, Await.DEFAULT);
    for (DisconnectReason r : List.of(s.outEvents.disconnects.get(0), s.inEvents.disconnects.get(0))) {
      assertEquals(DisconnectReason.Kind.CLOSED_BY_PEER, r.kind(), r.toString());
      assertEquals(FAILED_BYE, r.detail());
    }

    // Its own listeners heard of every peer, with the same reason.
    Await.until("onDisconnected for both peers", () -> s.events.disconnects.size() == 2, () -> s.events.disconnects,
        Await.DEFAULT);
    for (DisconnectReason r : s.events.disconnects) {
      assertEquals(DisconnectReason.Kind.CLOSED_LOCALLY, r.kind(), r.toString());
      assertEquals(FAILED_BYE, r.detail());
    }
    assertTrue(s.failing.peers().isEmpty(), s.failing.peers().toString());

    // Its port takes no one in, and none of its threads is left.
    Await.until("the failed node's port refuses connections", () -> refuses(s.failingAddress));
    Nodes.assertNoThreadsOf(s.failing);

    // Calls say it failed, and why.
    Throwable connect = failure(s.failing.connect(s.in.localAddress()));
    assertInstanceOf(NodeFailedException.class, connect);
    assertTrue(connect.getMessage().contains(cause.toString()), connect.getMessage());
    assertSame(cause, connect.getCause());
    assertInstanceOf(NodeFailedException.class, failure(s.failing.send(s.outAtFailing, "after")));
    assertEquals(SendStatus.CLOSED, s.failing.trySend(s.outAtFailing, new byte[1]));
    IllegalStateException scan = assertThrows(IllegalStateException.class,
        () -> s.failing.scan(Targets.parse("127.0.0.1/32"), Ports.of(1)));
    assertTrue(scan.getMessage().contains("failed"), scan.getMessage());

    // close() is prompt and idempotent afterwards.
    long start = System.nanoTime();
    s.failing.close();
    s.failing.close("again");
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), "close after a failure must be prompt");
    assertFalse(s.failing.isRunning());

    // Another node in the same JVM goes on.
    Peer outAtBystander = s.bystander.peers().get(0);
    s.bystander.send(outAtBystander, "still here").get(5, TimeUnit.SECONDS);
    Await.until("the bystander's message arrives", () -> s.outEvents.texts().contains("still here"));
    assertTrue(s.bystander.isRunning() && s.out.isRunning() && s.in.isRunning());
    assertTrue(s.bystanderEvents.disconnects.isEmpty(), s.bystanderEvents.disconnects.toString());
  }

  @Test
  void anIoThreadThatDiesFailsTheNodeAndEveryPeerHearsWhy() throws Exception {
    FaultyTransport transport = new FaultyTransport();
    // Two I/O threads: the peers' connections are on one or both, and only one dies.
    try (Scene s = new Scene(null, b -> b.transport(transport).ioThreads(2))) {
      InjectedError e = new InjectedError("I/O thread killed by the test");
      transport.throwOnIoThread(e);
      assertFailedWith(s, e);
    }
  }

  @Test
  void anErrorFromAChannelHandlerFailsTheNode() throws Exception {
    FaultyTransport transport = new FaultyTransport();
    try (Scene s = new Scene(null, b -> b.transport(transport))) {
      StackOverflowError e = new StackOverflowError("handler overflowed (injected)");
      transport.throwOnNextRead(e);
      s.in.send(s.failingAtIn, "read me").get(5, TimeUnit.SECONDS);
      Throwable closed = failure(s.failing.closeFuture());
      assertSame(e, closed.getCause());
      Await.until("both peers hear the BYE", () -> s.outEvents.disconnects.size() == 1 && s.inEvents.disconnects.size() == 1);
      assertEquals("node failed (java.lang.StackOverflowError)", s.inEvents.disconnects.get(0).detail());
      Await.until("onDisconnected for both peers", () -> s.events.disconnects.size() == 2);
      Nodes.assertNoThreadsOf(s.failing);
    }
  }

  @Test
  void aThirdPartyTransportMayReportADeadLoopFromAnyThread() throws Exception {
    FaultyTransport transport = new FaultyTransport();
    try (Scene s = new Scene(null, b -> b.transport(transport))) {
      InjectedError e = new InjectedError("reported by the transport");
      transport.reportLoopDead(e);
      assertFailedWith(s, e);
    }
  }

  @Test
  void aListenerErrorOnTheCallbackThreadFailsTheNodeAndAFreshThreadSaysGoodbye() throws Exception {
    InjectedError e = new InjectedError("listener broke on the callback thread");
    try (Scene s = new Scene(e, b -> { })) {
      s.in.send(s.failingAtIn, "die").get(5, TimeUnit.SECONDS);
      assertFailedWith(s, e);
      String callbackThread = "vecino-callback-" + s.failing.identity().id().shortId();
      assertEquals(callbackThread, s.events.diedOn.getName());
      for (Thread t : s.events.disconnectThreads) {
        assertEquals(callbackThread, t.getName());
        assertNotSame(s.events.diedOn, t, "onDisconnected must come from a fresh thread");
      }
      assertFalse(s.events.diedOn.isAlive());
    }
  }

  @Test
  void aListenerErrorOnTheUsersExecutorFailsTheNode() throws Exception {
    InjectedError e = new InjectedError("listener broke on the user's executor");
    List<Throwable> seenByExecutor = new CopyOnWriteArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "user-callbacks");
      t.setDaemon(true);
      t.setUncaughtExceptionHandler((thread, x) -> seenByExecutor.add(x));
      return t;
    });
    try (Scene s = new Scene(e, b -> b.callbackExecutor(pool))) {
      s.in.send(s.failingAtIn, "die").get(5, TimeUnit.SECONDS);
      assertFailedWith(s, e);
      assertEquals("user-callbacks", s.events.diedOn.getName());
      // The node does not swallow it: the executor's thread sees the error as well.
      Await.until("the executor's thread sees the error", () -> seenByExecutor.contains(e));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aListenerErrorInDirectModeKillsTheIoThreadAndFailsTheNode() throws Exception {
    InjectedError e = new InjectedError("listener broke on the I/O thread");
    try (Scene s = new Scene(e, b -> b.directCallbacks(true))) {
      s.in.send(s.failingAtIn, "die").get(5, TimeUnit.SECONDS);
      assertFailedWith(s, e);
      assertEquals("vecino-io-" + s.failing.identity().id().shortId(), s.events.diedOn.getName());
    }
  }

  @Test
  void aRuntimeExceptionFromAListenerIsOnlyLogged() throws Exception {
    try (Scene s = new Scene(new IllegalStateException("listener bug (injected)"), b -> { })) {
      s.in.send(s.failingAtIn, "die").get(5, TimeUnit.SECONDS);
      s.in.send(s.failingAtIn, "next").get(5, TimeUnit.SECONDS);
      Await.until("the next message arrives", () -> s.events.texts().contains("next"));
      assertTrue(s.failing.isRunning());
      assertFalse(s.failing.closeFuture().isDone());
      assertTrue(s.events.disconnects.isEmpty() && s.inEvents.disconnects.isEmpty());
    }
  }

  @Test
  void closeFutureCompletesNormallyOnClose() throws Exception {
    PeerNode a = Nodes.start("a", new Recorder());
    CompletableFuture<Void> closed = a.closeFuture();
    assertFalse(closed.isDone());
    a.close();
    closed.get(5, TimeUnit.SECONDS);
    a.closeFuture().get(5, TimeUnit.SECONDS);
    Nodes.assertNoThreadsOf(a);

    PeerNode neverStarted = Nodes.local("never").build();
    neverStarted.close();
    neverStarted.closeFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aStartThatFailsHalfWayLeavesNoThreadAndThrowsAVecinoException() throws Exception {
    record Case(String what, TransportFactory factory, Class<? extends Throwable> cause) {}
    List<Case> cases = List.of(
        new Case("the transport factory throws", new FaultyTransport(FaultyTransport.StartFault.CREATE),
            IllegalStateException.class),
        new Case("the transport factory throws an Error", config -> {
          throw new InjectedError("no transport today");
        }, InjectedError.class),
        new Case("the transport factory returns null", config -> null, NullPointerException.class),
        new Case("listen throws after the I/O threads started", new FaultyTransport(FaultyTransport.StartFault.LISTEN),
            IllegalArgumentException.class));
    for (Case c : cases) {
      PeerNode node = Nodes.local("broken").transport(c.factory()).build();
      VecinoException e = assertThrows(VecinoException.class, node::start, c.what());
      assertInstanceOf(c.cause(), e.getCause(), c.what());
      assertTrue(e.getMessage().contains("could not start"), e.getMessage());
      Nodes.assertNoThreadsOf(node);
      assertFalse(node.isRunning());
      assertSame(e, failure(node.closeFuture()), c.what());
      Throwable connect = failure(node.connect(new InetSocketAddress("127.0.0.1", 1)));
      assertInstanceOf(NodeClosedException.class, connect);
      assertTrue(connect.getMessage().contains("start failed"), connect.getMessage());
      long start = System.nanoTime();
      node.close();
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2), c.what() + ": close must be prompt");
      assertThrows(IllegalStateException.class, node::start, "a node starts once");
    }
  }

  @Test
  void aStartThatCannotBindLeavesNoThread() throws Exception {
    try (PeerNode a = Nodes.start("a", new Recorder())) {
      PeerNode b = Nodes.local("b").port(a.localAddress().getPort()).closeTimeout(Duration.ofSeconds(1)).build();
      ConfigurationException e = assertThrows(ConfigurationException.class, b::start);
      Nodes.assertNoThreadsOf(b);
      assertSame(e, failure(b.closeFuture()));
    }
  }
}
