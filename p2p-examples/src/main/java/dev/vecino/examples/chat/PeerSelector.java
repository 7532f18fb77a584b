package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Finds the peer a user means by number (as {@code /peers} shows it, see {@link PeerNumbers}),
 * alias, name or id prefix. Exact matches beat case-insensitive ones; aliases beat names. When several peers
 * match equally, the selection fails and asks for the number.
 *
 * <p><b>Thread safety:</b> stateless.
 */
public final class PeerSelector {

  private PeerSelector() {}

  /**
   * Selects one peer.
   *
   * @param peers the current peers, in {@code /peers} order
   * @param aliases the aliases the user gave, by peer id
   * @param target what the user typed
   * @return the peer
   * @throws IllegalArgumentException with a one-line message: unknown or ambiguous peer
   */
  public static PeerInfo select(List<PeerInfo> peers, Map<PeerId, String> aliases, String target) {
    PeerNumbers numbers = new PeerNumbers();
    peers.forEach(p -> numbers.number(p.id(), p.name()));
    return select(peers, aliases, numbers, target);
  }

  /**
   * Selects one peer; a number means the peer it was shown for ({@link PeerNumbers}), and
   * fails when that peer is no longer connected.
   *
   * @param peers the connected peers
   * @param aliases the aliases the user gave, by peer id
   * @param numbers the numbers the peers were shown under
   * @param target what the user typed
   * @return the peer
   * @throws IllegalArgumentException with a one-line message: unknown, gone or ambiguous peer
   */
  static PeerInfo select(List<PeerInfo> peers, Map<PeerId, String> aliases, PeerNumbers numbers,
      String target) {
    String t = target.strip();
    if (peers.isEmpty()) {
      throw new IllegalArgumentException(Text.get("select.noPeers", t));
    }
    if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
      int number;
      try {
        number = Integer.parseInt(t);
      } catch (NumberFormatException e) {
        number = -1;
      }
      Optional<PeerId> id = number > 0 ? numbers.id(number) : Optional.empty();
      if (id.isPresent()) {
        for (PeerInfo p : peers) {
          if (p.id().equals(id.get())) {
            return p;
          }
        }
        // Never the peer now listed next: the number was shown for someone who left.
        throw new IllegalArgumentException(Text.get("select.gone", number,
            ChatFormat.clean(numbers.name(number))));
      }
      // Not a number given to a peer: a peer may still be named "42"; fall through to names.
      PeerInfo named = byLabel(peers, aliases, t);
      if (named != null) {
        return named;
      }
      throw new IllegalArgumentException(Text.get("select.noNumber", t));
    }
    PeerInfo found = byLabel(peers, aliases, t);
    if (found == null) {
      throw new IllegalArgumentException(Text.get("select.unknown", t));
    }
    return found;
  }

  private static PeerInfo byLabel(List<PeerInfo> peers, Map<PeerId, String> aliases, String t) {
    String lower = t.toLowerCase(Locale.ROOT);
    List<Predicate<PeerInfo>> rules = List.of(
        p -> t.equals(aliases.get(p.id())),
        p -> aliases.containsKey(p.id()) && aliases.get(p.id()).toLowerCase(Locale.ROOT).equals(lower),
        p -> t.equals(p.name()),
        p -> p.name().toLowerCase(Locale.ROOT).equals(lower),
        p -> lower.length() >= 4 && p.id().toString().startsWith(lower));
    for (Predicate<PeerInfo> rule : rules) {
      List<PeerInfo> hits = new ArrayList<>();
      for (PeerInfo p : peers) {
        if (rule.test(p)) {
          hits.add(p);
        }
      }
      if (hits.size() == 1) {
        return hits.get(0);
      }
      if (hits.size() > 1) {
        throw new IllegalArgumentException(Text.get("select.ambiguous", t, hits.size()));
      }
    }
    return null;
  }
}
