package dev.vecino.examples.chat;

import java.util.List;
import java.util.Locale;

/**
 * Parses chat lines into {@link ChatInput}. Rules: a line holding line breaks (a paste) is a
 * broadcast; a line that is just a menu number (1-9) selects that menu item; {@code menu} and {@code ?} show the menu; a line starting with
 * {@code /} is a slash command ({@code //text} sends "/text"); any other line is a broadcast.
 *
 * <p>Peer targets may be quoted ({@code /msg "ana maria" hola}) or use backslash-escaped
 * spaces.
 *
 * <p><b>Thread safety:</b> stateless.
 */
public final class InputParser {

  /** The slash commands, for help and completion. */
  public static final List<String> COMMANDS = List.of(
      "/connect", "/scan", "/peers", "/keys", "/msg", "/all", "/name", "/call", "/disconnect",
      "/menu", "/quit", "/help");

  private InputParser() {}

  /**
   * Parses one line.
   *
   * @param line the line, without its line terminator
   * @return what the line asks for
   */
  public static ChatInput parse(String line) {
    String s = line.strip();
    if (s.isEmpty()) {
      return new ChatInput.Empty();
    }
    if (s.indexOf('\n') >= 0) {
      // Several lines in one (a paste on a terminal): text, whatever its first line says.
      return new ChatInput.Broadcast(s);
    }
    if (s.length() == 1 && s.charAt(0) >= '1' && s.charAt(0) <= '9') {
      return new ChatInput.MenuItem(s.charAt(0) - '0');
    }
    if (s.equals("?") || s.equalsIgnoreCase("menu")) {
      return new ChatInput.Menu();
    }
    if (s.startsWith("//")) {
      return new ChatInput.Broadcast(s.substring(1));
    }
    if (!s.startsWith("/")) {
      return new ChatInput.Broadcast(s);
    }
    int space = indexOfSpace(s);
    String cmd = (space < 0 ? s : s.substring(0, space)).toLowerCase(Locale.ROOT);
    String rest = space < 0 ? "" : s.substring(space + 1).strip();
    return command(cmd, rest);
  }

  private static ChatInput command(String cmd, String rest) {
    switch (cmd) {
      case "/connect":
        return rest.isEmpty() || indexOfSpace(rest) >= 0
            ? new ChatInput.Invalid("usage: /connect host[:port]")
            : new ChatInput.Connect(rest);
      case "/all":
        return new ChatInput.Broadcast(rest);
      case "/msg":
      case "/call": {
        String[] tt = splitTarget(rest);
        if (tt == null) {
          return new ChatInput.Invalid("usage: " + cmd + " <peer> "
              + (cmd.equals("/msg") ? "<text>" : "[text]"));
        }
        return cmd.equals("/msg")
            ? new ChatInput.Direct(tt[0], tt[1])
            : new ChatInput.Call(tt[0], tt[1]);
      }
      case "/name": {
        String[] tt = splitTarget(rest);
        if (tt == null) {
          return new ChatInput.Invalid("usage: /name <peer> <alias>  (no alias clears it)");
        }
        return new ChatInput.Name(tt[0], tt[1].isEmpty() ? null : tt[1]);
      }
      case "/disconnect": {
        String[] tt = splitTarget(rest);
        if (tt == null || !tt[1].isEmpty()) {
          return new ChatInput.Invalid("usage: /disconnect <peer|all>");
        }
        return new ChatInput.Disconnect(tt[0]);
      }
      case "/scan":
        return scan(rest);
      case "/peers":
        return new ChatInput.Peers();
      case "/keys":
        return new ChatInput.Keys();
      case "/menu":
        return new ChatInput.Menu();
      case "/help":
        return new ChatInput.Help();
      case "/quit":
      case "/exit":
        return new ChatInput.Quit();
      default:
        return new ChatInput.Invalid("unknown command " + cmd + " (try /help)");
    }
  }

  private static ChatInput scan(String rest) {
    String targets = null;
    String ports = null;
    String[] words = rest.isEmpty() ? new String[0] : rest.split("\\s+");
    for (int i = 0; i < words.length; i++) {
      String w = words[i];
      if (w.equals("--port") || w.equals("-p")) {
        if (i + 1 >= words.length) {
          return new ChatInput.Invalid("usage: /scan [targets] [--port P]");
        }
        ports = words[++i];
      } else if (w.startsWith("--port=")) {
        ports = w.substring("--port=".length());
      } else if (w.startsWith("-")) {
        return new ChatInput.Invalid("unknown /scan option " + w + " (usage: /scan [targets] [--port P])");
      } else {
        targets = targets == null ? w : targets + "," + w;
      }
    }
    return new ChatInput.Scan(targets, ports);
  }

  /**
   * Splits {@code target rest-of-line}; the target may be quoted or backslash-escaped.
   *
   * @return {target, rest} with rest possibly empty, or null when there is no target
   */
  static String[] splitTarget(String s) {
    if (s.isEmpty()) {
      return null;
    }
    StringBuilder target = new StringBuilder();
    int i = 0;
    if (s.charAt(0) == '"') {
      int close = s.indexOf('"', 1);
      if (close < 0) {
        return null;
      }
      target.append(s, 1, close);
      i = close + 1;
    } else {
      while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length()) {
          target.append(s.charAt(i + 1));
          i += 2;
        } else {
          target.append(c);
          i++;
        }
      }
    }
    if (target.length() == 0) {
      return null;
    }
    return new String[] {target.toString(), s.substring(i).strip()};
  }

  private static int indexOfSpace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
