package dev.vecino.p2p.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void growsExponentiallyUpToTheMaximum() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0, 0.0, 3);
    assertEquals(Duration.ofMillis(100), b.delay(1));
    assertEquals(Duration.ofMillis(200), b.delay(2));
    assertEquals(Duration.ofMillis(800), b.delay(4));
    assertEquals(Duration.ofSeconds(1), b.delay(50));
    assertTrue(b.allows(3));
    assertFalse(b.allows(4));
  }

  @Property
  void jitterStaysWithinBoundsAndTheMaximum(@ForAll @IntRange(min = 1, max = 100) int attempt) {
    Backoff b = Backoff.DEFAULT;
    Duration d = b.delay(attempt);
    double base = Math.min(1000.0 * Math.pow(2, attempt - 1), 60_000.0);
    assertTrue(d.toMillis() >= (long) (base * 0.8) - 1 && d.compareTo(b.max()) <= 0, d.toString());
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5, 0));
  }
}
