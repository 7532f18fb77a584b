package dev.vecino.examples.cli;

import picocli.CommandLine.Option;

/**
 * Options every subcommand takes. {@code --debug} is also read by {@code Main} before logging
 * starts, so it raises the log level of the whole run; {@code --lang} is read (and taken out of
 * the arguments) by {@code Main} alone, before the command tree is built.
 */
public final class CommonOptions {

  /** Creates the mixin; picocli instantiates it. */
  public CommonOptions() {}

  /** The option that picks the console's language; {@code Main} reads it before parsing. */
  public static final String LANG = "--lang";

  // Main takes --lang out of the arguments before picocli parses them (the help must already
  // be in that language): declared here for --help, the completion script and the man page.
  @Option(names = LANG, paramLabel = "LANG",
      description = "Language of the console's text: en or es (default: the locale's on a "
          + "terminal, else en). JSON output and exit codes are the same in every language.")
  private String lang;

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
