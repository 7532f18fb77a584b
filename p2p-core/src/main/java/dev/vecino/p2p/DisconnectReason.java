package dev.vecino.p2p;

import java.util.Objects;

/**
 * Why a connection ended, or why one was refused.
 *
 * @param kind the category, for code that reacts to it
 * @param detail a human-readable detail (may be empty), e.g. the BYE text a peer sent
 */
public record DisconnectReason(Kind kind, String detail) {

  /** Categories of disconnects and refusals. */
  public enum Kind {
    /**
     * This node closed the connection ({@code disconnect} or {@code close}), or it failed: then
     * the detail reads {@code node failed (<error class>)} (see {@link PeerNode}).
     */
    CLOSED_LOCALLY("closed locally"),
    /** The peer said BYE; the detail is its reason. */
    CLOSED_BY_PEER("closed by peer"),
    /** The connection ended without a BYE: end of stream or reset. */
    CONNECTION_LOST("connection lost"),
    /** The peer broke the protocol (bad frame, unexpected frame type). */
    PROTOCOL_ERROR("protocol error"),
    /** A frame declared a length above the limit. */
    FRAME_TOO_LONG("frame too long"),
    /** The other side did not complete the handshake in time. */
    HANDSHAKE_TIMEOUT("handshake timeout"),
    /** The other side does not speak the Vecino protocol. */
    NOT_A_PEER("not a Vecino peer"),
    /** The other side is a Vecino node of another group. */
    OTHER_GROUP("other group"),
    /** The other side is this very node. */
    SELF_CONNECTION("connected to itself"),
    /** A connection to this peer already exists; this one was dropped. */
    DUPLICATE("duplicate connection"),
    /** No protocol version both sides support. */
    VERSION_UNSUPPORTED("protocol version unsupported"),
    /** The peer stopped answering heartbeats or stalled. */
    TIMED_OUT("timed out"),
    /** A node limit (connections, pending handshakes) refused the connection. */
    LIMIT_EXCEEDED("limit exceeded"),
    /** An I/O error other than a plain reset. */
    IO_ERROR("I/O error"),
    /**
     * A secure node's admission refused the other side: no or another group secret, a key not
     * on the allowlist (docs/security.md). The detail says which.
     */
    NOT_ADMITTED("not admitted");

    private final String text;

    Kind(String text) {
      this.text = text;
    }

    /**
     * Returns the short text used in logs and in {@link DisconnectReason#toString()}.
     *
     * @return e.g. {@code "closed by peer"}
     */
    public String text() {
      return text;
    }
  }

  /**
   * Validates the components.
   *
   * @param kind see the record component
   * @param detail see the record component
   * @throws NullPointerException if either component is null
   */
  public DisconnectReason {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * Returns a reason with an empty detail.
   *
   * @param kind the category
   * @return the reason
   */
  public static DisconnectReason of(Kind kind) {
    return new DisconnectReason(kind, "");
  }

  /**
   * Returns a reason with a detail.
   *
   * @param kind the category
   * @param detail the detail
   * @return the reason
   */
  public static DisconnectReason of(Kind kind, String detail) {
    return new DisconnectReason(kind, detail);
  }

  /** Returns e.g. {@code "closed by peer: bye"}, or just the kind's text without a detail. */
  @Override
  public String toString() {
    return detail.isEmpty() ? kind.text() : kind.text() + ": " + detail;
  }
}
