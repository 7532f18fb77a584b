package dev.vecino.p2p.testkit.hostile;

import dev.vecino.p2p.testkit.LoopbackBlock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link TlsFloodAttackTest} for 20 s per flood, in the {@code hostile} profile. */
@Timeout(180)
class TlsFloodAttackIT {

  @Test
  void aFriendKeepsPingPongingThroughLongFloodsOfClientHellos() throws Exception {
    TlsFloodAttackTest.run(new LoopbackBlock(6, 37), Duration.ofSeconds(20));
  }
}
