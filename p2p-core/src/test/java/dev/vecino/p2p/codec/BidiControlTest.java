package dev.vecino.p2p.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vecino.p2p.internal.Names;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The classic codec drops from a greeting exactly the bidirectional controls a node refuses in
 * names: the codec keeps its own definition (it imports no internal package), this test keeps
 * the two equal.
 */
@Timeout(30)
class BidiControlTest {

  @Test
  void theCodecAndTheNodeAgreeOnEveryCodePoint() {
    for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
      int c = cp;
      assertEquals(Names.isBidiControl(c), Utf8.isBidiControl(c), () -> String.format("U+%04X", c));
    }
  }
}
