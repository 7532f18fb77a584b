package dev.vecino.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No English is left in the chat's output paths: every string literal in the classes that
 * print the chat's lines is a message key, a command or option word ({@code /connect},
 * {@code --port}), has no word in it (punctuation, ANSI codes), or is one of the few
 * non-text literals listed here with why. Text added to these classes goes through
 * {@link Text}; this test fails otherwise.
 */
class NoTextLiteralsTest {

  /** The classes that print the chat's lines and errors. */
  private static final List<String> OUTPUT_PATHS = List.of(
      "chat/ChatSession.java", "chat/ChatActions.java", "chat/ChatEvents.java",
      "chat/ChatFormat.java", "chat/PeerSelector.java", "chat/ChatScan.java",
      "chat/InputParser.java", "chat/Operations.java", "chat/PeerNumbers.java", "chat/ChatKeys.java",
      "chat/ChatPairing.java",
      "cli/Errors.java", "cli/HostPort.java", "cli/Usage.java", "scan/ProgressBar.java",
      "discover/DiscoverCommand.java", "discover/DiscoverOutput.java", "discover/DoctorCommand.java",
      "echo/EchoServerCommand.java", "echo/EchoClientCommand.java", "echo/EchoRun.java");

  /** Literals that are not text for the user, each for a reason. */
  private static final Set<String> NOT_TEXT = Set.of(
      "HH:mm:ss", "yyyy-MM-dd HH:mm", // time patterns
      "reason.",                     // the prefix of the disconnect reasons' keys
      "[private] ",                  // the wire mark of a private message (a protocol word)
      "error:", "error: ",           // never translated: scripts grep for it
      "vecino-chat-failed",          // a thread name
      "interrupted",                 // an exception message nobody sees (a cause)
      "clock", "aliases", "host", "text", // requireNonNull argument names
      "own", "all", "y", "yes",      // English answers, accepted in every language
      "si",                          // a Spanish answer, accepted in every language
      "echo-client",                 // the echo client's node name, which peers see
      "menu", "exit", "quit",        // English input words, accepted in every language
      "connect", "msg", "peers", "scan", "name", "call", "disconnect",
      "conectar", "enviar", "mensaje", "conexiones", "escaneo", "nombre", "llamar",
      "desconectar", "salir",        // the original's menu words: input, the same in every language
      "looks like ", "looks like a line of text", // the library's English, matched, not shown
      "this node requires TLS", "this node is plaintext", // the library's TLS hints, matched, not shown
      "assign requested address",    // the JDK's English, matched, not shown
      "{} echo(es) dropped, the last to {}", // a log line: logs stay English
      "vecino-echo-report",          // a thread name
      "vecino-echo-shutdown",        // a thread name
      "summary", "check", "verdict", "address", "port", "id", "group", "rttMicros", "stage",
      "probed", "open", "otherGroup", "notPeers", "outOfScope", "durationMs", "step", "ok",
      "outcome", "explanation", "no", // JSON types and fields: never translated
      "peer", "other-group", "not-peer", "not-admitted", "incompatible"); // JSON types: never translated

  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern KEY = Pattern.compile(
      "(?:cli|chat|actions|events|format|select|parse|scan|errors|address|duration|send|alias|console|discover|doctor|echo)\\.[A-Za-z0-9.]+");
  private static final Pattern WORD = Pattern.compile("[A-Za-z]{2}");

  @Test
  void theChatsOutputPathsHoldNoUntranslatedText() throws IOException {
    List<String> found = new ArrayList<>();
    Path root = Path.of("src", "main", "java", "dev", "vecino", "examples");
    for (String name : OUTPUT_PATHS) {
      String code = withoutAnnotations(withoutComments(Files.readString(root.resolve(name))));
      String[] lines = code.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        Matcher m = LITERAL.matcher(lines[i]);
        while (m.find()) {
          String lit = m.group(1);
          boolean fine = KEY.matcher(lit).matches() || lit.startsWith("/") || lit.startsWith("-")
              || !WORD.matcher(lit).find() || NOT_TEXT.contains(lit);
          if (!fine) {
            found.add(name + ":" + (i + 1) + " \"" + lit + "\"");
          }
        }
      }
    }
    assertTrue(found.isEmpty(), "text not in the bundles (use Text.get): " + found);
  }

  @Test
  void theCheckSeesALiteralInACall() {
    String code = withoutComments("  console.println(\"hello\"); // \"comment\"\n/* \"block\" */");
    Matcher m = LITERAL.matcher(code);
    assertTrue(m.find() && m.group(1).equals("hello") && !m.find(), code);
  }

  @Test
  void annotationsAreLeftToTheUsageBundle() {
    String code = withoutAnnotations("@Option(names = \"--x\", description = \"Say (a) thing.\")\n"
        + "  private int x;\n  out.println(\"hello\");");
    Matcher m = LITERAL.matcher(code);
    assertTrue(m.find() && m.group(1).equals("hello") && !m.find(), code);
    assertEquals(3, code.split("\n", -1).length, code);
  }

  /**
   * Blanks picocli's annotations ({@code @Command}, {@code @Option}, {@code @Parameters}),
   * keeping line numbers: their English is the usage help's, which usage_es.properties
   * translates (UsageBundleTest checks it).
   */
  static String withoutAnnotations(String code) {
    StringBuilder out = new StringBuilder(code.length());
    Matcher m = Pattern.compile("@(?:Command|Option|Parameters)\\(").matcher(code);
    int at = 0;
    while (m.find(at)) {
      out.append(code, at, m.start());
      int depth = 0;
      int i = m.end() - 1;
      boolean inString = false;
      for (; i < code.length(); i++) {
        char c = code.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '(') {
          depth++;
        } else if (c == ')' && --depth == 0) {
          break;
        }
        if (c == '\n') {
          out.append('\n');
        }
      }
      at = Math.min(i + 1, code.length());
    }
    return out.append(code, at, code.length()).toString();
  }

  /** Blanks comments, keeping line numbers; string literals holding // survive. */
  static String withoutComments(String code) {
    StringBuilder out = new StringBuilder(code.length());
    int i = 0;
    while (i < code.length()) {
      char c = code.charAt(i);
      if (c == '"') {
        int end = i + 1;
        while (end < code.length() && code.charAt(end) != '"') {
          end += code.charAt(end) == '\\' ? 2 : 1;
        }
        out.append(code, i, Math.min(end + 1, code.length()));
        i = end + 1;
      } else if (c == '\'' && i + 2 < code.length()) {
        int end = code.indexOf('\'', i + (code.charAt(i + 1) == '\\' ? 3 : 2));
        out.append(code, i, end + 1);
        i = end + 1;
      } else if (code.startsWith("//", i)) {
        while (i < code.length() && code.charAt(i) != '\n') {
          i++;
        }
      } else if (code.startsWith("/*", i)) {
        int end = code.indexOf("*/", i + 2);
        end = end < 0 ? code.length() : end + 2;
        code.substring(i, end).chars().filter(ch -> ch == '\n').forEach(ch -> out.append('\n'));
        i = end;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
