package dev.vecino.examples.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** Reports a bad argument found after parsing, the same way picocli's own errors look. */
public final class Usage {

  /** Exit code for bad arguments. */
  public static final int EXIT_USAGE = 2;

  private Usage() {}

  /**
   * Prints {@code vecino cmd: message} and a one-line hint to stderr.
   *
   * @param spec the command
   * @param message what is wrong
   * @return {@link #EXIT_USAGE}, for {@code return Usage.error(...)}
   */
  public static int error(CommandSpec spec, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": " + message);
    err.println(Text.get("cli.tryHelp", spec.qualifiedName()));
    err.flush();
    return EXIT_USAGE;
  }
}
