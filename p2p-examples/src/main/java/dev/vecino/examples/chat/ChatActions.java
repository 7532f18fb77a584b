package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Errors;
import dev.vecino.examples.cli.HostPort;
import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.BroadcastResult;
import dev.vecino.p2p.ConnectTimeoutException;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import dev.vecino.p2p.PeerNode;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.PinnedPeer;
import dev.vecino.p2p.SendStatus;
import dev.vecino.p2p.discovery.Backoff;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The chat's operations on the node: connect, send, call, alias, disconnect, list, trust and
 * untrust keys. Sending,
 * naming and disconnecting finish before they return (so a script's next line sees their
 * effect); a connect is an {@link Operations.Operation} the session runs in the background at
 * a terminal. Each reports failure as one error line, never an exception. A message or call
 * that reached nobody is remembered ({@link #lostLines}): piped chats then exit 1.
 *
 * <p>A connect that finds nobody (refused, timed out) is retried with the chat's backoff,
 * each retry announced by {@link ChatEvents}, and ends with a give-up line.
 *
 * <p><b>Threads:</b> the chat's input thread; a connect's result is printed on the node's
 * callback thread.
 */
final class ChatActions {

  private final PeerNode node;
  private final Console console;
  private final ChatFormat format;
  private final AliasStore aliases;
  private final Backoff retry;
  private final int defaultPort;
  private final Duration sendWait = Duration.ofSeconds(10);
  private final Consumer<Throwable> debug;
  private final AtomicBoolean lost = new AtomicBoolean();

  /**
   * Creates the actions.
   *
   * @param retry how a connect that finds nobody is retried; null for never
   * @param defaultPort the port of a {@code /connect host} without one
   */
  ChatActions(PeerNode node, Console console, ChatFormat format, AliasStore aliases,
      Backoff retry, int defaultPort, Consumer<Throwable> debug) {
    this.debug = debug;
    this.node = node;
    this.console = console;
    this.format = format;
    this.aliases = aliases;
    this.retry = retry;
    this.defaultPort = defaultPort;
  }

  /**
   * Returns whether a message or call reached nobody.
   *
   * @return true once one did
   */
  boolean lostLines() {
    return lost.get();
  }

  /**
   * Starts connecting to {@code host:port} ({@code host} alone means this chat's port); the
   * join line comes from the listener.
   *
   * @return the running connect, or null when the address is bad (said in an error line)
   */
  Operations.Operation connect(String address) {
    HostPort hp;
    InetSocketAddress target;
    try {
      hp = HostPort.parse(withPort(address.strip()));
      target = new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
    } catch (IllegalArgumentException e) {
      error(e.getMessage());
      return null;
    } catch (UnknownHostException e) {
      error(Text.get("actions.unknownHost", address));
      return null;
    }
    Set<PeerId> before = new HashSet<>();
    node.peers().forEach(p -> before.add(p.id()));
    console.println(format.event(Text.get("actions.connecting", hp)));
    CompletableFuture<Peer> f = retry == null ? node.connect(target) : node.connect(target, retry);
    CompletableFuture<Void> done = f.handle((peer, e) -> {
      connected(hp, before, peer, e);
      return null;
    });
    return new Operations.Operation(Text.get("actions.connect.what", hp), done, () -> f.cancel(false));
  }

  /** Adds this chat's port to a host typed without one. */
  private String withPort(String address) {
    return lacksPort(address) && !address.isEmpty() ? address + ":" + defaultPort : address;
  }

  /**
   * Returns whether an address names a host without a port: {@code 10.0.0.7}, {@code [::1]}.
   *
   * @param address what the user typed, stripped
   * @return true when no port is given
   */
  static boolean lacksPort(String address) {
    boolean bareV6 = address.startsWith("[") && address.endsWith("]");
    return bareV6 || address.indexOf(':') < 0;
  }

  /**
   * Returns the port a host typed without one is connected on.
   *
   * @return this chat's port
   */
  int defaultPort() {
    return defaultPort;
  }

  private void connected(HostPort hp, Set<PeerId> before, Peer peer, Throwable e) {
    if (e == null) {
      if (before.contains(peer.id())) {
        console.println(format.event(Text.get("actions.already", format.label(peer),
            peer.id().shortId())));
      }
      return;
    }
    Throwable cause = Errors.unwrap(e);
    if (cause instanceof CancellationException) {
      return; // The session said it was cancelled.
    }
    // The failures the library retries (PeerNode.connect(address, backoff)): the network's no.
    boolean gaveUp = retry != null && (cause instanceof ConnectTimeoutException
        || cause instanceof PeerUnreachableException && cause.getCause() instanceof java.io.IOException
        && !(cause.getCause() instanceof UnknownHostException));
    if (gaveUp) {
      error(Text.get("actions.gaveUp", hp, retry.maxAttempts() + 1, Errors.connectFailure(cause)));
    } else {
      error(Text.get("actions.cannotConnect", hp, Errors.connectFailure(cause)));
    }
    debug.accept(e);
  }

  /** Sends text to every connected peer. */
  void broadcast(String text) {
    if (text.isEmpty()) {
      error(Text.get("actions.empty"));
      return;
    }
    if (node.peers().isEmpty()) {
      lost.set(true);
      error(Text.get("actions.nobody"));
      return;
    }
    BroadcastResult result = node.broadcast(text);
    int total = result.statuses().size();
    if (result.allDelivered()) {
      console.println(format.event(Text.get("actions.toAll", total, text)));
      return;
    }
    long full = result.statuses().values().stream().filter(s -> s == SendStatus.QUEUE_FULL).count();
    console.println(format.event(Text.get("actions.toAllPart", result.delivered(), total, text)));
    if (result.delivered() == 0) {
      lost.set(true);
    }
    error(Text.get(full > 0 ? "actions.notSent.full" : "actions.notSent.gone",
        total - result.delivered()));
  }

  /** Sends text to one peer. */
  void direct(String target, String text) {
    Optional<Peer> peer = resolve(target);
    if (peer.isEmpty()) {
      lost.set(true);
      return;
    }
    if (text.isEmpty()) {
      error(Text.get("actions.emptyPrivate"));
      return;
    }
    try {
      await(node.send(peer.get(), ChatFormat.PRIVATE_MARK + text), sendWait);
      console.println(format.event(Text.get("actions.private", format.label(peer.get()), text)));
    } catch (ExecutionException | TimeoutException e) {
      lost.set(true);
      error(Text.get("actions.notSentTo", format.label(peer.get()), Errors.describe(e)));
      debug.accept(e);
    }
  }

  /** Calls one peer. */
  void call(String target, String text) {
    Optional<Peer> peer = resolve(target);
    if (peer.isEmpty()) {
      lost.set(true);
      return;
    }
    try {
      await(node.call(peer.get(), text), sendWait);
      console.println(format.event(text.isEmpty()
          ? Text.get("actions.called", format.label(peer.get()))
          : Text.get("actions.calledText", format.label(peer.get()), text)));
    } catch (ExecutionException | TimeoutException e) {
      lost.set(true);
      error(Text.get("actions.callFailed", format.label(peer.get()), Errors.describe(e)));
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
      error(Text.get("actions.badAlias", e.getMessage()));
      return;
    } catch (UncheckedIOException e) {
      error(e.getMessage());
      return;
    }
    console.println(format.event(alias == null
        ? Text.get("actions.aliasCleared", old, ChatFormat.clean(peer.get().name()))
        : Text.get("actions.aliasSet", old, ChatFormat.clean(alias), id.shortId())));
  }

  /** Disconnects one peer, or every peer for {@code all}. */
  void disconnect(String target) {
    if (target.equalsIgnoreCase("all") || target.equalsIgnoreCase(Text.get("chat.word.all"))) {
      int n = node.peers().size();
      if (n == 0) {
        error(Text.get("chat.noPeers"));
        return;
      }
      try {
        await(node.disconnectAll(), sendWait);
        console.println(format.event(Text.get("actions.disconnectedAll", n)));
      } catch (ExecutionException | TimeoutException e) {
        error(Text.get("actions.disconnectAllFailed", Errors.describe(e)));
      }
      return;
    }
    Optional<Peer> peer = resolve(target);
    if (peer.isEmpty()) {
      return;
    }
    try {
      await(node.disconnect(peer.get(), Text.get("actions.hungUp", node.identity().name())), sendWait);
      console.println(format.event(Text.get("actions.disconnected", format.label(peer.get()))));
    } catch (ExecutionException | TimeoutException e) {
      error(Text.get("actions.disconnectFailed", format.label(peer.get()), Errors.describe(e)));
    }
  }

  /** Prints the node itself and the table of connections. */
  void peers() {
    InetSocketAddress local = node.localAddress();
    List<String> reachable = LocalAddresses.reachable(local);
    String you = Text.get("actions.you", node.identity().name(), node.identity().id().shortId(),
        ChatFormat.address(local));
    console.println(reachable.isEmpty() ? you
        : you + Text.get("format.reachable", String.join(", ", reachable)));
    format.peerTable(snapshots()).forEach(console::println);
  }

  /** Prints this node's key fingerprint, each connected peer's and the pinned keys ({@code /keys}). */
  void keys() {
    ChatKeys.lines(node.identity(), node.peers(), node.pinnedPeers(), format).forEach(console::println);
  }

  /**
   * Pins a key ({@code /trust}): a fingerprint as typed, or the key a connected peer proved
   * (number, alias, name), for a peer whose fingerprint was compared by another way.
   */
  void trust(String target) {
    String fingerprint;
    if (target.replace("-", "").replace(" ", "").length() == ChatKeys.FINGERPRINT_CHARS) {
      fingerprint = target;
    } else {
      String[] tt = InputParser.splitTarget(target);
      Optional<Peer> peer = tt == null ? Optional.empty() : resolve(tt[0]);
      if (peer.isEmpty()) {
        return;
      }
      Optional<String> key = peer.get().keyFingerprint();
      if (key.isEmpty()) {
        error(Text.get("actions.trust.plaintextPeer", format.label(peer.get())));
        return;
      }
      fingerprint = key.get();
    }
    try {
      PinnedPeer p = node.trust(fingerprint);
      console.println(format.event(Text.get("actions.trusted", ChatKeys.who(p, format), p.fingerprint())));
    } catch (IllegalArgumentException e) {
      error(Text.get("actions.trust.bad", target, e.getMessage()));
    } catch (IllegalStateException e) {
      error(Text.get("actions.trust.plaintext"));
    } catch (UncheckedIOException e) {
      error(e.getMessage());
    }
  }

  /** Unpins a key ({@code /untrust}) by fingerprint or id prefix; a peer connected with it is disconnected. */
  void untrust(String target) {
    try {
      Optional<PinnedPeer> p = node.untrust(target);
      if (p.isEmpty()) {
        error(Text.get("actions.untrust.none", target));
        return;
      }
      console.println(format.event(Text.get("actions.untrusted", ChatKeys.who(p.get(), format),
          p.get().fingerprint())));
    } catch (IllegalArgumentException e) {
      error(Text.get("actions.untrust.bad", target, e.getMessage()));
    } catch (UncheckedIOException e) {
      error(e.getMessage());
    }
  }

  /** Prints the numbered peer list compactly, before a menu prompt asks for one. */
  void shortList() {
    for (Peer p : node.peers()) {
      console.println("  " + format.number(p.snapshot()) + ". "
          + ChatFormat.clean(format.aliasAndName(p.id(), p.name())) + " [" + p.id().shortId() + "]  "
          + ChatFormat.address(p.remoteAddress()));
    }
  }

  /** The connected peers' snapshots, in {@code /peers} order. */
  private List<PeerInfo> snapshots() {
    return node.peers().stream().map(Peer::snapshot).toList();
  }

  Optional<Peer> resolve(String target) {
    try {
      PeerInfo info = PeerSelector.select(snapshots(), aliases.all(), format.numbers(), target);
      Optional<Peer> peer = node.peer(info.id());
      if (peer.isEmpty()) {
        error(Text.get("actions.justLeft", target));
      }
      return peer;
    } catch (IllegalArgumentException e) {
      error(e.getMessage());
      return Optional.empty();
    }
  }

  private void error(String text) {
    console.error(text);
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
