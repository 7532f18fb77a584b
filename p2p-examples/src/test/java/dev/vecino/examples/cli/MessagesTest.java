package dev.vecino.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The two bundles hold the same keys with the same arguments, every key the code names exists
 * and is used, and the language is chosen as documented.
 */
class MessagesTest {

  /** A key as the code writes it: a string literal starting with one of the areas. */
  private static final Pattern KEY = Pattern.compile(
      "\"((?:cli|chat|actions|events|format|select|parse|scan|errors|address|duration|send|alias|console|discover|doctor|echo|security)\\.[A-Za-z0-9.]+)\"");
  private static final Pattern PLURAL = Pattern.compile("Text\\.plural\\(\\s*(?:[^\"()]*\\?\\s*)?\"([^\"]+)\"");
  private static final Pattern ARG = Pattern.compile("\\{(\\d+)");

  static Properties bundle(String suffix) throws IOException {
    Properties p = new Properties();
    try (InputStream in = MessagesTest.class.getResourceAsStream("messages" + suffix + ".properties");
         Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return p;
  }

  @Test
  void bothLanguagesHaveTheSameKeys() throws IOException {
    Set<String> en = new TreeSet<>(bundle("").stringPropertyNames());
    Set<String> es = new TreeSet<>(bundle("_es").stringPropertyNames());
    Set<String> onlyEn = new TreeSet<>(en);
    onlyEn.removeAll(es);
    Set<String> onlyEs = new TreeSet<>(es);
    onlyEs.removeAll(en);
    assertTrue(onlyEn.isEmpty(), "missing in Spanish: " + onlyEn);
    assertTrue(onlyEs.isEmpty(), "missing in English: " + onlyEs);
  }

  @Test
  void everyMessageIsAPatternWithTheSameArgumentsInBothLanguages() throws IOException {
    Properties en = bundle("");
    Properties es = bundle("_es");
    for (String key : en.stringPropertyNames()) {
      for (Properties p : List.of(en, es)) {
        String v = p.getProperty(key);
        // A lone apostrophe would quote the rest of the message away: it must be doubled.
        assertFalse(v.replace("''", "").contains("'"), key + ": lone apostrophe in " + v);
        new MessageFormat(v);
        assertFalse(v.isBlank(), key);
      }
      assertEquals(args(en.getProperty(key)), args(es.getProperty(key)), key + " arguments differ");
    }
  }

  @Test
  void everyKeyTheCodeNamesExistsAndEveryKeyIsNamed() throws IOException {
    Properties en = bundle("");
    Set<String> named = new TreeSet<>();
    Set<String> prefixes = new TreeSet<>();
    List<String> missing = new ArrayList<>();
    for (Path file : sources()) {
      String code = Files.readString(file);
      Set<String> plurals = new TreeSet<>();
      Matcher pm = PLURAL.matcher(code);
      while (pm.find()) {
        plurals.add(pm.group(1));
      }
      Matcher m = KEY.matcher(code);
      while (m.find()) {
        String key = m.group(1);
        if (key.endsWith(".")) {
          // A prefix: the code completes it (an enum's or a step's name); it names every key under it.
          prefixes.add(key);
          continue;
        }
        boolean plural = !en.containsKey(key) && en.containsKey(key + ".one");
        if (plural || plurals.contains(key)) {
          named.add(key + ".one");
          named.add(key + ".other");
          if (!en.containsKey(key + ".one") || !en.containsKey(key + ".other")) {
            missing.add(file.getFileName() + ": " + key + ".one/.other");
          }
        } else {
          named.add(key);
          if (!en.containsKey(key)) {
            missing.add(file.getFileName() + ": " + key);
          }
        }
      }
    }
    // The disconnect reasons are named by the library's enum (ChatFormat.reason).
    for (dev.vecino.p2p.DisconnectReason.Kind kind : dev.vecino.p2p.DisconnectReason.Kind.values()) {
      String key = "reason." + kind.name().toLowerCase(Locale.ROOT);
      named.add(key);
      if (!en.containsKey(key)) {
        missing.add("DisconnectReason." + kind + ": " + key);
      }
    }
    // The doctor's verdicts and the discovery stages are named by the library's enums too.
    for (dev.vecino.p2p.scan.Diagnosis.Verdict v : dev.vecino.p2p.scan.Diagnosis.Verdict.values()) {
      for (String prefix : List.of("doctor.verdict.", "doctor.why.")) {
        String key = prefix + v.name().toLowerCase(Locale.ROOT);
        named.add(key);
        if (!en.containsKey(key)) {
          missing.add("Diagnosis.Verdict." + v + ": " + key);
        }
      }
    }
    for (dev.vecino.p2p.scan.DiscoveryStage s : dev.vecino.p2p.scan.DiscoveryStage.values()) {
      String key = "discover.stage." + s.name().toLowerCase(Locale.ROOT);
      named.add(key);
      if (!en.containsKey(key)) {
        missing.add("DiscoveryStage." + s + ": " + key);
      }
    }
    assertTrue(missing.isEmpty(), "keys missing from the bundle: " + missing);
    Set<String> unused = new TreeSet<>(en.stringPropertyNames());
    unused.removeAll(named);
    unused.removeIf(k -> prefixes.stream().anyMatch(k::startsWith));
    assertTrue(unused.isEmpty(), "keys no code names: " + unused);
  }

  @Test
  void theLanguageIsLangElseTheLocaleOnATerminalElseEnglish() {
    Locale es = Locale.forLanguageTag("es");
    assertEquals(es, Text.resolve("es", false, Locale.ENGLISH));
    assertEquals(es, Text.resolve("ES", false, Locale.ENGLISH));
    assertEquals(Locale.ENGLISH, Text.resolve("en", true, Locale.forLanguageTag("es-MX")));
    assertEquals(es, Text.resolve(null, true, Locale.forLanguageTag("es-MX")));
    assertEquals(Locale.ENGLISH, Text.resolve(null, false, Locale.forLanguageTag("es-MX")));
    assertEquals(Locale.ENGLISH, Text.resolve(null, true, Locale.GERMAN));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Text.resolve("fr", true, es));
    assertTrue(e.getMessage().contains("'fr'"), e.getMessage());
  }

  @Test
  void spanishTextKeepsNumbersPlainAndApostrophesAndFallsBackNever() {
    try {
      Text.use(Locale.forLanguageTag("es"));
      assertEquals("puerto (Intro para 10000):", Text.get("chat.ask.port", 10000));
      assertEquals("9. salir", Text.get("chat.menu.9"));
      assertEquals("saliendo, despidiéndose de 1 vecino", Text.plural("chat.leaving.goodbye", 1));
      Text.use(Locale.ENGLISH);
      assertEquals("the peer's send queue is full, try again", Text.get("errors.queueFull"));
      assertEquals("leaving, saying goodbye to 2 peers", Text.plural("chat.leaving.goodbye", 2));
      // A JVM whose default locale is Spanish still gets English when English is asked for.
      Locale before = Locale.getDefault();
      try {
        Locale.setDefault(Locale.forLanguageTag("es"));
        Text.use(Locale.ENGLISH);
        assertEquals("9. exit", Text.get("chat.menu.9"));
      } finally {
        Locale.setDefault(before);
      }
    } finally {
      Text.use(Locale.ENGLISH);
    }
  }

  private static Set<Integer> args(String pattern) {
    Set<Integer> out = new TreeSet<>();
    Matcher m = ARG.matcher(pattern);
    while (m.find()) {
      out.add(Integer.parseInt(m.group(1)));
    }
    return out;
  }

  /** The module's main sources (surefire runs in the module's directory). */
  static List<Path> sources() throws IOException {
    // src/scan-core holds the scanner built against the core's scan API (a source root of its own).
    try (Stream<Path> s = Stream.concat(Files.walk(Path.of("src", "main", "java")),
        Files.walk(Path.of("src", "scan-core", "java")))) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
  }
}
