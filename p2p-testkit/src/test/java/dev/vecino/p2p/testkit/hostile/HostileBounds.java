package dev.vecino.p2p.testkit.hostile;

/** Bounds the attack tests assert: threads, so far. */
final class HostileBounds {

  private HostileBounds() {}

  /** The live {@code vecino-*} threads of every node in this JVM. */
  static long vecinoThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("vecino-"))
        .count();
  }
}
