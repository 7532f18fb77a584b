package dev.vecino.bench.compare;

import java.time.Duration;

/**
 * Runs one comparison case in this (fresh) JVM and prints one {@code RESULT} line; started by
 * {@link CompareMain}. Arguments: {@code contender kind size warmupMs measureMs [rate]}.
 *
 * <p>Exit status 0 with a result line, 1 with an {@code ERROR} line.
 */
public final class CaseMain {

  private CaseMain() {}

  /**
   * Entry point.
   *
   * @param args contender, kind, size, warm-up ms, measure ms, optional rate
   */
  public static void main(String[] args) {
    if (args.length < 5) {
      System.out.println("ERROR usage: contender kind size warmupMs measureMs [rate]");
      System.exit(2);
    }
    try {
      Result r = run(args[0], args[1], Integer.parseInt(args[2]),
          Duration.ofMillis(Long.parseLong(args[3])), Duration.ofMillis(Long.parseLong(args[4])),
          args.length > 5 ? Double.parseDouble(args[5]) : 0);
      System.out.println(r.toLine());
      System.out.flush();
      // Library threads (event loops, reapers) must not keep a finished case alive.
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace(System.err);
      System.out.println("ERROR " + t);
      System.out.flush();
      System.exit(1);
    }
  }

  static Result run(String contender, String kind, int size, Duration warmup, Duration measure,
      double rate) throws Exception {
    if (TlsCases.runs(kind)) {
      return TlsCases.run(contender, kind, warmup, measure);
    }
    if (kind.startsWith("scan")) {
      return ScanCases.run(contender, kind, warmup, measure);
    }
    Contender c = contender(contender);
    return switch (kind) {
      case "oneway" -> c.oneWay(size, warmup, measure);
      case "pingpong" -> c.pingPong(size, warmup, measure);
      case "echo" -> c.echo(size, warmup, measure);
      case "idle" -> c.idle(size, warmup, measure);
      case "openloop" -> c.openLoop(size, rate, warmup, measure);
      default -> throw new IllegalArgumentException("unknown kind: " + kind);
    };
  }

  static Contender contender(String name) {
    return switch (name) {
      case "nio-ceiling-2t" -> new NioCeilingContender(true);
      case "nio-ceiling-1t" -> new NioCeilingContender(false);
      case "vecino-direct" -> new VecinoContender(true);
      case "vecino-executor" -> new VecinoContender(false);
      case "vecino-trysend-payload" -> new VecinoContender(true, true, false, false);
      case "vecino-trysendmore-payload" -> new VecinoContender(true, true, false, true);
      case "vecino-poll" -> new VecinoContender(true, false, true, false);
      case TlsCases.TLS -> new VecinoContender(true, true, false, false, true);
      case TlsCases.PLAIN -> new VecinoContender(true, true, false, false, false);
      case "vecino-tls-poll" -> new VecinoContender(true, true, true, false, true);
      case "vecino-plain-poll" -> new VecinoContender(true, true, true, false, false);
      case "vecino-public-api" -> new PublicApiContender();
      case "vecino-echo-client" -> new EchoClientContender();
      case "blocking-socket" -> new BlockingSocketContender();
      case "netty" -> new NettyContender();
      case "jeromq" -> new JeroMqContender();
      default -> throw new IllegalArgumentException("unknown contender: " + name);
    };
  }
}
