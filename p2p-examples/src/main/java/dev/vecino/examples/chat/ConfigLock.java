package dev.vecino.examples.chat;

import dev.vecino.examples.cli.Text;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Marks a config directory as used by a running chat, so a second chat started with the same
 * directory does not take the same node id (two nodes with one id would each think the other
 * is itself). The lock is an OS file lock on {@code <dir>/lock}, held until the process exits.
 */
final class ConfigLock {

  /**
   * The held locks, reachable for the life of the process: a lock nothing references is
   * closed by the channel's cleaner at the next garbage collection, and the OS then frees it.
   */
  private static final List<FileLock> HELD = new CopyOnWriteArrayList<>();

  private ConfigLock() {}

  /**
   * Tries to lock the directory for the rest of this process's life.
   *
   * @param dir the config directory (created if missing)
   * @return true if this process now holds it, false if another process does
   * @throws UncheckedIOException if the directory or lock file cannot be created
   */
  static boolean acquire(Path dir) {
    try {
      Files.createDirectories(dir);
      // Deliberately never closed: the lock lives as long as the process (see HELD), and the OS
      // frees it when the process ends.
      FileChannel channel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        return false;
      }
      HELD.add(lock);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(Text.get("chat.configDir", dir), e);
    }
  }
}
