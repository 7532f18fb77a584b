package dev.vecino.p2p.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.OutOfScopeException;
import dev.vecino.p2p.scan.NetworkScope;
import dev.vecino.p2p.scan.Targets;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How the builder, the system property and the environment variable combine; no socket. */
class ScopeGuardTest {

  private static final NetworkScope NEVER = NetworkScope.parse("255.255.255.255/32");

  @Test
  void eachScopeThatIsSetNarrowsTheOthers() throws Exception {
    ScopeGuard g = new ScopeGuard(NetworkScope.parse("0.0.0.0/0"), "127.0.0.0/8,198.18.0.0/15", "127.0.0.0/16",
        () -> NEVER);
    assertNull(g.refusal(InetAddress.getByName("127.0.9.9")));
    String r = g.refusal(InetAddress.getByName("198.18.0.1"));
    assertTrue(r.contains("environment variable " + NetworkScope.ENVIRONMENT_VARIABLE), r);
    r = g.refusal(InetAddress.getByName("203.0.113.1"));
    assertTrue(r.contains("system property " + NetworkScope.PROPERTY), "the builder cannot widen the property: " + r);
  }

  @Test
  void theDefaultAppliesOnlyWhenNothingIsSetAndIsComputedOnce() throws Exception {
    AtomicInteger computed = new AtomicInteger();
    ScopeGuard g = new ScopeGuard(null, null, " ", () -> {
      computed.incrementAndGet();
      return NetworkScope.parse("127.0.0.0/8");
    });
    assertTrue(g.isDefault());
    for (int i = 0; i < 100; i++) {
      assertNull(g.refusal(InetAddress.getByName("127.0.0.1")));
    }
    assertTrue(g.refusal(InetAddress.getByName("198.18.0.1")).contains("default"));
    assertEquals(1, computed.get(), "interfaces are not listed once per probe");
    assertTrue(new ScopeGuard(NetworkScope.parse("127.0.0.1"), null, null, () -> {
      throw new AssertionError("the default is not computed when a scope is set");
    }).refusal(InetAddress.getByName("127.0.0.2")).contains("builder"));
  }

  @Test
  void aScanLeavingTheScopeIsRefusedNamingTheFirstAddressAndTheSource() {
    ScopeGuard g = new ScopeGuard(null, "127.0.0.0/30", null, () -> NEVER);
    OutOfScopeException e = assertThrows(OutOfScopeException.class,
        () -> g.requireAllowed(Targets.parse("127.0.0.1-127.0.0.10"), "scan of x"));
    assertTrue(e.getMessage().startsWith("scan of x refused: 7 of the 10 addresses (first: 127.0.0.4)"), e.getMessage());
    assertTrue(e.getMessage().contains("system property vecino.networkScope"), e.getMessage());
    g.requireAllowed(Targets.parse("127.0.0.1-127.0.0.3"), "scan");
    assertEquals(Targets.parse("127.0.0.1-127.0.0.3"), g.clip(Targets.parse("127.0.0.1-127.0.0.10")));
  }

  @Test
  void aBadPropertyOrVariableIsAConfigurationError() {
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> new ScopeGuard(null, "localhost", null, () -> NEVER));
    assertTrue(e.getMessage().contains("system property vecino.networkScope is not a network scope"), e.getMessage());
    e = assertThrows(ConfigurationException.class, () -> new ScopeGuard(null, null, "10.0.0.0/40", () -> NEVER));
    assertTrue(e.getMessage().contains(NetworkScope.ENVIRONMENT_VARIABLE), e.getMessage());
  }
}
