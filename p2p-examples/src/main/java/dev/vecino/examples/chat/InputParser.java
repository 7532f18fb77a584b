package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Text;
import java.util.List;
import java.util.Locale;

/**
 * Parses chat lines into {@link ChatInput}. Rules: a line holding line breaks (a paste) is a
 * broadcast; a line that is just a menu number (1-9) selects that menu item; {@code menu} and {@code ?} show the menu; a line starting with
 * {@code /} is a slash command ({@code //text} sends "/text"), the original's menu words among
 * them ({@link #WORDS}); any other line is a broadcast, a bare menu word too.
 *
 * <p>Peer targets may be quoted ({@code /msg "ana maria" hola}) or use backslash-escaped
 * spaces.
 *
 * <p><b>Thread safety:</b> stateless.
 */
public final class InputParser {

  /** The slash commands, for help and completion. */
  public static final List<String> COMMANDS = List.of(
      "/connect", "/scan", "/peers", "/keys", "/trust", "/untrust", "/msg", "/all", "/name", "/call",
      "/disconnect", "/menu", "/quit", "/help");

  /**
   * The original program's menu words, in its menu's order: item 1 is {@code conectar}. Each
   * works as a slash command ({@code /salir}) and as an answer at the menu prompt, like the
   * item's number; alone, a slash word opens the item and asks what it needs, with arguments it
   * is the English command ({@code /conectar host:port} is {@code /connect host:port}).
   */
  public static final List<String> WORDS = List.of(
      "conectar", "enviar", "mensaje", "conexiones", "escaneo", "nombre", "llamar",
      "desconectar", "salir");

  /** The English commands the words stand for, in the same order. */
  private static final List<String> ENGLISH = List.of(
      "connect", "all", "msg", "peers", "scan", "name", "call", "disconnect", "quit");

  private InputParser() {}

  /**
   * Returns the menu item an answer at the menu prompt chooses: a number 1-9, one of the
   * original's {@link #WORDS} or its English command, with or without the slash.
   *
   * @param answer the answer, stripped
   * @return the item's number, or 0 when the answer chooses none
   */
  public static int menuChoice(String answer) {
    String a = answer.startsWith("/") ? answer.substring(1) : answer;
    a = a.toLowerCase(Locale.ROOT);
    if (a.length() == 1 && a.charAt(0) >= '1' && a.charAt(0) <= '9') {
      return a.charAt(0) - '0';
    }
    int i = WORDS.indexOf(a);
    if (i < 0) {
      i = ENGLISH.indexOf(a.equals("exit") ? "quit" : a);
    }
    return i + 1;
  }

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

  private static ChatInput command(String word, String rest) {
    String cmd = word;
    int item = WORDS.indexOf(word.substring(1));
    if (item >= 0 && rest.isEmpty()) {
      return new ChatInput.MenuItem(item + 1);
    } else if (item >= 0) {
      cmd = "/" + ENGLISH.get(item);
    }
    switch (cmd) {
      case "/connect":
        return rest.isEmpty() || indexOfSpace(rest) >= 0
            ? new ChatInput.Invalid(Text.get("parse.usage.connect"))
            : new ChatInput.Connect(rest);
      case "/all":
        return new ChatInput.Broadcast(rest);
      case "/msg":
      case "/call": {
        String[] tt = splitTarget(rest);
        if (tt == null) {
          return new ChatInput.Invalid(Text.get(
              cmd.equals("/msg") ? "parse.usage.msg" : "parse.usage.call", word));
        }
        return cmd.equals("/msg")
            ? new ChatInput.Direct(tt[0], tt[1])
            : new ChatInput.Call(tt[0], tt[1]);
      }
      case "/name": {
        String[] tt = splitTarget(rest);
        if (tt == null) {
          return new ChatInput.Invalid(Text.get("parse.usage.name", word));
        }
        return new ChatInput.Name(tt[0], tt[1].isEmpty() ? null : tt[1]);
      }
      case "/disconnect": {
        String[] tt = splitTarget(rest);
        if (tt == null || !tt[1].isEmpty()) {
          return new ChatInput.Invalid(Text.get("parse.usage.disconnect", word));
        }
        return new ChatInput.Disconnect(tt[0]);
      }
      case "/scan":
        return scan(rest);
      case "/peers":
        return new ChatInput.Peers();
      case "/keys":
        return new ChatInput.Keys();
      case "/trust":
        return rest.isEmpty() ? new ChatInput.Invalid(Text.get("parse.usage.trust")) : new ChatInput.Trust(rest);
      case "/untrust":
        return rest.isEmpty() ? new ChatInput.Invalid(Text.get("parse.usage.untrust")) : new ChatInput.Untrust(rest);
      case "/menu":
        return new ChatInput.Menu();
      case "/help":
        return new ChatInput.Help();
      case "/quit":
      case "/exit":
        return new ChatInput.Quit();
      default:
        return new ChatInput.Invalid(Text.get("parse.unknown", word));
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
          return new ChatInput.Invalid(Text.get("parse.usage.scan"));
        }
        ports = words[++i];
      } else if (w.startsWith("--port=")) {
        ports = w.substring("--port=".length());
      } else if (w.startsWith("-")) {
        return new ChatInput.Invalid(Text.get("parse.scan.option", w));
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
