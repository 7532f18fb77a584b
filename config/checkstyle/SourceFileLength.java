import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The file-length half of the size limits (issue 15): fails when a Java source file has more
 * than {@code max} non-comment lines, i.e. lines that hold something besides white space and
 * comments. Checkstyle has no such check (its FileLength counts every line, javadoc included),
 * so the build runs this single-file program in {@code verify}, next to checkstyle's
 * MethodLength:
 *
 * <pre>
 * java SourceFileLength.java MAX SUPPRESSIONS_XML SOURCE_DIR...
 * </pre>
 *
 * <p>Suppressions come from checkstyle's suppressions file: every {@code <suppress
 * checks="...SourceFileLength..." files="REGEX"/>} exempts the files whose path (with {@code /})
 * the regular expression finds, as checkstyle reads {@code files}. A suppressed file within the
 * limit is reported, so the list only shrinks. Text blocks and string or char literals that
 * hold comment markers are read as code.
 */
public final class SourceFileLength {

  private static final Pattern SUPPRESS = Pattern.compile(
      "<suppress\\s+checks=\"([^\"]*)\"\\s+files=\"([^\"]*)\"\\s*/>");

  private SourceFileLength() {}

  public static void main(String[] args) throws IOException {
    int max = Integer.parseInt(args[0]);
    List<Pattern> suppressed = suppressions(Path.of(args[1]));
    List<String> errors = new ArrayList<>();
    int files = 0;
    for (int i = 2; i < args.length; i++) {
      Path root = Path.of(args[i]);
      if (!Files.isDirectory(root)) {
        continue;
      }
      List<Path> sources;
      try (Stream<Path> s = Files.walk(root)) {
        sources = s.filter(p -> p.toString().endsWith(".java")).sorted().collect(Collectors.toList());
      }
      for (Path p : sources) {
        files++;
        int n = count(Files.readString(p, StandardCharsets.UTF_8));
        String name = p.toAbsolutePath().toString().replace('\\', '/');
        boolean exempt = suppressed.stream().anyMatch(r -> r.matcher(name).find());
        if (n > max && !exempt) {
          errors.add(name + ": " + n + " non-comment lines (max " + max + ")");
        } else if (exempt && n <= max) {
          System.out.println("[WARNING] " + name + ": " + n + " non-comment lines, within " + max
              + ": drop its SourceFileLength suppression");
        }
      }
    }
    errors.forEach(e -> System.out.println("[ERROR] " + e));
    System.out.println("SourceFileLength: " + files + " files, " + errors.size() + " over " + max
        + " non-comment lines");
    if (!errors.isEmpty()) {
      System.exit(1);
    }
  }

  private static List<Pattern> suppressions(Path xml) throws IOException {
    List<Pattern> list = new ArrayList<>();
    Matcher m = SUPPRESS.matcher(Files.readString(xml, StandardCharsets.UTF_8));
    while (m.find()) {
      if (Pattern.compile(m.group(1)).matcher("SourceFileLength").find()) {
        list.add(Pattern.compile(m.group(2)));
      }
    }
    return list;
  }

  /** Counts the lines with code: anything outside comments that is not white space. */
  static int count(String text) {
    int lines = 0;
    boolean code = false;
    boolean block = false;
    char quote = 0;
    boolean textBlock = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
      if (c == '\n') {
        lines += code ? 1 : 0;
        code = false;
        quote = textBlock ? quote : 0;
        continue;
      }
      if (block) {
        if (c == '*' && next == '/') {
          block = false;
          i++;
        }
        continue;
      }
      if (quote != 0) {
        code |= !Character.isWhitespace(c);
        if (c == '\\') {
          i++;
        } else if (textBlock && text.startsWith("\"\"\"", i)) {
          quote = 0;
          textBlock = false;
          i += 2;
        } else if (!textBlock && c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '/' && next == '/') {
        int end = text.indexOf('\n', i);
        i = (end < 0 ? text.length() : end) - 1;
      } else if (c == '/' && next == '*') {
        block = true;
        i++;
      } else if (!Character.isWhitespace(c)) {
        code = true;
        if (text.startsWith("\"\"\"", i)) {
          quote = '"';
          textBlock = true;
          i += 2;
        } else if (c == '"' || c == '\'') {
          quote = c;
        }
      }
    }
    return lines + (code ? 1 : 0);
  }
}
