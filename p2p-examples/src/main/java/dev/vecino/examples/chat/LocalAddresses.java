package dev.vecino.examples.chat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Lists the addresses a node bound to a wildcard can be reached on; reads local state only. */
final class LocalAddresses {

  private LocalAddresses() {}

  /**
   * Returns {@code addr:port} for each IPv4 address of each up interface, LAN addresses first,
   * when {@code bound} is a wildcard; otherwise an empty list (the bound address says it all).
   */
  static List<String> reachable(InetSocketAddress bound) {
    InetAddress a = bound.getAddress();
    if (a == null || !a.isAnyLocalAddress()) {
      return List.of();
    }
    List<String> lan = new ArrayList<>();
    List<String> loopback = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp()) {
          continue;
        }
        for (InetAddress ia : Collections.list(nif.getInetAddresses())) {
          if (ia instanceof Inet4Address) {
            String s = ia.getHostAddress() + ":" + bound.getPort();
            (ia.isLoopbackAddress() ? loopback : lan).add(s);
          }
        }
      }
    } catch (SocketException e) {
      // Interfaces unreadable: the wildcard address alone is still true.
      return List.of();
    }
    lan.addAll(loopback);
    return lan;
  }
}
