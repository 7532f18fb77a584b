package dev.vecino.examples.chat;

import dev.vecino.p2p.PeerId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The numbers the chat shows peers under ({@code /peers}, the menu's lists, join lines) and
 * that {@code /msg 2} and the menu's answers refer to. A peer keeps its number for the whole
 * session, also after it left (a peer that comes back gets its number back), and no number is
 * ever given to another peer: a number typed after its peer left reaches nobody instead of
 * the next peer in the list.
 *
 * <p><b>Thread safety:</b> synchronized; numbers are given on the callback thread (joins) and
 * the input thread (lists).
 */
final class PeerNumbers {

  private final Map<PeerId, Integer> byId = new HashMap<>();
  private final Map<Integer, PeerId> byNumber = new HashMap<>();
  private final Map<Integer, String> names = new HashMap<>();
  private int next = 1;

  /**
   * Returns the peer's number, giving it the next free one on first sight.
   *
   * @param id the peer
   * @param name its name, remembered to say who a number was for
   * @return the number, from 1
   */
  synchronized int number(PeerId id, String name) {
    Integer n = byId.get(id);
    if (n == null) {
      n = next++;
      byId.put(id, n);
      byNumber.put(n, id);
    }
    names.put(n, name);
    return n;
  }

  /**
   * Returns the peer a number was given to.
   *
   * @param number the number as shown
   * @return the peer's id, if the number was ever given
   */
  synchronized Optional<PeerId> id(int number) {
    return Optional.ofNullable(byNumber.get(number));
  }

  /**
   * Returns the name of the peer a number was given to, as last seen.
   *
   * @param number the number
   * @return the name, or null if the number was never given
   */
  synchronized String name(int number) {
    return names.get(number);
  }
}
