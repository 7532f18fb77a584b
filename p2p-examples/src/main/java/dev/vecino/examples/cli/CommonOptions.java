package dev.vecino.examples.cli;

import picocli.CommandLine.Option;

/**
 * Options every subcommand takes. {@code --debug} is also read by {@code Main} before logging
 * starts, so it raises the log level of the whole run.
 */
public final class CommonOptions {

  /** Creates the mixin; picocli instantiates it. */
  public CommonOptions() {}

  @Option(names = "--debug", description = "Log debug details to stderr; show stack traces.")
  private boolean debug;

  /**
   * Returns whether {@code --debug} was given.
   *
   * @return true for debug output
   */
  public boolean debug() {
    return debug;
  }
}
