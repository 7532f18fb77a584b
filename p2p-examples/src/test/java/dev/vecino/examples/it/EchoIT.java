package dev.vecino.examples.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code echo-server} and {@code echo-client} end to end. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoIT {

  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) ");

  @Test
  void clientMeasuresRoundTripsClosedAndOpenLoop() throws Exception {
    try (VecinoProcess server = VecinoProcess.start("echo-server", "echo-server",
        "--bind", "127.0.0.1", "--port", "0")) {
      Matcher m = LISTENING.matcher(server.awaitOut("echo server listening on"));
      m.find();
      String address = "127.0.0.1:" + m.group(1);
      try (VecinoProcess client = VecinoProcess.start("echo-client", "echo-client", address,
          "--count", "2000", "--size", "100")) {
        assertEquals(0, client.awaitExit(), client.dump());
        client.awaitOut("closed loop");
        client.awaitOut(l -> l.matches("rtt µs: p50 [\\d.]+  p90 [\\d.]+  p99 [\\d.]+  "
            + "p99\\.9 [\\d.]+  max [\\d.]+"));
        client.awaitOut(l -> l.matches("throughput: \\d+ msgs/s, [\\d.]+ MB/s each way "
            + "\\(2000 messages in [\\d.]+ s\\)"));
      }
      try (VecinoProcess client = VecinoProcess.start("echo-client", "echo-client", address,
          "--count", "500", "--size", "0", "--rate", "1000/s")) {
        assertEquals(0, client.awaitExit(), client.dump());
        client.awaitOut("open loop at 1000/s (corrected for coordinated omission)");
        client.awaitOut("rtt µs: p50 ");
      }
      server.awaitOut("+ echo-client connected");
    }
  }

  @Test
  void clientFailsClearlyWithoutAServer() throws Exception {
    int closed = Net.closedPort();
    try (VecinoProcess client = VecinoProcess.start("echo-client", "echo-client",
        "127.0.0.1:" + closed, "--count", "10")) {
      assertEquals(1, client.awaitExit(), client.dump());
      client.awaitErr("error: cannot connect to 127.0.0.1:" + closed + ": connection refused");
    }
  }
}
