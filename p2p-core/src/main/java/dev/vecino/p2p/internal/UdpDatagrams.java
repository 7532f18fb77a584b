package dev.vecino.p2p.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * Beacons over real UDP: an IPv4 link-local multicast group (never forwarded by routers, and
 * sent with TTL 1 besides) and the subnet broadcast address. Only a node's own discovery and
 * its listener use it; tests use an in-memory {@link Datagrams}.
 *
 * <p><b>Thread safety:</b> stateless; each port is used by one thread.
 */
final class UdpDatagrams implements Datagrams {

  /**
   * The beacon group, in the link-local block 224.0.0.0/24 that routers never forward.
   * TODO(#17): ask IANA for an assignment; until then an unassigned address of the block.
   */
  static final InetAddress GROUP = literal(new byte[] {(byte) 224, 0, 0, (byte) 180});

  @Override
  public Port openSender() throws IOException {
    MulticastSocket s = new MulticastSocket(new InetSocketAddress(0));
    s.setBroadcast(true);
    s.setTimeToLive(1);
    // Our own beacons are not news to us.
    s.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
    return new UdpPort(s);
  }

  @Override
  public Port openListener(List<Link> links) throws IOException {
    MulticastSocket s = new MulticastSocket(null);
    try {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(Beacon.PORT));
      for (Link l : links) {
        if (l.multicast()) {
          s.joinGroup(new InetSocketAddress(GROUP, Beacon.PORT), NetworkInterface.getByName(l.name()));
        }
      }
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return new UdpPort(s);
  }

  @Override
  public List<Link> links() {
    List<Link> list = new ArrayList<>();
    try {
      Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
      while (all != null && all.hasMoreElements()) {
        NetworkInterface ni = all.nextElement();
        if (!ni.isUp()) {
          continue;
        }
        for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
          if (ia.getAddress() instanceof Inet4Address a) {
            list.add(new Link(ni.getName(), a, ia.getNetworkPrefixLength(), (Inet4Address) ia.getBroadcast(),
                ni.supportsMulticast(), ni.isLoopback()));
          }
        }
      }
    } catch (SocketException e) {
      throw new UncheckedIOException("cannot list network interfaces", e);
    }
    return list;
  }

  private static InetAddress literal(byte[] b) {
    try {
      return InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** A {@link MulticastSocket} as a port. */
  private static final class UdpPort implements Port {
    private final MulticastSocket socket;

    UdpPort(MulticastSocket socket) {
      this.socket = socket;
    }

    @Override
    public void send(ByteBuffer data, InetSocketAddress to) throws IOException {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      socket.send(new DatagramPacket(b, b.length, to));
    }

    @Override
    public void sendToGroup(ByteBuffer data, Link link) throws IOException {
      NetworkInterface ni = NetworkInterface.getByName(link.name());
      if (ni == null) {
        throw new SocketException("interface " + link.name() + " is gone");
      }
      socket.setNetworkInterface(ni);
      send(data, new InetSocketAddress(GROUP, Beacon.PORT));
    }

    @Override
    public InetSocketAddress receive(ByteBuffer into, long timeoutMillis) throws IOException {
      byte[] b = new byte[Beacon.MAX_DATAGRAM];
      DatagramPacket p = new DatagramPacket(b, b.length);
      socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis)));
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        return null;
      }
      into.clear();
      into.put(b, 0, Math.min(p.getLength(), into.capacity())).flip();
      return (InetSocketAddress) p.getSocketAddress();
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
