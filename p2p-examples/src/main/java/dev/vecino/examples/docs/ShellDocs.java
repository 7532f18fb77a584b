package dev.vecino.examples.docs;

import dev.vecino.examples.Main;
import dev.vecino.examples.cli.VersionProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Build step: writes the bash/zsh completion script ({@code vecino.bash}) and the man page
 * ({@code vecino.1}) from the command model into a directory. The module's build runs it after
 * compiling, so both are fresh in every build; the {@code dist} profile packs them.
 */
public final class ShellDocs {

  /** The completion script's file name. */
  public static final String COMPLETION = "vecino.bash";
  /** The man page's file name. */
  public static final String MAN_PAGE = "vecino.1";

  private ShellDocs() {}

  /**
   * Writes both files.
   *
   * @param args the output directory, then the page's date: {@code YYYY-MM-DD}, or a timestamp
   *     that starts with one (the build passes {@code project.build.outputTimestamp})
   * @throws IOException if a file cannot be written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: ShellDocs OUTPUT_DIR YYYY-MM-DD[Thh:mm:ssZ]");
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    Files.writeString(dir.resolve(COMPLETION), completion(Main.commandLine()),
        StandardCharsets.UTF_8);
    Files.writeString(dir.resolve(MAN_PAGE),
        ManPage.render(Main.commandLine(), VersionProvider.version(),
            args[1].substring(0, Math.min(10, args[1].length()))),
        StandardCharsets.UTF_8);
  }

  /**
   * Returns the completion script of a command tree, as {@code vecino completion} prints it.
   *
   * @param root the {@code vecino} command line
   * @return the script, for bash and zsh
   */
  public static String completion(CommandLine root) {
    return AutoComplete.bash(root.getCommandName(), root);
  }
}
