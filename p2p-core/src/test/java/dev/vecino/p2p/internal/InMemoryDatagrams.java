package dev.vecino.p2p.internal;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory datagram network for beacon tests: one shared link (a /24 of loopback
 * addresses, flagged as an ordinary interface), each host a {@link Datagrams} view of it,
 * optionally with more (made-up) links of its own. Group and broadcast datagrams reach every
 * listener on the shared link; unicast reaches the port bound at the destination. Every
 * datagram sent is recorded ({@link #sent}). Nothing touches a real interface.
 *
 * <p><b>Thread safety:</b> thread-safe; each port's queue is read by its owner.
 */
final class InMemoryDatagrams {

  private final Inet4Address broadcast;
  private final int prefix;
  private final Map<InetSocketAddress, Port> ports = new ConcurrentHashMap<>();
  private final AtomicInteger nextPort = new AtomicInteger(40_000);
  /** Every datagram sent, by sender address. */
  final Map<InetAddress, AtomicInteger> sentBy = new ConcurrentHashMap<>();
  /** Every datagram sent, in order. */
  final List<Sent> sent = new CopyOnWriteArrayList<>();

  /**
   * One datagram sent.
   *
   * @param from the sender
   * @param link the link a group datagram went out of, or null for unicast and broadcast
   * @param to the destination, or null for the group
   */
  record Sent(InetSocketAddress from, String link, InetSocketAddress to) {}

  /** A made-up link: {@code name}, {@code address/prefix}, its broadcast address or null. */
  static Datagrams.Link link(String name, String address, int prefix, String broadcast) throws IOException {
    return new Datagrams.Link(name, (Inet4Address) InetAddress.getByName(address), prefix,
        broadcast == null ? null : (Inet4Address) InetAddress.getByName(broadcast), true, false);
  }

  /** A machine with these links and no datagram port at all: for code that only lists links. */
  static Datagrams linksOnly(List<Datagrams.Link> links) {
    return new Datagrams() {
      @Override
      public Datagrams.Port openSender() throws IOException {
        throw new SocketException("no datagram ports in this test");
      }

      @Override
      public Datagrams.Port openListener(List<Datagrams.Link> l) throws IOException {
        throw new SocketException("no datagram ports in this test");
      }

      @Override
      public List<Datagrams.Link> links() {
        return List.copyOf(links);
      }
    };
  }

  InMemoryDatagrams(String broadcast, int prefix) throws IOException {
    this.broadcast = (Inet4Address) InetAddress.getByName(broadcast);
    this.prefix = prefix;
  }

  /** The view of host {@code address}: its link {@code mem0} on the shared network, then {@code more}. */
  Datagrams host(String address, Datagrams.Link... more) throws IOException {
    Datagrams.Link link = new Datagrams.Link("mem0", (Inet4Address) InetAddress.getByName(address), prefix, broadcast,
        true, false);
    List<Datagrams.Link> all = new ArrayList<>(List.of(link));
    all.addAll(List.of(more));
    return new Datagrams() {
      @Override
      public Datagrams.Port openSender() throws IOException {
        return open(new InetSocketAddress(link.address(), nextPort.incrementAndGet()), false);
      }

      @Override
      public Datagrams.Port openListener(List<Datagrams.Link> links) throws IOException {
        return open(new InetSocketAddress(link.address(), Beacon.PORT), true);
      }

      @Override
      public List<Datagrams.Link> links() {
        return List.copyOf(all);
      }
    };
  }

  private Port open(InetSocketAddress local, boolean listener) throws IOException {
    Port p = new Port(local, listener);
    if (ports.putIfAbsent(local, p) != null) {
      throw new SocketException("address in use: " + local);
    }
    return p;
  }

  private void deliver(InetSocketAddress from, ByteBuffer data, InetSocketAddress to, boolean toAllListeners) {
    sentBy.computeIfAbsent(from.getAddress(), a -> new AtomicInteger()).incrementAndGet();
    byte[] copy = new byte[data.remaining()];
    data.get(copy);
    if (toAllListeners) {
      for (Port p : ports.values()) {
        if (p.listener) {
          p.queue.add(new Datagram(copy, from));
        }
      }
    } else {
      Port p = ports.get(to);
      if (p != null) {
        p.queue.add(new Datagram(copy, from));
      }
    }
  }

  private record Datagram(byte[] data, InetSocketAddress from) {}

  private static final Datagram CLOSED = new Datagram(new byte[0], null);

  private final class Port implements Datagrams.Port {
    final InetSocketAddress local;
    final boolean listener;
    final BlockingQueue<Datagram> queue = new LinkedBlockingQueue<>();
    volatile boolean closed;

    Port(InetSocketAddress local, boolean listener) {
      this.local = local;
      this.listener = listener;
    }

    @Override
    public void send(ByteBuffer data, InetSocketAddress to) throws IOException {
      check();
      sent.add(new Sent(local, null, to));
      deliver(local, data, to, to.getAddress().equals(broadcast));
    }

    @Override
    public void sendToGroup(ByteBuffer data, Datagrams.Link link) throws IOException {
      check();
      sent.add(new Sent(local, link.name(), null));
      deliver(local, data, null, true);
    }

    @Override
    public InetSocketAddress receive(ByteBuffer into, long timeoutMillis) throws IOException {
      check();
      Datagram d;
      try {
        d = queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (d == null) {
        return null;
      }
      if (d == CLOSED) {
        throw new SocketException("closed");
      }
      into.clear();
      into.put(d.data(), 0, Math.min(d.data().length, into.capacity())).flip();
      return d.from();
    }

    private void check() throws IOException {
      if (closed) {
        throw new SocketException("closed");
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        ports.remove(local, this);
        queue.add(CLOSED);
      }
    }
  }
}
