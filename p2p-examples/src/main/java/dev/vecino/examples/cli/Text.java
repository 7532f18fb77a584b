package dev.vecino.examples.cli;

import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ResourceBundle;

/**
 * The console's words in the user's language: every line the chat shows the user comes from
 * the resource bundle {@code dev/vecino/examples/cli/messages} (English, the base) or its
 * Spanish sibling {@code messages_es}, read as UTF-8. Keys are grouped by area ({@code
 * chat.menu.*}, {@code chat.help.*}, {@code chat.ask.*}, {@code actions.*}, {@code events.*},
 * {@code format.*}, {@code select.*}, {@code parse.*}, {@code scan.*}); values are {@link
 * MessageFormat} patterns ({@code {0}} for the first argument, {@code ''} for an apostrophe).
 * Numbers are passed as plain digits, never grouped ({@code 5000}, not {@code 5,000}).
 *
 * <p>Never translated: JSON output, exit codes, the {@code error:} prefix, and the command
 * words themselves ({@code /connect}, {@code all}).
 *
 * <p>The language is chosen once per run ({@link #use}, by {@code Main} from {@code --lang},
 * else the locale on a terminal, else English) and read by every thread.
 *
 * <p><b>Thread safety:</b> the current bundle is a volatile reference to an immutable bundle.
 */
public final class Text {

  /** The bundle's base name. */
  public static final String BUNDLE = "dev.vecino.examples.cli.messages";
  /** The base name of picocli's usage bundle. */
  public static final String USAGE = "dev.vecino.examples.cli.usage";
  /** The languages the console speaks, by their {@code --lang} code. */
  public static final List<String> LANGUAGES = List.of("en", "es");

  private static volatile ResourceBundle bundle = load(Locale.ENGLISH);

  private Text() {}

  /**
   * Switches the console's language.
   *
   * @param locale the language; anything but Spanish means English
   */
  public static void use(Locale locale) {
    bundle = load(locale);
  }

  /**
   * Returns the console's language.
   *
   * @return {@link Locale#ENGLISH} or Spanish ({@code es})
   */
  public static Locale locale() {
    return bundle.getLocale().getLanguage().equals("es") ? bundle.getLocale() : Locale.ENGLISH;
  }

  /**
   * Chooses the language: {@code --lang} when given, else the default locale's language on a
   * terminal (when the console speaks it), else English: piped output stays the same on every
   * machine.
   *
   * @param lang the {@code --lang} value, or null
   * @param terminal whether stdin and stdout are a terminal
   * @param system the JVM's default locale
   * @return the language
   * @throws IllegalArgumentException when {@code lang} is not one of {@link #LANGUAGES}
   */
  public static Locale resolve(String lang, boolean terminal, Locale system) {
    if (lang != null) {
      String code = lang.strip().toLowerCase(Locale.ROOT);
      if (!LANGUAGES.contains(code)) {
        throw new IllegalArgumentException(get("cli.lang.bad", lang));
      }
      return Locale.forLanguageTag(code);
    }
    if (terminal && LANGUAGES.contains(system.getLanguage())) {
      return Locale.forLanguageTag(system.getLanguage());
    }
    return Locale.ENGLISH;
  }

  /**
   * Returns a message in the console's language.
   *
   * @param key the message's key
   * @param args its arguments ({@code {0}}, {@code {1}} ...); numbers are shown as plain digits
   * @return the text
   * @throws java.util.MissingResourceException when the key is missing (a test prevents it)
   */
  public static String get(String key, Object... args) {
    Objects.requireNonNull(key, "key");
    ResourceBundle b = bundle;
    String pattern = b.getString(key);
    Object[] plain = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      // MessageFormat would group digits by locale: a port must read 5000, not 5.000.
      plain[i] = args[i] instanceof Number ? String.valueOf(args[i]) : args[i];
    }
    return new MessageFormat(pattern, b.getLocale()).format(plain);
  }

  /**
   * Returns whether the bundle has a message.
   *
   * @param key the message's key
   * @return true when {@link #get} finds it
   */
  public static boolean has(String key) {
    return bundle.containsKey(key);
  }

  /**
   * Returns one of two messages by count: {@code key.one} for 1, else {@code key.other}.
   *
   * @param key the messages' common key
   * @param count the count, passed as the first argument
   * @param args further arguments ({@code {1}} ...)
   * @return the text
   */
  public static String plural(String key, long count, Object... args) {
    Object[] all = new Object[args.length + 1];
    all[0] = count;
    System.arraycopy(args, 0, all, 1, args.length);
    return get(count == 1 ? key + ".one" : key + ".other", all);
  }

  /**
   * Returns several messages, in order.
   *
   * @param keys the keys
   * @return the texts
   */
  public static List<String> all(String... keys) {
    List<String> out = new ArrayList<>(keys.length);
    for (String k : keys) {
      out.add(get(k));
    }
    return List.copyOf(out);
  }

  /**
   * Returns picocli's usage bundle ({@code --help}'s option descriptions) in the console's
   * language: {@code dev/vecino/examples/cli/usage}, empty in English (the annotations hold it).
   *
   * @return the bundle
   */
  public static ResourceBundle usage() {
    return ResourceBundle.getBundle(USAGE, locale().getLanguage().equals("es")
        ? Locale.forLanguageTag("es") : Locale.ROOT,
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
  }

  private static ResourceBundle load(Locale locale) {
    Locale l = locale.getLanguage().equals("es") ? Locale.forLanguageTag("es") : Locale.ROOT;
    // No fallback to the JVM's locale: English is the base bundle, Spanish only when asked.
    return ResourceBundle.getBundle(BUNDLE, l,
        ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
  }
}
