package dev.vecino.p2p.codec;

import dev.vecino.p2p.Direction;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a codec knows about the connection a {@link CodecSession} serves.
 *
 * @param direction who opened the connection
 * @param localAddress our end of the connection
 * @param remoteAddress the other end
 * @param localName this node's display name
 * @param maxFrameSize the largest frame body (type byte included) the node accepts, in bytes
 */
public record SessionInfo(
    Direction direction,
    InetSocketAddress localAddress,
    InetSocketAddress remoteAddress,
    String localName,
    int maxFrameSize) {

  /**
   * Validates the components.
   *
   * @param direction see the record component
   * @param localAddress see the record component
   * @param remoteAddress see the record component
   * @param localName see the record component
   * @param maxFrameSize see the record component
   * @throws IllegalArgumentException if {@code maxFrameSize} is not positive
   */
  public SessionInfo {
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(localAddress, "localAddress");
    Objects.requireNonNull(remoteAddress, "remoteAddress");
    Objects.requireNonNull(localName, "localName");
    if (maxFrameSize <= 0) {
      throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
    }
  }
}
