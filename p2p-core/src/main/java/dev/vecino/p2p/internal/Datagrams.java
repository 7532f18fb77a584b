package dev.vecino.p2p.internal;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * The datagram seam of beacons (issue 17): real UDP ({@link UdpDatagrams}) in a node, an
 * in-memory network in tests, so beacon encoding, rate limits and merging are tested in every
 * build without a packet on any interface.
 */
public interface Datagrams {

  /**
   * Opens the port discovery sends beacons from and hears replies on: an ephemeral port, able
   * to broadcast, multicast with TTL 1.
   *
   * @return the port
   * @throws IOException if it cannot be opened
   */
  Port openSender() throws IOException;

  /**
   * Opens the listening port ({@link Beacon#PORT}), joined to the beacon group on
   * {@code links}.
   *
   * @param links the links to join the group on
   * @return the port
   * @throws IOException if it cannot be opened
   */
  Port openListener(List<Link> links) throws IOException;

  /**
   * Returns the machine's up IPv4 links, now.
   *
   * @return the links
   */
  List<Link> links();

  /** One datagram socket. Used by one thread; {@link #close()} from any thread ends a receive. */
  interface Port extends Closeable {
    /**
     * Sends to a unicast or broadcast address.
     *
     * @param data the datagram, from position to limit
     * @param to the destination
     * @throws IOException if sending fails
     */
    void send(ByteBuffer data, InetSocketAddress to) throws IOException;

    /**
     * Sends to the beacon group out of {@code link} only (TTL 1).
     *
     * @param data the datagram
     * @param link the link
     * @throws IOException if sending fails
     */
    void sendToGroup(ByteBuffer data, Link link) throws IOException;

    /**
     * Receives one datagram into {@code into} (cleared first, flipped after).
     *
     * @param into the buffer
     * @param timeoutMillis how long to wait, at least 1
     * @return the sender, or null on timeout
     * @throws IOException if the port is closed or fails
     */
    InetSocketAddress receive(ByteBuffer into, long timeoutMillis) throws IOException;
  }

  /**
   * One up IPv4 interface address.
   *
   * @param name the interface's name
   * @param address the address
   * @param prefix the prefix length
   * @param broadcast the broadcast address, or null
   * @param multicast whether the interface can multicast
   * @param loopback whether it is a loopback interface
   */
  record Link(String name, Inet4Address address, int prefix, Inet4Address broadcast, boolean multicast,
      boolean loopback) {

    /** Name prefixes of virtual bridges and tunnels; see {@link #virtual()}. */
    private static final List<String> VIRTUAL_PREFIXES = List.of("docker", "br-", "virbr", "veth", "tun", "tap", "wg");

    /** Validates. */
    public Link {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(address, "address");
    }

    /**
     * Returns whether {@code a} is in this link's subnet: on-link, reachable without a router.
     *
     * @param a the address
     * @return true if on-link
     */
    public boolean contains(InetAddress a) {
      if (!(a instanceof Inet4Address)) {
        return false;
      }
      return sameSubnet(a);
    }

    /**
     * Returns whether a node bound to {@code bind} may use this link for beacons: any link but
     * loopback for a wildcard bind, else only the link that holds the bind address (a node bound
     * to one interface, or to loopback, keeps its discovery there).
     *
     * @param bind the node's bind address
     * @return true if usable
     */
    public boolean usableFrom(InetAddress bind) {
      return !loopback && (bind.isAnyLocalAddress() || bind.equals(address));
    }

    /**
     * Returns whether this is a virtual bridge or tunnel by its name ({@code docker*, br-*,
     * virbr*, veth*, tun*, tap*, wg*}): the interfaces whose subnets the default range scan
     * ({@code Targets.localSubnets()}) skips. The same rule as there, kept equal by a test
     * ({@code LocalSubnetsTest}): the exported package cannot call into this one.
     *
     * @return true if the default range scan skips this link's subnet
     */
    public boolean virtual() {
      for (String p : VIRTUAL_PREFIXES) {
        if (name.startsWith(p)) {
          return true;
        }
      }
      return false;
    }

    private boolean sameSubnet(InetAddress a) {
      long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
      return (bits(a) & mask) == (bits(address) & mask);
    }

    private static long bits(InetAddress a) {
      byte[] b = a.getAddress();
      return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
    }
  }
}
