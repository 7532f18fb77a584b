package dev.vecino.p2p.scan;

import dev.vecino.p2p.scan.Targets.RangeSet;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Set;

/** Parses one target token into ranges (see {@link Targets} for the syntax). */
final class TargetParser {

  private TargetParser() {}


  static void parseToken(String token, RangeSet set, Set<Inet6Address> v6) {
    if (token.indexOf(':') >= 0) {
      v6.add(parseV6(token));
      return;
    }
    int slash = token.indexOf('/');
    if (slash >= 0) {
      long base = parseV4(token.substring(0, slash), token);
      int prefix = parseInt(token.substring(slash + 1), 0, 32, "prefix", token);
      addCidr(set, base, prefix);
      return;
    }
    if (token.indexOf('*') >= 0) {
      parseWildcard(token, set);
      return;
    }
    int dash = token.indexOf('-');
    if (dash > 0 && Character.isDigit(token.charAt(0)) && looksNumeric(token)) {
      String left = token.substring(0, dash);
      String right = token.substring(dash + 1);
      long a = parseV4(left, token);
      long b = right.indexOf('.') >= 0 ? parseV4(right, token)
          : (a & ~0xFFL) | parseInt(right, 0, 255, "last octet", token);
      if (b < a) {
        throw bad(token, "the range ends before it starts");
      }
      set.add(a, b);
      return;
    }
    if (looksNumeric(token)) {
      long a = parseV4(token, token);
      set.add(a, a);
      return;
    }
    resolveHost(token, set, v6);
  }

  private static boolean looksNumeric(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!(c >= '0' && c <= '9') && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static void addCidr(RangeSet set, long base, int prefix) {
    long size = 1L << (32 - prefix);
    long network = base & ~(size - 1) & 0xFFFFFFFFL;
    long broadcast = network + size - 1;
    if (prefix <= 30) {
      set.add(network + 1, broadcast - 1);
    } else {
      set.add(network, broadcast);
    }
  }

  private static void parseWildcard(String token, RangeSet set) {
    String[] octets = token.split("\\.", -1);
    if (octets.length != 4) {
      throw bad(token, "expected four octets");
    }
    long base = 0;
    int wild = 0;
    for (int i = 0; i < 4; i++) {
      if (octets[i].equals("*")) {
        wild++;
        base <<= 8;
      } else if (wild > 0) {
        throw bad(token, "a wildcard is allowed only in trailing octets (127.0.*.*)");
      } else {
        base = (base << 8) | parseInt(octets[i], 0, 255, "octet", token);
      }
    }
    addCidr(set, base, 32 - 8 * wild);
  }

  private static long parseV4(String s, String token) {
    String[] octets = s.split("\\.", -1);
    if (octets.length != 4) {
      throw bad(token, "'" + s + "' is not an IPv4 address (expected four octets)");
    }
    long v = 0;
    for (String o : octets) {
      v = (v << 8) | parseInt(o, 0, 255, "octet", token);
    }
    return v;
  }

  private static int parseInt(String s, int min, int max, String what, String token) {
    if (s.isEmpty() || s.length() > 5) {
      throw bad(token, "'" + s + "' is not a valid " + what);
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw bad(token, "'" + s + "' is not a valid " + what);
      }
      v = v * 10 + (c - '0');
    }
    if (v < min || v > max) {
      throw bad(token, what + " " + v + " is out of range " + min + ".." + max);
    }
    return v;
  }

  private static Inet6Address parseV6(String token) {
    String s = token;
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.indexOf('/') >= 0 || s.indexOf('-') >= 0 || s.indexOf('*') >= 0) {
      throw bad(token, "IPv6 ranges are not scanned; list IPv6 addresses one by one");
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.digit(c, 16) < 0 && c != ':' && c != '.' && c != '%') {
        throw bad(token, "not an IPv6 address");
      }
    }
    try {
      // A literal with ':' is parsed without any DNS lookup.
      InetAddress a = InetAddress.getByName(s);
      if (a instanceof Inet6Address a6) {
        return a6;
      }
      throw bad(token, "not an IPv6 address");
    } catch (UnknownHostException e) {
      throw bad(token, "not an IPv6 address");
    }
  }

  private static void resolveHost(String token, RangeSet set, Set<Inet6Address> v6) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!Character.isLetterOrDigit(c) && c != '.' && c != '-' && c != '_') {
        throw bad(token, "not an address, range or host name");
      }
    }
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(token);
    } catch (UnknownHostException e) {
      throw bad(token, "unknown host");
    }
    boolean anyV4 = false;
    for (InetAddress a : all) {
      if (a instanceof Inet4Address a4) {
        long v = Targets.toLong(a4);
        set.add(v, v);
        anyV4 = true;
      }
    }
    if (!anyV4) {
      for (InetAddress a : all) {
        if (a instanceof Inet6Address a6) {
          v6.add(a6);
        }
      }
    }
  }

  private static IllegalArgumentException bad(String token, String why) {
    return new IllegalArgumentException("bad target '" + token + "': " + why);
  }
}
