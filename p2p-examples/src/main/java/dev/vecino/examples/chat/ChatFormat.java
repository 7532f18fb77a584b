package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Text;
import dev.vecino.p2p.Direction;
import dev.vecino.p2p.DisconnectReason;
import dev.vecino.p2p.Identity;
import dev.vecino.p2p.Peer;
import dev.vecino.p2p.PeerId;
import dev.vecino.p2p.PeerInfo;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Formats every line the chat prints: time-stamped events, errors, the peer table. Colors are
 * ANSI escapes, used only when the console is a terminal that wants them. A peer is shown
 * under the alias the user gave it ({@link AliasStore}), else under its name.
 *
 * <p>Peers come as {@link PeerInfo} snapshots: one consistent view per line.
 *
 * <p><b>Thread safety:</b> immutable but for the alias store it reads, which is thread-safe;
 * callable from any thread.
 */
public final class ChatFormat {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");
  private static final String RESET = "\u001b[0m";
  /** The keys of the disconnect reasons: this and the kind's name in lower case. */
  static final String REASON = "reason.";

  /**
   * What a private message starts with on the wire: a chat shows it as private and drops the
   * mark; any other program shows the mark, which tells its reader just as well. A courtesy,
   * not a proof (ids are not proven either): any peer may send a text starting with it.
   */
  public static final String PRIVATE_MARK = "[private] ";
  /** The most lines of one message shown; the rest is counted. */
  static final int MAX_LINES = 8;
  /** The most characters of one message shown; the rest is counted. */
  static final int MAX_CHARS = 1000;

  private final Clock clock;
  private final boolean color;
  private final AliasStore aliases;
  private final PeerNumbers numbers;
  private final Supplier<List<Peer>> peers;

  /**
   * Creates a formatter that knows no aliases.
   *
   * @param clock the source of time stamps
   * @param color whether to emit ANSI colors
   */
  public ChatFormat(Clock clock, boolean color) {
    this(clock, color, AliasStore.inMemory(Map.of()));
  }

  /**
   * Creates a formatter.
   *
   * @param clock the source of time stamps
   * @param color whether to emit ANSI colors
   * @param aliases the aliases to show peers under
   */
  public ChatFormat(Clock clock, boolean color, AliasStore aliases) {
    this(clock, color, aliases, new PeerNumbers(), List::of);
  }

  private ChatFormat(Clock clock, boolean color, AliasStore aliases, PeerNumbers numbers,
      Supplier<List<Peer>> peers) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.color = color;
    this.aliases = Objects.requireNonNull(aliases, "aliases");
    this.numbers = numbers;
    this.peers = peers;
  }

  /**
   * Returns a formatter that numbers peers with {@code numbers} and tells peers of the same
   * name apart by their short id, looking among {@code peers}.
   *
   * @param numbers the session's peer numbers
   * @param peers the connected peers, asked on each line that names a peer
   * @return the formatter
   */
  ChatFormat withPeers(PeerNumbers numbers, Supplier<List<Peer>> peers) {
    return new ChatFormat(clock, color, aliases, numbers, peers);
  }

  /**
   * Returns the session's peer numbers.
   *
   * @return the numbers
   */
  PeerNumbers numbers() {
    return numbers;
  }

  /**
   * Returns a peer's number, giving it one on first sight.
   *
   * @param peer the peer
   * @return the number shown for it
   */
  int number(PeerInfo peer) {
    return numbers.number(peer.id(), peer.name());
  }

  /**
   * Returns whether this formatter emits colors.
   *
   * @return true for ANSI colors
   */
  public boolean color() {
    return color;
  }

  /**
   * Time-stamps an event line: {@code [12:00:01] text}.
   *
   * @param text the event
   * @return the line
   */
  public String event(String text) {
    return paint("2", "[" + time(clock.instant()) + "]") + " " + text;
  }

  /**
   * Formats an error: {@code [12:00:01] error: text}.
   *
   * @param text what went wrong, one line
   * @return the line
   */
  public String error(String text) {
    // Never translated: scripts and users grep for it.
    return event(paint("1;31", "error:") + " " + text);
  }

  /**
   * Formats a peer's arrival.
   *
   * @param peer the peer
   * @return the line
   */
  public String joined(PeerInfo peer) {
    String dir = switch (peer.direction()) {
      case INBOUND -> Text.get("format.inbound");
      case OUTBOUND -> Text.get("format.outbound");
    };
    String where = address(peer.remoteAddress());
    // Codecs without a handshake name a peer by its address: do not say it twice.
    String details = Text.get("format.joined.details", dir, peer.id().shortId(), number(peer));
    return event(paint("32", "+ " + label(peer)) + " " + (label(peer).equals(where)
        ? Text.get("format.joined", details) : Text.get("format.joinedFrom", where, details)));
  }

  /**
   * Formats a peer's departure with the reason.
   *
   * @param peer the peer
   * @param reason why it left
   * @return the line
   */
  public String left(PeerInfo peer, DisconnectReason reason) {
    // The reason's text comes from the peer's BYE: as untrusted as a message.
    return event(paint("33", "- " + label(peer)) + " "
        + Text.get("format.left", clean(reason(reason))));
  }

  /**
   * Says why a connection ended in the console's language: the kind translated (key {@code
   * reason.<kind>}; the library's English for a kind the bundle does not know yet), the
   * detail as the peer or the library gave it.
   *
   * @param reason the reason
   * @return e.g. {@code closed by peer: ana left the chat}
   */
  public static String reason(DisconnectReason reason) {
    String key = REASON + reason.kind().name().toLowerCase(java.util.Locale.ROOT);
    String kind = Text.has(key) ? Text.get(key) : reason.kind().text();
    return reason.detail().isEmpty() ? kind : kind + ": " + reason.detail();
  }

  /**
   * Formats a peer's move to another connection without a disconnect ({@code
   * PeerListener.onConnectionReplaced}): {@code ~ bob (3f2a9c01) is now at 127.0.0.2:41203 (was
   * 127.0.0.2:5000): connection replaced}. A move to another host address stands out (a
   * {@code !} mark, bold red, and a warning): ids are claimed, not proven, so the new connection
   * may be someone else using the peer's id (docs/reliability.md).
   *
   * @param peer the peer, already at {@code newRemote}
   * @param oldRemote the other end of the connection given up
   * @param newRemote the other end of the connection now in use
   * @return the line
   */
  public String replaced(PeerInfo peer, InetSocketAddress oldRemote, InetSocketAddress newRemote) {
    return replaced(peer, oldRemote, newRemote, false);
  }

  /**
   * Formats a peer's move like {@link #replaced(PeerInfo, InetSocketAddress, InetSocketAddress)};
   * a peer whose new connection proved its key over TLS (its id is derived from that key) is the
   * same node wherever it connects from, so a move to another host gets no warning, only the
   * words {@code (same key)}.
   *
   * @param peer the peer, already at {@code newRemote}
   * @param oldRemote the other end of the connection given up
   * @param newRemote the other end of the connection now in use
   * @param proven whether the new connection proved the peer's key (TLS)
   * @return the line
   */
  public String replaced(PeerInfo peer, InetSocketAddress oldRemote, InetSocketAddress newRemote,
      boolean proven) {
    boolean sameHost = oldRemote.getAddress() != null
        && oldRemote.getAddress().equals(newRemote.getAddress());
    String text = Text.get("format.replaced", label(peer), peer.id().shortId(),
        address(newRemote), address(oldRemote));
    if (sameHost || proven) {
      return event(paint("33", "~ " + text + (sameHost ? "" : Text.get("format.sameKey"))));
    }
    return event(paint("1;31", "! " + text + Text.get("format.replaced.elsewhere"))
        + Text.get("format.replaced.warning", label(peer)));
  }

  /**
   * Formats a text message from a peer: {@code [12:00:01] bob: hola}.
   *
   * @param from the sender
   * @param text the text
   * @return the line
   */
  public String message(PeerInfo from, String text) {
    if (text.startsWith(PRIVATE_MARK)) {
      return event(paint("1;35", Text.get("format.private", label(from))) + " "
          + clean(shorten(text.substring(PRIVATE_MARK.length()))));
    }
    return event(paint("1;36", label(from) + ":") + " " + clean(shorten(text)));
  }

  /**
   * Cuts a long message to its first {@link #MAX_LINES} lines and {@link #MAX_CHARS}
   * characters, saying how much was left out: a 200 KB message must not flood the screen.
   *
   * @param text the message
   * @return the text to show
   */
  static String shorten(String text) {
    int end = Math.min(text.length(), MAX_CHARS);
    int lines = 0;
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n' && ++lines == MAX_LINES) {
        end = i;
        break;
      }
    }
    if (end == text.length()) {
      return text;
    }
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    int rest = text.substring(end).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    return text.substring(0, end) + " " + Text.get("format.more", rest);
  }

  /**
   * Formats a call from a peer, prominently: {@code *** ana is calling you: text ***}.
   *
   * @param from the caller
   * @param text the call's text, possibly empty
   * @return the line
   */
  public String call(PeerInfo from, String text) {
    String body = "*** " + (text.isEmpty() ? Text.get("format.call", label(from))
        : Text.get("format.callText", label(from), clean(shorten(text)))) + " ***";
    return event(paint("1;33;7", body));
  }

  /**
   * Describes the local node: name, id and where peers can reach it.
   *
   * @param me the node's identity
   * @param bound the bound address
   * @param reachable concrete addresses when bound to a wildcard (may be empty)
   * @return one line, e.g. {@code listening on 127.0.0.1:40123 as ana (id 3f9a1c2e)}
   */
  public static String listening(Identity me, InetSocketAddress bound, List<String> reachable) {
    String line = Text.get("format.listening", address(bound), me.name(), me.id().shortId());
    if (!reachable.isEmpty()) {
      line += Text.get("format.reachable", String.join(", ", reachable));
    }
    return line;
  }

  /**
   * Formats the table of connections, one row per peer, under the peer's number
   * ({@link PeerNumbers}).
   *
   * @param peers the peers, in connection order
   * @return the table lines (a single "no peers" line when empty)
   */
  public List<String> peerTable(List<PeerInfo> peers) {
    List<String> lines = new ArrayList<>();
    if (peers.isEmpty()) {
      lines.add(Text.get("chat.noPeers"));
      return lines;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"#", Text.get("format.table.peer"), Text.get("format.table.address"),
        Text.get("format.table.dir"), Text.get("format.table.since"), Text.get("format.table.in"),
        Text.get("format.table.out")});
    Instant now = clock.instant();
    for (int i = 0; i < peers.size(); i++) {
      PeerInfo p = peers.get(i);
      String who = clean(aliasAndName(p.id(), p.name()));
      String addr = address(p.remoteAddress());
      if (p.direction() == Direction.INBOUND && p.listenPort() > 0) {
        addr += " " + Text.get("format.table.listens", p.listenPort());
      }
      rows.add(new String[] {
          String.valueOf(number(p)), who + " [" + p.id().shortId() + "]", addr,
          Text.get(p.direction() == Direction.INBOUND ? "format.dir.in" : "format.dir.out"),
          time(p.connectedSince()) + " (" + ago(Duration.between(p.connectedSince(), now)) + ")",
          String.valueOf(p.messagesIn()), String.valueOf(p.messagesOut())});
    }
    int[] width = new int[rows.get(0).length];
    for (String[] r : rows) {
      for (int c = 0; c < r.length; c++) {
        width[c] = Math.max(width[c], r[c].length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder sb = new StringBuilder();
      for (int c = 0; c < width.length; c++) {
        String cell = rows.get(r)[c];
        boolean number = c == 0 || c >= 5;
        sb.append(c == 0 ? "" : "  ");
        sb.append(number ? pad(cell, width[c], true) : pad(cell, width[c], false));
      }
      String line = sb.toString().stripTrailing();
      lines.add(r == 0 ? paint("1", line) : line);
    }
    return lines;
  }

  /**
   * Returns what to call a peer: its alias if set, else its name; printable.
   *
   * @param peer the peer
   * @return the label
   */
  public String label(Peer peer) {
    return label(peer.id(), peer.name());
  }

  /**
   * Returns what to call a peer: its alias if set, else its name; printable.
   *
   * @param peer the peer
   * @return the label
   */
  public String label(PeerInfo peer) {
    return label(peer.id(), peer.name());
  }

  /**
   * The alias or name, with the short id added when another connected peer goes by the same
   * label: two peers named "bob" must not look like one in message lines.
   */
  private String label(PeerId id, String name) {
    String own = plainLabel(id, name);
    for (Peer other : peers.get()) {
      if (!other.id().equals(id) && plainLabel(other.id(), other.name()).equals(own)) {
        return own + " [" + id.shortId() + "]";
      }
    }
    return own;
  }

  private String plainLabel(PeerId id, String name) {
    String alias = aliases.get(id);
    return clean(alias != null ? alias : name);
  }

  /**
   * Returns the alias the user gave a peer.
   *
   * @param id the peer's id
   * @return the alias, or null if none is set; not yet made printable
   */
  String alias(PeerId id) {
    return aliases.get(id);
  }

  /**
   * Returns a peer as lists show it: {@code alias (name)} when it has an alias, else its name;
   * not yet made printable.
   *
   * @param id the peer's id
   * @param name the peer's name
   * @return the text
   */
  String aliasAndName(PeerId id, String name) {
    String alias = aliases.get(id);
    return alias != null ? alias + " (" + name + ")" : name;
  }

  /** Where a peer's text continues on a new line: under the text, never at column 0. */
  static final String CONTINUATION = "\n" + " ".repeat("[00:00:00] ".length());

  /**
   * Makes text from a peer safe to print: control characters (escape sequences that would
   * recolour, clear or retitle the terminal, carriage returns that would overwrite the line)
   * are shown as caret escapes ({@code ^[} for ESC) or as their code in hex, and each line after the first
   * is indented, so a peer cannot forge a line that looks like another peer's message.
   * Invisible format characters (Unicode category Cf: bidi marks and overrides that would show
   * a name or the rest of the line reversed, zero-width spaces) are shown as their code, e.g.
   * <code>&#92;u202e</code>; the joiners U+200C and U+200D and the tag characters that emoji sequences
   * (flags, families) are made of stay as they are.
   *
   * @param text untrusted text
   * @return printable text
   */
  public static String clean(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean newline = c == '\n' || (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n');
      boolean control = !newline && c != '\t' && (c < 0x20 || (c >= 0x7f && c <= 0x9f));
      int cp = text.codePointAt(i);
      boolean format = !newline && !control && isHiddenFormat(cp);
      if (!newline && !control && !format) {
        if (out != null) {
          out.append(c);
        }
        continue;
      }
      if (out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (format) {
        out.append(cp > 0xFFFF ? String.format("\\U%08x", cp) : String.format("\\u%04x", cp));
        i += Character.charCount(cp) - 1;
      } else if (newline) {
        if (c == '\r') {
          i++;
        }
        out.append(CONTINUATION);
      } else if (c < 0x20) {
        out.append('^').append((char) (c + 0x40));
      } else if (c == 0x7f) {
        out.append("^?");
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out == null ? text : out.toString();
  }

  /**
   * Returns whether a code point is an invisible format character that {@link #clean} shows as
   * its code: category Cf, except the joiners U+200C and U+200D and the tag characters U+E0020
   * to U+E007F (emoji sequences need them).
   */
  static boolean isHiddenFormat(int cp) {
    return Character.getType(cp) == Character.FORMAT && cp != 0x200C && cp != 0x200D
        && (cp < 0xE0020 || cp > 0xE007F);
  }

  /**
   * Formats a socket address as {@code host:port} without a resolver lookup.
   *
   * @param a the address
   * @return e.g. {@code 127.0.0.1:9999}
   */
  public static String address(InetSocketAddress a) {
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  /**
   * Formats a duration as a short age: {@code 5s}, {@code 3m}, {@code 2h}, {@code 4d}.
   *
   * @param d the duration
   * @return the age
   */
  static String ago(Duration d) {
    long s = Math.max(0, d.getSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s / 60 + "m";
    }
    return s < 86400 ? s / 3600 + "h" : s / 86400 + "d";
  }

  /**
   * Formats a moment in the chat's time zone, to the minute: {@code 2025-05-01 10:56}.
   *
   * @param instant the moment
   * @return the date and time
   */
  String dateTime(Instant instant) {
    return LocalDateTime.ofInstant(instant, zone()).format(DATE_TIME);
  }

  private String time(Instant instant) {
    return LocalTime.ofInstant(instant, zone()).format(TIME);
  }

  private ZoneId zone() {
    return clock.getZone();
  }

  private String paint(String sgr, String text) {
    return color ? "\u001b[" + sgr + "m" + text + RESET : text;
  }

  private static String pad(String s, int width, boolean right) {
    if (s.length() >= width) {
      return s;
    }
    String fill = " ".repeat(width - s.length());
    return right ? fill + s : s + fill;
  }
}
