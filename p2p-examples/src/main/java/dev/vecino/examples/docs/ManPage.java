package dev.vecino.examples.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Renders the {@code vecino(1)} man page (roff, {@code man} macros) from the picocli command
 * model: every visible command with its synopsis, description, arguments and options, so the
 * page cannot drift from {@code --help}. The few sections the model has no place for (files,
 * environment) are written here.
 *
 * <p><b>Thread safety:</b> stateless.
 */
public final class ManPage {

  private ManPage() {}

  /**
   * Renders the page.
   *
   * @param root the {@code vecino} command line
   * @param version the version the page describes, e.g. {@code 0.1.0}
   * @param date the page's date, {@code YYYY-MM-DD}
   * @return the page, one roff document
   */
  public static String render(CommandLine root, String version, String date) {
    CommandSpec spec = root.getCommandSpec();
    StringBuilder b = new StringBuilder();
    b.append(".\\\" Generated from the picocli command model by ").append(ManPage.class.getName())
        .append(": edit the commands, not this file.\n");
    b.append(".TH VECINO 1 \"").append(date).append("\" \"vecino ").append(escape(version))
        .append("\" \"Vecino Manual\"\n");
    b.append(".SH NAME\nvecino \\- peer-to-peer messaging on your LAN\n");
    b.append(".SH SYNOPSIS\n");
    b.append(".B vecino\n[\\fICOMMAND\\fR] [\\fIOPTIONS\\fR]\n.br\n");
    for (CommandLine sub : visible(root)) {
      b.append(".B vecino ").append(sub.getCommandName()).append("\n[\\fIOPTIONS\\fR]\n.br\n");
    }
    b.append(".SH DESCRIPTION\n");
    paragraphs(b, spec.usageMessage().description());
    b.append("Every command takes \\fB\\-\\-help\\fR and \\fB\\-\\-version\\fR.\n");
    b.append(".SH COMMANDS\n");
    for (CommandLine sub : visible(root)) {
      command(b, sub);
    }
    b.append(".SH EXIT STATUS\n");
    for (Map.Entry<String, String> e : spec.usageMessage().exitCodeList().entrySet()) {
      b.append(".TP\n.B ").append(escape(e.getKey().strip())).append('\n')
          .append(escape(e.getValue().strip())).append('\n');
    }
    b.append(FIXED_SECTIONS);
    return b.toString();
  }

  private static final String FIXED_SECTIONS = """
      .SH ENVIRONMENT
      .TP
      .B XDG_CONFIG_HOME
      The config directory is \\fI$XDG_CONFIG_HOME/vecino\\fR when set (absolute), else \
      \\fI~/.config/vecino\\fR; \\fB\\-\\-config\\-dir\\fR overrides both.
      .TP
      .B HOSTNAME
      The host part of the default name, \\fIuser@host\\fR.
      .TP
      .B NO_COLOR
      When set, the chat prints no colors (as \\fB\\-\\-no\\-color\\fR).
      .TP
      .B VECINO_JAVA_OPTS
      Options for the Java runtime, read by the distribution's launcher \\fBbin/vecino\\fR, \
      e.g. \\fB\\-Xmx64m\\fR.
      .SH FILES
      .TP
      .I ~/.config/vecino/identity.properties
      The node's id, kept across runs.
      .TP
      .I ~/.config/vecino/identity.key
      The node's key (owner-only): its id and key fingerprint derive from it.
      .TP
      .I ~/.config/vecino/peers
      Keys pinned by pairing (\\fB\\-\\-pairing\\fR) and \\fB/trust\\fR, with the name each last showed, \
      and where peers were last seen (owner-only).
      .TP
      .I ~/.config/vecino/aliases.properties
      Names given to peers with \\fB/name\\fR.
      .TP
      .I ~/.config/vecino/history
      The chat's input history (on a terminal).
      .SH EXAMPLES
      .nf
      vecino \\-\\-name ana                         # chat on port 9999
      vecino send 127.0.0.1:9999 "backup done"     # one message, for scripts
      vecino scan 127.0.0.0/24 \\-\\-json            # find peers
      vecino chat \\-\\-codec classic                # talk to the original LAN chat
      source <(vecino completion)                  # Tab completion in bash or zsh
      .fi
      .SH SEE ALSO
      .BR nc (1)
      """;

  private static void command(StringBuilder b, CommandLine cmd) {
    CommandSpec spec = cmd.getCommandSpec();
    Help help = new Help(spec, Help.defaultColorScheme(Ansi.OFF));
    b.append(".SS ").append(escape(spec.qualifiedName())).append('\n');
    b.append(".nf\n").append(escape(help.detailedSynopsis(0, null, true).strip())).append("\n.fi\n");
    paragraphs(b, spec.usageMessage().description());
    for (PositionalParamSpec p : spec.positionalParameters()) {
      if (!p.hidden()) {
        b.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n');
        lines(b, p.description());
      }
    }
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        b.append(".TP\n").append(optionHead(o)).append('\n');
        lines(b, o.description());
      }
    }
    paragraphs(b, spec.usageMessage().footer());
  }

  private static String optionHead(OptionSpec o) {
    List<String> names = new ArrayList<>();
    for (String n : o.names()) {
      names.add("\\fB" + escape(n) + "\\fR");
    }
    String head = String.join(", ", names);
    if (o.arity().max() > 0) {
      String label = "\\fI" + escape(o.paramLabel()) + "\\fR";
      head += o.arity().min() == 0 ? " [" + label + "]" : " " + label;
    }
    return head;
  }

  private static List<CommandLine> visible(CommandLine root) {
    List<CommandLine> subs = new ArrayList<>();
    for (CommandLine sub : root.getSubcommands().values()) {
      if (!sub.getCommandSpec().usageMessage().hidden() && !subs.contains(sub)) {
        subs.add(sub);
      }
    }
    return subs;
  }

  private static void paragraphs(StringBuilder b, String[] text) {
    if (text.length > 0) {
      b.append(".PP\n");
      lines(b, text);
    }
  }

  private static void lines(StringBuilder b, String[] text) {
    for (int i = 0; i < text.length; i++) {
      // Descriptions are format strings to picocli: only %n and %% occur in ours.
      String line = text[i].replace("%n", "\n").replace("%%", "%");
      for (String part : line.split("\n", -1)) {
        if (part.isBlank()) {
          continue;
        }
        b.append(escape(part.strip())).append('\n');
      }
      if (i < text.length - 1) {
        b.append(".br\n");
      }
    }
  }

  /**
   * Escapes text for roff: backslashes, hyphens (so options stay hyphens, not dashes), and a
   * leading dot or quote (a control line otherwise).
   */
  static String escape(String s) {
    String e = s.replace("\\", "\\e").replace("-", "\\-");
    return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
  }
}
