package dev.vecino.p2p.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** Bounds the probe window by the file descriptors the process has left. */
final class FdLimit {

  /** Descriptors kept free for everything else: peers, listeners, files, the JVM. */
  private static final long RESERVE = 64;

  private FdLimit() {}

  /**
   * Whether {@code com.sun.management} can be loaded. The core {@code requires static
   * jdk.management}: a runtime image without it must not reach the {@code instanceof} below,
   * which would throw {@code NoClassDefFoundError}. Without it the module is not in the boot
   * layer, on the module path and on the class path alike.
   */
  private static final boolean FD_COUNTS =
      ModuleLayer.boot().findModule("jdk.management").isPresent();

  /**
   * Returns how many probes may be open at once without starving the process; at least 1, and
   * {@link Integer#MAX_VALUE} (no bound) where the descriptor counts cannot be read.
   */
  static int probeHeadroom() {
    if (!FD_COUNTS) {
      return Integer.MAX_VALUE;
    }
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - RESERVE;
      // Half of what is free: other scans and peer connections need descriptors too.
      return (int) Math.max(1, Math.min(Integer.MAX_VALUE, free / 2));
    }
    return Integer.MAX_VALUE;
  }
}
