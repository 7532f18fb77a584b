package dev.vecino.examples.cli;

import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.ConnectTimeoutException;
import dev.vecino.p2p.NodeClosedException;
import dev.vecino.p2p.NodeFailedException;
import dev.vecino.p2p.NotAPeerException;
import dev.vecino.p2p.NotAdmittedException;
import dev.vecino.p2p.OtherGroupException;
import dev.vecino.p2p.PeerDisconnectedException;
import dev.vecino.p2p.PeerUnreachableException;
import dev.vecino.p2p.QueueFullException;
import dev.vecino.p2p.SelfConnectionException;
import dev.vecino.p2p.UnsupportedVersionException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Turns exceptions into the one-line explanations the console prints: what went wrong, in the
 * user's words, never a stack trace.
 */
public final class Errors {

  private Errors() {}

  /**
   * Removes the wrappers futures add.
   *
   * @param t a failure, possibly a {@link CompletionException} or {@link ExecutionException}
   * @return the cause that says what happened
   */
  public static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /**
   * Describes why a connection attempt failed, e.g. {@code "connection refused"}.
   *
   * @param t the failure
   * @return a short phrase
   */
  public static String connectFailure(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof ConnectTimeoutException || e instanceof TimeoutException) {
      return Text.get("errors.timedOut");
    }
    if (e instanceof SelfConnectionException) {
      return Text.get("errors.self");
    }
    if (e instanceof OtherGroupException) {
      return Text.get("errors.otherGroup") + detail(e);
    }
    if (e instanceof NotAPeerException) {
      return notAPeer(e.getMessage());
    }
    if (e instanceof NotAdmittedException n) {
      return notAdmitted(n.reason().detail());
    }
    if (e instanceof UnsupportedVersionException) {
      String tls = tlsMismatch(e.getMessage());
      return tls != null ? tls : Text.get("errors.version") + detail(e);
    }
    if (e instanceof PeerUnreachableException) {
      return Text.get(hasCause(e, UnknownHostException.class) ? "errors.unknownHost" : "errors.refused");
    }
    if (e instanceof ConnectException) {
      return Text.get("errors.refused");
    }
    return describe(e);
  }

  /**
   * Says what answered instead of a Vecino peer, from the library's description of its first
   * bytes ({@code ...; looks like a line of text (carolclassic)}): text that greets at once is
   * what the original LAN chat (and a {@code --codec classic} chat) sends.
   *
   * @param message the exception's message, possibly null
   * @return e.g. {@code "not a Vecino peer: it looks like an HTTP request (GET / HTTP/1.1)"}
   */
  static String notAPeer(String message) {
    int i = message == null ? -1 : message.lastIndexOf("looks like ");
    if (i < 0) {
      return Text.get("errors.notPeer");
    }
    // The library's description stays English: it names bytes, not the user's words.
    String what = message.substring(i);
    String line = "looks like a line of text";
    if (what.startsWith(line)) {
      return Text.get("errors.notPeer.classic", what.substring(line.length()));
    }
    return Text.get("errors.notPeer.what", what);
  }

  /**
   * Says why a secure node refused: a group secret, a key allowlist, pairing or a pinned key (docs/security.md).
   *
   * @param detail the refusal's detail, e.g. {@code the acceptor ... admits only nodes with its
   *     group secret, and the initiator ... has none}
   * @return e.g. {@code not admitted: the acceptor ...}
   */
  public static String notAdmitted(String detail) {
    return detail == null || detail.isBlank() ? Text.get("errors.notAdmitted")
        : Text.get("errors.notAdmittedBecause", detail);
  }

  /**
   * Says which side speaks TLS when the library's "unsupported version" text tells (it names
   * the side that is secure), with the option that lets the two talk.
   *
   * @param message the exception's message, possibly null
   * @return the explanation, or null when the refusal is not about TLS
   */
  static String tlsMismatch(String message) {
    if (message == null) {
      return null;
    }
    if (message.contains("this node requires TLS")) {
      return Text.get("errors.tls.peerPlaintext");
    }
    if (message.contains("this node is plaintext")) {
      return Text.get("errors.tls.peerSecure");
    }
    return null;
  }

  /**
   * Describes any failure in one line.
   *
   * @param t the failure
   * @return a short phrase
   */
  public static String describe(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof QueueFullException) {
      return Text.get("errors.queueFull");
    }
    if (e instanceof PeerDisconnectedException) {
      return Text.get("errors.disconnected");
    }
    if (e instanceof NodeFailedException && e.getMessage() != null) {
      // Names the node, the thread that died and the error: the one thing to report.
      return e.getMessage();
    }
    if (e instanceof NodeClosedException) {
      return Text.get("errors.closed");
    }
    if (e instanceof TimeoutException) {
      return Text.get("errors.timedOut");
    }
    if (e instanceof NotAdmittedException n) {
      return notAdmitted(n.reason().detail());
    }
    if (e instanceof UnknownHostException) {
      return Text.get("errors.unknownHostNamed", e.getMessage());
    }
    String msg = e.getMessage();
    return msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg;
  }

  /**
   * Describes why a node could not start, naming "port in use" when that is the cause.
   *
   * @param t the failure from {@code start()}
   * @param host the bind address asked for
   * @param port the port asked for
   * @return a short phrase
   */
  public static String startFailure(Throwable t, String host, int port) {
    Throwable e = unwrap(t);
    if (hasCause(e, BindException.class)) {
      if (notLocal(e)) {
        return Text.get("errors.notLocal", host);
      }
      return Text.get("errors.portInUse", port, host);
    }
    if (e instanceof ConfigurationException && e.getMessage() != null) {
      return Text.get("errors.cannotListen", host, port, e.getMessage());
    }
    return Text.get("errors.cannotListen", host, port, describe(e));
  }

  /** Whether a bind failed because the address is not the host's (EADDRNOTAVAIL), not a busy port. */
  private static boolean notLocal(Throwable t) {
    for (Throwable e = t; e != null && e.getCause() != e; e = e.getCause()) {
      String m = e.getMessage();
      if (e instanceof BindException && m != null
          && m.toLowerCase(java.util.Locale.ROOT).contains("assign requested address")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Tells whether {@code t} or one of its causes is of the given type.
   *
   * @param t the failure
   * @param type the cause type
   * @return true if found
   */
  public static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable e = t; e != null; e = e.getCause()) {
      if (type.isInstance(e)) {
        return true;
      }
      if (e.getCause() == e) {
        break;
      }
    }
    return false;
  }

  private static String detail(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? "" : " (" + m + ")";
  }
}
