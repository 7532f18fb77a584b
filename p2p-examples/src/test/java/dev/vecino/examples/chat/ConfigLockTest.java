package dev.vecino.examples.chat;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLockTest {

  @Test
  void aSecondChatOnTheSameDirectoryIsRefused(@TempDir Path dir) {
    assertTrue(ConfigLock.acquire(dir));
    assertFalse(ConfigLock.acquire(dir));
  }

  @Test
  void theLockSurvivesGarbageCollection(@TempDir Path dir) {
    assertTrue(ConfigLock.acquire(dir));
    // An unreferenced channel is closed by its cleaner after a collection, which frees the
    // lock: two chats then shared one node id and each thought the other was itself.
    for (int i = 0; i < 5; i++) {
      System.gc();
      LockSupport.parkNanos(50_000_000L); // gives the cleaner thread its turn; not an event wait
    }
    assertFalse(ConfigLock.acquire(dir), "the first lock must still be held");
  }
}
