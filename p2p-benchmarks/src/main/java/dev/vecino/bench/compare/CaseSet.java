package dev.vecino.bench.compare;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every case of one comparison run, by group. A case id is {@code kind-size/contender}, e.g.
 * {@code oneway-64/vecino-trysend-payload}.
 *
 * <p><b>Thread safety:</b> none; the runner's thread owns it.
 *
 * @param throughput one-way floods ({@code oneway-64/...}, {@code oneway-1024/...})
 * @param pingPong closed-loop ping-pong ({@code pingpong-64/...})
 * @param echo the echo client and its blocking-socket reference ({@code echo-64/...})
 * @param idle one message at a time on a quiet connection ({@code idle-64/...})
 * @param openLoop fixed-rate echo ({@code openloop-64/...}); its rate is set after the others ran
 * @param scans scans ({@code scan24/...}, ...)
 * @param tls TLS beside plaintext ({@code oneway-1024/vecino-tls}, ...; see {@link TlsCases})
 */
record CaseSet(List<CaseSpec> throughput, List<CaseSpec> pingPong, List<CaseSpec> echo,
    List<CaseSpec> idle, List<CaseSpec> openLoop, List<CaseSpec> scans, List<CaseSpec> tls) {

  /** Payload sizes of the one-way cases. */
  static final int[] SIZES = {64, 1024};

  /**
   * One-way contenders, the two-thread ceiling first. Plain {@code trySend} and
   * {@code trySendMore} with the same receiver (direct callbacks, {@code onPayload}) are
   * {@code vecino-trysend-payload} and {@code vecino-trysendmore-payload}.
   */
  static final String[] ONE_WAY = {"nio-ceiling-2t", "nio-ceiling-1t", "vecino-executor",
      "vecino-direct", "vecino-trysend-payload", "vecino-trysendmore-payload",
      "blocking-socket", "netty", "jeromq"};

  /** Ping-pong contenders, reference first. */
  static final String[] PING_PONG = {"blocking-socket", "vecino-direct", "vecino-public-api",
      "vecino-executor", "vecino-poll", "netty", "jeromq"};

  /** Open-loop contenders, reference first. */
  static final String[] OPEN_LOOP = {"blocking-socket", "vecino-direct", "vecino-executor",
      "vecino-poll", "netty", "jeromq"};

  /** Echo contenders, reference first. */
  static final String[] ECHO = {"blocking-socket", "vecino-echo-client"};

  /** Idle-path contenders. */
  static final String[] IDLE = {"vecino-trysend-payload"};

  /**
   * Returns every case of a mode.
   *
   * @param mode the mode's settings
   * @return the cases, no results yet
   */
  static CaseSet of(CompareMain.Mode mode) {
    List<CaseSpec> throughput = new ArrayList<>();
    for (int size : SIZES) {
      throughput.addAll(cases(mode, "oneway", size, ONE_WAY));
    }
    return new CaseSet(throughput, cases(mode, "pingpong", 64, PING_PONG),
        cases(mode, "echo", 64, ECHO), cases(mode, "idle", 64, IDLE),
        cases(mode, "openloop", 64, OPEN_LOOP), ScanPlan.cases(mode), TlsCases.cases(mode));
  }

  private static List<CaseSpec> cases(CompareMain.Mode mode, String kind, int size,
      String[] contenders) {
    List<CaseSpec> list = new ArrayList<>();
    for (String c : contenders) {
      Duration warmup = c.equals("jeromq") ? mode.jeromqWarmup()
          : kind.equals("idle") ? mode.idleWarmup() : mode.warmup();
      list.add(new CaseSpec(c, kind, size, warmup, mode.measure()));
    }
    return list;
  }

  /**
   * Returns the cases that run first, interleaved: all but the open loop.
   *
   * @return a new list
   */
  List<CaseSpec> beforeOpenLoop() {
    List<CaseSpec> all = new ArrayList<>(throughput);
    all.addAll(pingPong);
    all.addAll(echo);
    all.addAll(idle);
    all.addAll(scans);
    all.addAll(tls);
    return all;
  }

  /**
   * Returns every case.
   *
   * @return a new list
   */
  List<CaseSpec> all() {
    List<CaseSpec> all = beforeOpenLoop();
    all.addAll(openLoop);
    return all;
  }
}
