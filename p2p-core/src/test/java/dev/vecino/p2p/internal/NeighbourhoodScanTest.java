package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecino.p2p.scan.Targets;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default range scan starts next to the node and works outward (issue 17). */
class NeighbourhoodScanTest {

  private static List<String> order(String targets, String... own) throws Exception {
    List<Inet4Address> centres = new ArrayList<>();
    for (String o : own) {
      centres.add((Inet4Address) InetAddress.getByName(o));
    }
    List<String> out = new ArrayList<>();
    for (InetAddress a : NeighbourhoodScan.ordered(Targets.parse(targets), centres)) {
      out.add(a.getHostAddress());
    }
    return out;
  }

  @Test
  void nearestAddressesComeFirstTiesAscending() throws Exception {
    assertEquals(List.of("198.18.0.4", "198.18.0.6", "198.18.0.3", "198.18.0.7", "198.18.0.2", "198.18.0.1"),
        order("198.18.0.1-198.18.0.4, 198.18.0.6-198.18.0.7", "198.18.0.5"));
  }

  @Test
  void severalOwnAddressesEachGetTheirNeighbourhood() throws Exception {
    assertEquals(List.of("198.18.0.2", "198.18.1.2", "198.18.0.3", "198.18.1.3"),
        order("198.18.0.2-198.18.0.3, 198.18.1.2-198.18.1.3", "198.18.0.1", "198.18.1.1"));
  }

  @Test
  void withoutAnOwnAddressTheOrderIsAscending() throws Exception {
    assertEquals(List.of("198.18.0.1", "198.18.0.2"), order("198.18.0.1-198.18.0.2"));
  }
}
