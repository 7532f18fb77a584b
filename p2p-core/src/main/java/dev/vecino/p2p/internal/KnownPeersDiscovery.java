package dev.vecino.p2p.internal;

import dev.vecino.p2p.discovery.Discovery;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The known-peer stage of discovery (issue 17): the addresses where each peer in the
 * {@link PeerStore} was last seen, most recently seen peer first, each peer's addresses most
 * recent first. Probed before anything else: a peer that was here yesterday is nearly always
 * here today, also on another subnet that no scan would cover.
 *
 * <p><b>Thread safety:</b> immutable; the store is read when a round starts.
 */
final class KnownPeersDiscovery implements Discovery {

  private final PeerStore store;

  KnownPeersDiscovery(PeerStore store) {
    this.store = store;
  }

  @Override
  public String name() {
    return "known";
  }

  @Override
  public Iterator<InetSocketAddress> candidates(int defaultPort) {
    return addresses().iterator();
  }

  @Override
  public long size(int defaultPort) {
    return addresses().size();
  }

  private List<InetSocketAddress> addresses() {
    Set<InetSocketAddress> all = new LinkedHashSet<>();
    for (PeerStore.Entry e : store.entries()) {
      all.addAll(e.addresses());
    }
    return new ArrayList<>(all);
  }

  @Override
  public String toString() {
    return "KnownPeersDiscovery{" + store.entries().size() + " peers}";
  }
}
