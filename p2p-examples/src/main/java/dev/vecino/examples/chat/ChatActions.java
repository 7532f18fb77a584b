package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.HostPort;
import dev.vecino.p2p.BroadcastResult;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.SendStatus;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The chat's operations on the node: connect, send, call, alias, disconnect, list. Each one
 * finishes before it returns (so a script's next line sees its effect) and reports failure as
 * one error line, never an exception.
 *
 * <p><b>Threads:</b> the chat's input thread only.
 */
final class ChatActions {

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;
  private final AliasStore aliases;
  private final Duration connectWait;
  private final Duration sendWait = Duration.ofSeconds(10);
  private final Consumer<Throwable> debug;

  ChatActions(PeerNode node, Console console, ChatFormat format, AliasStore aliases,
      Duration connectWait, Consumer<Throwable> debug) {
    this.debug = debug;
    this.node = node;
    this.console = console;
    this.format = format;
    this.aliases = aliases;
    this.connectWait = connectWait;
  }

  /** Connects to {@code host:port} and waits for the handshake; the join line comes from the listener. */
  void connect(String address) {
    HostPort hp;
    InetSocketAddress target;
    try {
      hp = HostPort.parse(address);
      target = new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
    } catch (IllegalArgumentException e) {
      error(e.getMessage());
      return;
    } catch (UnknownHostException e) {
      error("bad address '" + address + "': unknown host");
      return;
    }
    Set<PeerId> before = new HashSet<>();
    node.peers().forEach(p -> before.add(p.id()));
    console.println(format.event("connecting to " + hp + " ..."));
    try {
      Peer peer = await(node.connect(target), connectWait);
      if (before.contains(peer.id())) {
        console.println(format.event("already connected to " + format.label(peer)
            + " (id " + peer.id().shortId() + ")"));
      }
    } catch (ExecutionException | TimeoutException e) {
      error("cannot connect to " + hp + ": " + Errors.connectFailure(e));
      debug.accept(e);
    }
  }

  /** Sends text to every connected peer. */
  void broadcast(String text) {
    if (text.isEmpty()) {
      error("empty message: type some text to send");
      return;
    }
    if (node.peers().isEmpty()) {
      error("no peers connected: nobody to send to (connect with /connect host:port)");
      return;
    }
    BroadcastResult result = node.broadcast(text);
    int total = result.statuses().size();
    if (result.allDelivered()) {
      console.println(format.event("you to all (" + total + "): " + text));
      return;
    }
    long full = result.statuses().values().stream().filter(s -> s == SendStatus.QUEUE_FULL).count();
    console.println(format.event("you to all (" + result.delivered() + " of " + total + "): " + text));
    error("not sent to " + (total - result.delivered()) + " peer(s)"
        + (full > 0 ? ": send queue full" : ": disconnected"));
  }

  /** Sends text to one peer. */
  void direct(String target, String text) {
    Optional<Peer> peer = resolve(target);
    if (peer.isEmpty()) {
      return;
    }
    if (text.isEmpty()) {
      error("empty message: usage /msg <index|alias|name> <text>");
      return;
    }
    try {
      await(node.send(peer.get(), text), sendWait);
      console.println(format.event("you to " + format.label(peer.get()) + ": " + text));
    } catch (ExecutionException | TimeoutException e) {
      error("not sent to " + format.label(peer.get()) + ": " + Errors.describe(e));
      debug.accept(e);
    }
  }

  /** Calls one peer. */
  void call(String target, String text) {
    Optional<Peer> peer = resolve(target);
    if (peer.isEmpty()) {
      return;
    }
    try {
      await(node.call(peer.get(), text), sendWait);
      console.println(format.event("you called " + format.label(peer.get())
          + (text.isEmpty() ? "" : ": " + text)));
    } catch (ExecutionException | TimeoutException e) {
      error("call to " + format.label(peer.get()) + " failed: " + Errors.describe(e));
      debug.accept(e);
    }
  }

  /** Sets or clears a peer's alias and saves it in the config directory (the chat's own: the node never sees it). */
  void name(String target, String alias) {
    Optional<Peer> peer = resolve(target);
    if (peer.isEmpty()) {
      return;
    }
    PeerId id = peer.get().id();
    String old = format.label(peer.get());
    try {
      aliases.put(id, alias);
    } catch (IllegalArgumentException e) {
      error("bad alias: " + e.getMessage());
      return;
    } catch (UncheckedIOException e) {
      error(e.getMessage());
      return;
    }
    console.println(format.event(alias == null
        ? "alias of " + old + " cleared; now " + ChatFormat.clean(peer.get().name())
        : old + " is now known as " + ChatFormat.clean(alias) + " (id " + id.shortId() + ")"));
  }

  /** Disconnects one peer, or every peer for {@code all}. */
  void disconnect(String target) {
    if (target.equalsIgnoreCase("all")) {
      int n = node.peers().size();
      if (n == 0) {
        error("no peers connected");
        return;
      }
      try {
        await(node.disconnectAll(), sendWait);
        console.println(format.event("disconnected all (" + n + ")"));
      } catch (ExecutionException | TimeoutException e) {
        error("disconnect all: " + Errors.describe(e));
      }
      return;
    }
    Optional<Peer> peer = resolve(target);
    if (peer.isEmpty()) {
      return;
    }
    try {
      await(node.disconnect(peer.get(), node.identity().name() + " hung up"), sendWait);
      console.println(format.event("disconnected " + format.label(peer.get())));
    } catch (ExecutionException | TimeoutException e) {
      error("disconnect " + format.label(peer.get()) + ": " + Errors.describe(e));
    }
  }

  /** Prints the node itself and the table of connections. */
  void peers() {
    InetSocketAddress local = node.localAddress();
    List<String> reachable = LocalAddresses.reachable(local);
    console.println("you: " + node.identity().name() + " (id " + node.identity().id().shortId()
        + ") on " + ChatFormat.address(local)
        + (reachable.isEmpty() ? "" : "; reachable at " + String.join(", ", reachable)));
    format.peerTable(snapshots()).forEach(console::println);
  }

  /** Prints the numbered peer list compactly, before a menu prompt asks for one. */
  void shortList() {
    List<Peer> peers = node.peers();
    for (int i = 0; i < peers.size(); i++) {
      Peer p = peers.get(i);
      console.println("  " + (i + 1) + ". " + ChatFormat.clean(format.aliasAndName(p.id(), p.name()))
          + "  " + ChatFormat.address(p.remoteAddress()));
    }
  }

  /** The connected peers' snapshots, in {@code /peers} order. */
  private List<PeerInfo> snapshots() {
    return node.peers().stream().map(Peer::snapshot).toList();
  }

  Optional<Peer> resolve(String target) {
    try {
      PeerInfo info = PeerSelector.select(snapshots(), aliases.all(), target);
      Optional<Peer> peer = node.peer(info.id());
      if (peer.isEmpty()) {
        error("unknown peer '" + target + "': it just disconnected");
      }
      return peer;
    } catch (IllegalArgumentException e) {
      error(e.getMessage());
      return Optional.empty();
    }
  }

  private void error(String text) {
    console.println(format.error(text));
  }

  private static <T> T await(CompletableFuture<T> f, Duration max)
      throws ExecutionException, TimeoutException {
    try {
      return f.get(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ExecutionException("interrupted", e);
    }
  }
}
