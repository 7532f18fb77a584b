package dev.vecino.p2p.testkit;

import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Message;
import dev.vecino.p2p.MessageKind;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerListener;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A legitimate peer for attack tests: a node on its own 127.x address that connects to the
 * node under attack, exchanges messages with it both ways within a deadline, reconnects fresh
 * on demand, and records everything a legitimate peer should never see (a disconnect it did
 * not ask for, its connection replaced, a message lost or out of order).
 *
 * <p>Both directions go through the attacked node's application: the node answers every TEXT
 * the friend sends with the same text, through {@link #echo()} (a listener to add to that
 * node's builder) or through its own code (a node in a child JVM). One {@link #exchange} thus
 * shows that the node still reads, delivers, sends and writes for a legitimate peer; one
 * {@link #reconnect()} that it still accepts one (a fresh TCP connection and handshake).
 *
 * <pre>{@code
 * Friend friend = Friend.start(nodes, BLOCK.host(2), "friend");
 * PeerNode node = nodes.start(BLOCK.host(1), 0, b -> b.name("node").listener(friend.echo()));
 * friend.connect(node);
 * friend.exchange(3);                  // before the attack
 * // ... the attack starts ...
 * friend.checkIn(3);                   // the connection it had carries messages both ways,
 *                                      // and a fresh one gets in and carries them too
 * // ... the attack is over ...
 * friend.checkIn(3);
 * friend.assertNothingLost();
 * }</pre>
 *
 * <p>Every wait has the deadline {@link #DEADLINE}; a missed one fails with an
 * {@link AssertionError} that says what the friend saw.
 *
 * <p><b>Thread safety:</b> call the methods from one test thread. The listeners run on the
 * nodes' callback threads and only record.
 */
public final class Friend {

  /** How long a connect, a disconnect or an exchange may take: generous, for a loaded 2-core machine. */
  public static final Duration DEADLINE = Await.DEFAULT;

  private final String name;
  private final InetAddress host;
  private final PeerNode node;
  private final String prefix;
  /** The in-process node under attack, once connected to one; its echo listener reads it. */
  private volatile PeerNode target;
  private InetSocketAddress targetAddress;
  private Peer peer;
  private long sent;
  /** The highest sequence number echoed back in order; written by the friend's callback thread. */
  private final AtomicLong echoed = new AtomicLong();
  private final List<String> troubles = new CopyOnWriteArrayList<>();
  private volatile boolean leaving;
  private final AtomicInteger ownDisconnects = new AtomicInteger();
  private int expectedOwnDisconnects;
  private int connects;
  private int exchanges;
  private long slowestConnectNanos;
  private long slowestExchangeNanos;

  private Friend(TestNodes nodes, String host, String name) {
    this.name = Objects.requireNonNull(name, "name");
    this.prefix = name + " ";
    this.node = nodes.start(host, 0, b -> b.name(name).listener(new Ears()));
    this.host = node.localAddress().getAddress();
  }

  /**
   * Starts the friend's node on {@code host} (any free port).
   *
   * @param nodes closes the friend's node with the others
   * @param host a 127.x address literal that no attacker of the test uses
   * @param name the friend's node name, also the prefix of its messages
   * @return the friend, not connected yet
   */
  public static Friend start(TestNodes nodes, String host, String name) {
    return new Friend(nodes, host, name);
  }

  /**
   * A listener for the builder of the node under attack: it answers each TEXT from this friend
   * with the same text, from the node's callback thread. It ignores every other message.
   *
   * @return the listener; it answers once {@link #connect(PeerNode)} named its node
   */
  public PeerListener echo() {
    PeerId friendId = node.identity().id();
    return new PeerListener() {
      @Override
      public void onMessage(Message m) {
        PeerNode t = target;
        if (t != null && m.kind() == MessageKind.TEXT && m.sender().id().equals(friendId)) {
          // A failed echo shows as a missing answer in exchange(), with what the friend saw.
          t.send(m.sender(), m.text());
        }
      }
    };
  }

  /**
   * Connects to a node of this JVM built with {@link #echo()}, and waits until that node
   * lists the friend as connected, from the friend's own address.
   *
   * @param target the node under attack
   * @return how long the connect took
   * @throws AssertionError if it does not succeed within {@link #DEADLINE}
   * @throws IllegalStateException if the friend is connected already
   */
  public Duration connect(PeerNode target) {
    Objects.requireNonNull(target, "target");
    if (peer != null) {
      throw new IllegalStateException(name + " is connected already");
    }
    this.target = target;
    Duration took = connect(target.localAddress());
    PeerId id = node.identity().id();
    Await.until(name + " listed by " + target.identity().name(), DEADLINE,
        () -> target.peer(id).filter(p -> p.state() == PeerState.CONNECTED).isPresent());
    InetAddress seen = target.peer(id).orElseThrow().remoteAddress().getAddress();
    if (!seen.equals(host)) {
      throw new AssertionError(name + " should reach the node from " + host + ", not " + seen);
    }
    return took;
  }

  /**
   * Connects to a node at {@code address} whose application answers each TEXT with the same
   * text (a node in a child JVM).
   *
   * @param address the node's address
   * @return how long the connect took
   * @throws AssertionError if it does not succeed within {@link #DEADLINE}
   * @throws IllegalStateException if the friend is connected already
   */
  public Duration connect(InetSocketAddress address) {
    if (peer != null) {
      throw new IllegalStateException(name + " is connected already");
    }
    this.targetAddress = Objects.requireNonNull(address, "address");
    long start = System.nanoTime();
    try {
      peer = node.connect(address).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(name + " could not connect to " + address + " within " + DEADLINE.toMillis()
          + " ms: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(name + " interrupted while connecting", e);
    }
    long took = System.nanoTime() - start;
    connects++;
    slowestConnectNanos = Math.max(slowestConnectNanos, took);
    return Duration.ofNanos(took);
  }

  /**
   * Closes the connection (BYE) and waits until both sides have let it go: the friend's
   * listener has seen its own disconnect and, for a node of this JVM, that node no longer
   * lists the friend. {@link #connect} or {@link #reconnect()} brings it back.
   *
   * @throws AssertionError if a step does not succeed within {@link #DEADLINE}
   * @throws IllegalStateException if the friend is not connected
   */
  public void disconnect() {
    if (peer == null) {
      throw new IllegalStateException(name + " is not connected");
    }
    leaving = true;
    try {
      await(node.disconnect(peer), "disconnect");
      expectedOwnDisconnects++;
      Await.until(name + " sees its own disconnect", DEADLINE, () -> ownDisconnects.get() == expectedOwnDisconnects);
    } finally {
      leaving = false;
    }
    peer = null;
    PeerNode t = target;
    if (t != null) {
      PeerId id = node.identity().id();
      Await.until(t.identity().name() + " lets " + name + " go", DEADLINE, () -> t.peer(id).isEmpty());
    }
  }

  /**
   * Closes the connection like {@link #disconnect()}, then connects again to the same node
   * with a fresh TCP connection and handshake.
   *
   * @return how long the fresh connect took
   * @throws AssertionError if a step does not succeed within {@link #DEADLINE}
   * @throws IllegalStateException if the friend is not connected
   */
  public Duration reconnect() {
    disconnect();
    PeerNode t = target;
    return t != null ? connect(t) : connect(targetAddress);
  }

  /**
   * Sends {@code messages} texts to the node and waits until each comes back from the node's
   * application, in order.
   *
   * @param messages how many, at least 1
   * @return how long the exchange took
   * @throws AssertionError if a send fails or an answer is missing after {@link #DEADLINE}
   * @throws IllegalStateException if the friend is not connected
   */
  public Duration exchange(int messages) {
    if (messages < 1) {
      throw new IllegalArgumentException("messages must be >= 1: " + messages);
    }
    if (peer == null) {
      throw new IllegalStateException(name + " is not connected");
    }
    long start = System.nanoTime();
    List<CompletableFuture<Void>> sends = new ArrayList<>(messages);
    for (int i = 0; i < messages; i++) {
      sends.add(node.send(peer, prefix + ++sent));
    }
    for (CompletableFuture<Void> f : sends) {
      await(f, "send");
    }
    long last = sent;
    try {
      Await.until(name + "'s messages answered", DEADLINE, () -> echoed.get() >= last);
    } catch (AssertionError e) {
      throw new AssertionError(name + ": answers up to " + echoed.get() + " of " + last + " within "
          + DEADLINE.toMillis() + " ms; its connection " + peer.state() + "; troubles " + troubles, e);
    }
    long took = System.nanoTime() - start;
    exchanges++;
    slowestExchangeNanos = Math.max(slowestExchangeNanos, took);
    return Duration.ofNanos(took);
  }

  /**
   * What the issue asks of a legitimate peer at one moment of an attack: the connection it has
   * still carries messages both ways, and a fresh one gets in and carries them too. That is
   * {@link #exchange}, {@link #reconnect()}, {@link #exchange} again.
   *
   * @param messages how many each exchange sends, at least 1
   * @return how long the fresh connect took
   * @throws AssertionError if a step does not succeed within {@link #DEADLINE}
   * @throws IllegalStateException if the friend is not connected
   */
  public Duration checkIn(int messages) {
    exchange(messages);
    Duration took = reconnect();
    exchange(messages);
    return took;
  }

  /**
   * Asserts that the friend saw nothing a legitimate peer should see: no disconnect it did not
   * ask for, no connection replaced under its handle, no answer lost or out of order.
   *
   * @throws AssertionError listing what it saw
   */
  public void assertNothingLost() {
    if (!troubles.isEmpty()) {
      throw new AssertionError(name + " saw: " + troubles);
    }
  }

  /**
   * Returns what the friend saw that a legitimate peer should not see, so far.
   *
   * @return an immutable list of descriptions
   */
  public List<String> troubles() {
    return List.copyOf(troubles);
  }

  /**
   * Returns the friend's node, closed by the {@link TestNodes} that started it.
   *
   * @return the node
   */
  public PeerNode node() {
    return node;
  }

  /**
   * Returns the friend's id.
   *
   * @return the id
   */
  public PeerId id() {
    return node.identity().id();
  }

  /**
   * Returns the friend's handle of its current connection to the node.
   *
   * @return the handle
   * @throws IllegalStateException if the friend is not connected
   */
  public Peer peer() {
    if (peer == null) {
      throw new IllegalStateException(name + " is not connected");
    }
    return peer;
  }

  /**
   * Returns the connects and exchanges so far with their slowest times, for a report line.
   *
   * @return e.g. {@code friend 127.6.11.2: 3 connects (slowest 12 ms), 6 exchanges, 18 messages each way (slowest 40 ms)}
   */
  @Override
  public String toString() {
    return name + " " + host.getHostAddress() + ": " + connects + " connects (slowest "
        + TimeUnit.NANOSECONDS.toMillis(slowestConnectNanos) + " ms), " + exchanges + " exchanges, " + sent
        + " messages each way (slowest " + TimeUnit.NANOSECONDS.toMillis(slowestExchangeNanos) + " ms)";
  }

  private void await(CompletableFuture<Void> f, String what) {
    try {
      f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(name + ": " + what + " failed: " + e + "; troubles " + troubles, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(name + " interrupted: " + what, e);
    }
  }

  /** The friend's own listener: counts answers, records troubles. */
  private final class Ears implements PeerListener {
    @Override
    public void onMessage(Message m) {
      if (m.kind() != MessageKind.TEXT) {
        return;
      }
      String text = m.text();
      if (!text.startsWith(prefix)) {
        return;
      }
      long seq;
      try {
        seq = Long.parseLong(text.substring(prefix.length()));
      } catch (NumberFormatException e) {
        troubles.add("an answer that is none of its messages: " + text);
        return;
      }
      if (seq == echoed.get() + 1) {
        echoed.set(seq);
      } else {
        troubles.add("answer " + seq + " after " + echoed.get());
      }
    }

    @Override
    public void onDisconnected(Peer p, DisconnectReason reason) {
      if (leaving && reason.kind() == DisconnectReason.Kind.CLOSED_LOCALLY) {
        ownDisconnects.incrementAndGet();
      } else {
        troubles.add("disconnected from " + p.remoteAddress() + ": " + reason);
      }
    }

    @Override
    public void onConnectionReplaced(Peer p, InetSocketAddress oldRemote, InetSocketAddress newRemote) {
      troubles.add("connection replaced: " + oldRemote + " -> " + newRemote);
    }
  }
}
