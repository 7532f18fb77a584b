package dev.vecino.p2p.internal;

import dev.vecino.p2p.PeerId;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What a node's beacon sender ({@link BeaconDiscovery}) and listener ({@link BeaconListener})
 * share: who it is, the datagram seam, the scope and the bind address that decide which links
 * beacons may use.
 *
 * @param logName the node's log name
 * @param self the node's id
 * @param group the node's group
 * @param tcpPort the node's listening port, 0 if it does not listen
 * @param datagrams the datagram seam
 * @param scope the node's network scope
 * @param bind the node's bind address
 */
record BeaconSetup(String logName, PeerId self, String group, int tcpPort, Datagrams datagrams, ScopeGuard scope,
    InetAddress bind) {

  /** The links of {@code all} beacons may use: usable from the bind address, inside the scope. */
  List<Datagrams.Link> usable(List<Datagrams.Link> all) {
    List<Datagrams.Link> list = new ArrayList<>();
    for (Datagrams.Link l : all) {
      if (l.usableFrom(bind) && scope.refusal(l.address()) == null) {
        list.add(l);
      }
    }
    return List.copyOf(list);
  }
}
