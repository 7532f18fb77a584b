package dev.vecino.p2p;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A message received from a peer.
 *
 * <p>The message owns its payload; {@link #payload()} gives a read-only view and
 * {@link #bytes()} a copy, so a listener may keep the message as long as it likes.
 *
 * <pre>{@code
 * void onMessage(Message m) {
 *   switch (m.kind()) {
 *     case TEXT, CALL -> show(m.sender().name(), m.text());
 *     case BINARY -> decode(m.payload());   // read-only view, no copy
 *   }
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> immutable; may be shared between threads.
 */
public final class Message {

  private final Peer sender;
  private final MessageKind kind;
  private final byte[] payload;

  /**
   * Creates a message. The node creates messages; tests and custom transports may too.
   *
   * @param sender the peer that sent it
   * @param kind what the payload means
   * @param payload the payload; the message takes ownership of the array, do not change it
   */
  public Message(Peer sender, MessageKind kind, byte[] payload) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.payload = Objects.requireNonNull(payload, "payload");
  }

  /**
   * Returns the peer that sent the message: its id and name identify the sender.
   *
   * @return the sender's live handle
   */
  public Peer sender() {
    return sender;
  }

  /**
   * Returns what the payload means.
   *
   * @return the kind
   */
  public MessageKind kind() {
    return kind;
  }

  /**
   * Returns a read-only view of the payload, positioned at 0.
   *
   * @return a new read-only buffer over the payload
   */
  public ByteBuffer payload() {
    return ByteBuffer.wrap(payload).asReadOnlyBuffer();
  }

  /**
   * Returns a copy of the payload.
   *
   * @return a new array
   */
  public byte[] bytes() {
    return payload.clone();
  }

  /**
   * Returns the payload decoded as UTF-8 (malformed input replaced, never thrown).
   *
   * @return the text
   */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /**
   * Returns the payload length in bytes.
   *
   * @return the size
   */
  public int size() {
    return payload.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Message m
        && m.sender.id().equals(sender.id())
        && m.kind == kind
        && Arrays.equals(m.payload, payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(sender.id(), kind, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "Message{from=" + sender.id().shortId() + ", kind=" + kind + ", size=" + payload.length + "}";
  }
}
