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
      return "timed out";
    }
    if (e instanceof SelfConnectionException) {
      return "that address is this node itself";
    }
    if (e instanceof OtherGroupException) {
      return "it is a Vecino node of another group" + detail(e);
    }
    if (e instanceof NotAPeerException) {
      return notAPeer(e.getMessage());
    }
    if (e instanceof NotAdmittedException n) {
      return notAdmitted(n.reason().detail());
    }
    if (e instanceof UnsupportedVersionException) {
      String tls = tlsMismatch(e.getMessage());
      return tls != null ? tls : "no common protocol version" + detail(e);
    }
    if (e instanceof PeerUnreachableException) {
      return hasCause(e, UnknownHostException.class) ? "unknown host" : "connection refused";
    }
    if (e instanceof ConnectException) {
      return "connection refused";
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
      return "not a Vecino peer";
    }
    String what = message.substring(i);
    if (what.startsWith("looks like a line of text")) {
      return "not a Vecino peer: it greeted with a line of text" + what.substring("looks like a line of text".length())
          + ", as the original LAN chat does; to talk to it, use --codec classic";
    }
    return "not a Vecino peer: it " + what;
  }

  /**
   * Says why a secure node refused: a group secret or a key allowlist (docs/security.md).
   *
   * @param detail the refusal's detail, e.g. {@code the acceptor ... admits only nodes with its
   *     group secret, and the initiator ... has none}
   * @return e.g. {@code not admitted: the acceptor ...}
   */
  public static String notAdmitted(String detail) {
    return detail == null || detail.isBlank() ? "not admitted (group secret or key allowlist)"
        : "not admitted: " + detail;
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
      return "it is a plaintext or older Vecino node and this one requires TLS; to talk to it, use --plaintext";
    }
    if (message.contains("this node is plaintext")) {
      return "it is a secure Vecino node (TLS) and this one is plaintext; to talk to it, drop --plaintext";
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
      return "the peer's send queue is full, try again";
    }
    if (e instanceof PeerDisconnectedException) {
      return "the peer disconnected";
    }
    if (e instanceof NodeFailedException && e.getMessage() != null) {
      // Names the node, the thread that died and the error: the one thing to report.
      return e.getMessage();
    }
    if (e instanceof NodeClosedException) {
      return "the node is closed";
    }
    if (e instanceof TimeoutException) {
      return "timed out";
    }
    if (e instanceof NotAdmittedException n) {
      return notAdmitted(n.reason().detail());
    }
    if (e instanceof UnknownHostException) {
      return "unknown host " + e.getMessage();
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
        return "cannot listen on " + host + ": cannot assign requested address (" + host
            + " is not an address of this host; --bind takes one of its own, or 0.0.0.0)";
      }
      return "port " + port + " is in use on " + host + " (try --port 0 for any free port)";
    }
    if (e instanceof ConfigurationException && e.getMessage() != null) {
      return "cannot listen on " + host + ":" + port + ": " + e.getMessage();
    }
    return "cannot listen on " + host + ":" + port + ": " + describe(e);
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
