package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A discovery beacon (issue 17): a small UDP announcement that says "a Vecino node with this id
 * listens on this TCP port" and nothing else. It carries no name and no group: the group is
 * only a tag, an HMAC-SHA256 of the group keyed by a fresh random nonce, so a listener of the
 * same group recognises it and nobody else learns the group or can link two beacons by it. A
 * beacon is never trusted: it only makes the receiver try a handshake with the sender.
 *
 * <pre>
 * magic "VCNB" (4) | format 1 (u8) | flags (u8: bit 0 = reply) | id (16) | TCP port (u16)
 * | min protocol version (u8) | max protocol version (u8) | nonce (16) | group tag (16)
 * </pre>
 *
 * {@value #SIZE} bytes. Longer datagrams are accepted (later formats may append fields) and
 * their tail ignored; shorter ones, another magic or format 0 are refused.
 *
 * @param id the sender's id
 * @param tcpPort the port the sender listens on; 0 in a request from a node that does not listen
 * @param minVersion the lowest protocol version the sender speaks
 * @param maxVersion the highest protocol version the sender speaks
 * @param reply whether this beacon answers another
 * @param nonce the key of the group tag, 16 bytes
 * @param groupTag HMAC-SHA256(nonce, domain + group), first 16 bytes
 */
record Beacon(PeerId id, int tcpPort, int minVersion, int maxVersion, boolean reply, byte[] nonce, byte[] groupTag) {

  /** The UDP port beacons are sent to and listened for on. */
  static final int PORT = dev.vecino.p2p.PeerNodeBuilder.BEACON_PORT;
  /** The encoded size of a format-1 beacon. */
  static final int SIZE = 58;
  /** The largest datagram read; anything longer is truncated by the receive and refused. */
  static final int MAX_DATAGRAM = 512;

  private static final int MAGIC = 0x56434E42;
  private static final int FORMAT = 1;
  private static final int TAG_LENGTH = 16;
  private static final byte[] DOMAIN = "vecino-beacon-v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  Beacon {
    Objects.requireNonNull(id, "id");
    if (tcpPort < (reply ? 1 : 0) || tcpPort > 0xFFFF) {
      // A request may come from a node that does not listen (port 0); a reply names where to connect.
      throw new IllegalArgumentException("tcpPort must be " + (reply ? 1 : 0) + "..65535: " + tcpPort);
    }
    if (nonce.length != TAG_LENGTH || groupTag.length != TAG_LENGTH) {
      throw new IllegalArgumentException("nonce and group tag must be 16 bytes");
    }
    nonce = nonce.clone();
    groupTag = groupTag.clone();
  }

  /** A beacon of {@code group} with a fresh nonce. */
  static Beacon of(PeerId id, int tcpPort, String group, boolean reply) {
    byte[] nonce = new byte[TAG_LENGTH];
    RANDOM.nextBytes(nonce);
    return new Beacon(id, tcpPort, Hello.MIN_VERSION, Hello.VERSION, reply, nonce, tag(nonce, group));
  }

  /** Whether the sender is of {@code group}: its tag matches ours under its nonce (constant time). */
  boolean isOfGroup(String group) {
    return MessageDigest.isEqual(groupTag, tag(nonce, group));
  }

  /** Encodes into a new buffer of {@value #SIZE} bytes, ready to send. */
  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate(SIZE);
    b.putInt(MAGIC).put((byte) FORMAT).put((byte) (reply ? 1 : 0));
    b.putLong(id.high()).putLong(id.low());
    b.putShort((short) tcpPort).put((byte) minVersion).put((byte) maxVersion);
    b.put(nonce).put(groupTag);
    return b.flip();
  }

  /**
   * Decodes a received datagram.
   *
   * @param data the datagram, from position to limit; consumed
   * @return the beacon
   * @throws IllegalArgumentException saying why it is not a beacon
   */
  static Beacon decode(ByteBuffer data) {
    if (data.remaining() < SIZE) {
      throw new IllegalArgumentException("too short for a beacon: " + data.remaining() + " bytes");
    }
    if (data.getInt() != MAGIC) {
      throw new IllegalArgumentException("not a beacon (magic)");
    }
    int format = data.get() & 0xFF;
    if (format < FORMAT) {
      throw new IllegalArgumentException("unknown beacon format " + format);
    }
    boolean reply = (data.get() & 1) != 0;
    PeerId id = new PeerId(data.getLong(), data.getLong());
    int port = data.getShort() & 0xFFFF;
    int min = data.get() & 0xFF;
    int max = data.get() & 0xFF;
    byte[] nonce = new byte[TAG_LENGTH];
    byte[] tag = new byte[TAG_LENGTH];
    data.get(nonce).get(tag);
    if (port == 0 && reply) {
      throw new IllegalArgumentException("beacon reply with TCP port 0");
    }
    return new Beacon(id, port, min, max, reply, nonce, tag);
  }

  private static byte[] tag(byte[] nonce, String group) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(nonce, "HmacSHA256"));
      mac.update(DOMAIN);
      byte[] full = mac.doFinal(group.getBytes(StandardCharsets.UTF_8));
      byte[] t = new byte[TAG_LENGTH];
      System.arraycopy(full, 0, t, 0, TAG_LENGTH);
      return t;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Beacon b && id.equals(b.id) && tcpPort == b.tcpPort && minVersion == b.minVersion
        && maxVersion == b.maxVersion && reply == b.reply && java.util.Arrays.equals(nonce, b.nonce)
        && java.util.Arrays.equals(groupTag, b.groupTag);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, tcpPort, reply) * 31 + java.util.Arrays.hashCode(nonce);
  }

  @Override
  public String toString() {
    return "Beacon{" + id.shortId() + " tcp " + tcpPort + " v" + minVersion + ".." + maxVersion
        + (reply ? " reply" : "") + "}";
  }
}
