package demo.sneaky;

import dev.vecino.p2p.internal.Node;

/** Names an internal type; the module path must refuse it. */
public final class Sneaky {
  private Sneaky() {}

  /** Refers to the internal node class. */
  public static Class<?> internal() {
    return Node.class;
  }
}
