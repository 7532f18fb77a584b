package dev.vecino.examples;

import java.io.PrintWriter;

/** Opens {@link Main}'s package-private helpers to tests in other packages. */
public final class MainAccess {

  private MainAccess() {}

  /** See {@link Main#withDefaultSubcommand}. */
  public static String[] withDefault(String... args) {
    return Main.withDefaultSubcommand(Main.commandLine(), args);
  }

  /** See {@link Main#commandLine}. */
  public static picocli.CommandLine commandLine() {
    return Main.commandLine();
  }

  /** See {@link Main#run}. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    int code = Main.run(args, out, err);
    out.flush();
    err.flush();
    return code;
  }
}
