package dev.vecino.p2p.internal.tls;

import dev.vecino.p2p.ConfigurationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files that hold secrets (a node's private key, a group secret), handled as ssh handles its
 * private keys: created owner-only ({@code 0600}) from their first byte, and refused on load when
 * the group or others have any permission on them, with the {@code chmod} that fixes it. Where the
 * file system has no POSIX permissions (e.g. FAT, Windows) the file is used and a warning logged:
 * there the operating system's own access control has to protect it.
 *
 * <p>Also the PEM armour ({@code -----BEGIN label-----}, base64 in 64-column lines) both files use,
 * so that {@code openssl} reads the key file as it is.
 *
 * <p>Thread safety: stateless; concurrent creators of one file are safe (one wins, see {@link
 * #createNew}).
 */
public final class OwnerOnlyFiles {

  private static final Logger log = LoggerFactory.getLogger(OwnerOnlyFiles.class);

  /** The only permissions a secret file may have. */
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  /** A secret file is small; a larger one is not ours (and must not be read into memory). */
  static final int MAX_BYTES = 64 * 1024;

  private OwnerOnlyFiles() {}

  /**
   * Reads a secret file as UTF-8 text after checking that only its owner may access it.
   *
   * @param file the file
   * @param what what the file is, for messages ({@code "key file"})
   * @return the file's text
   * @throws ConfigurationException if the group or others have any permission on the file, or
   *     it is larger than 64 KiB
   * @throws IOException if the file cannot be read
   */
  public static String read(Path file, String what) throws IOException {
    checkOwnerOnly(file, what);
    if (Files.size(file) > MAX_BYTES) {
      throw new ConfigurationException(what + " " + file + " is larger than " + MAX_BYTES + " bytes: not a Vecino "
          + what);
    }
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  /**
   * Checks that the group and others have no permission on {@code file}; logs a warning where
   * the file system has no POSIX permissions to check.
   *
   * @param file the file
   * @param what what the file is, for messages
   * @throws ConfigurationException if the group or others have any permission
   * @throws IOException if the permissions cannot be read
   */
  public static void checkOwnerOnly(Path file, String what) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      warnNoPosix(file, what);
      return;
    }
    Set<PosixFilePermission> permissions = view.readAttributes().permissions();
    Set<PosixFilePermission> others = EnumSet.noneOf(PosixFilePermission.class);
    others.addAll(permissions);
    others.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_EXECUTE));
    if (!others.isEmpty()) {
      throw new ConfigurationException(what + " " + file + " is accessible by others (permissions "
          + PosixFilePermissions.toString(permissions) + "); it must be readable by its owner only. Fix it with: "
          + "chmod 600 " + file);
    }
  }

  /**
   * Creates {@code file} holding {@code text}, owner-only from its first byte, unless it exists.
   * The text is written and synced to a temporary sibling first and then linked into place, so
   * {@code file} never exists half-written and two concurrent creators cannot both win.
   *
   * @param file the file; its parent directories are created
   * @param text the content, written as UTF-8
   * @param what what the file is, for messages
   * @return true if this call created the file, false if it existed already (left untouched)
   * @throws IOException if the file cannot be written
   */
  public static boolean createNew(Path file, String text, String what) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
    Path tmp = posix
        ? Files.createTempFile(dir, ".vecino-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
        : Files.createTempFile(dir, ".vecino-", ".tmp");
    if (!posix) {
      warnNoPosix(file, what);
    }
    try {
      try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        out.force(true);
      }
      return publish(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static boolean publish(Path tmp, Path file) throws IOException {
    try {
      Files.createLink(file, tmp);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException | FileSystemException e) {
      // No hard links on this file system (some network and FAT mounts): a move, which may
      // replace a file a concurrent creator published in between, so check first.
      if (Files.exists(file)) {
        return false;
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      return true;
    }
  }

  private static void warnNoPosix(Path file, String what) {
    log.warn("{} {} is on a file system without POSIX permissions: Vecino cannot make it owner-only nor check "
        + "that it is; protect it with the operating system's access control", what, file);
  }

  /**
   * Armours DER bytes as PEM: {@code -----BEGIN label-----}, base64 in 64-column lines, {@code
   * -----END label-----}, each line ended by {@code \n}.
   *
   * @param label the PEM label, e.g. {@code "PRIVATE KEY"}
   * @param der the bytes
   * @return the PEM block
   */
  public static String pem(String label, byte[] der) {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }

  /**
   * Returns the bytes of the first PEM block with {@code label} in {@code text}.
   *
   * @param text the file's text
   * @param label the PEM label
   * @param file the file, for messages
   * @param what what the file is, for messages
   * @return the decoded bytes
   * @throws ConfigurationException if there is no such block or its base64 is malformed
   */
  public static byte[] unpem(String text, String label, Path file, String what) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin);
    int to = from < 0 ? -1 : text.indexOf(end, from);
    if (to < 0) {
      throw new ConfigurationException(what + " " + file + " has no complete '" + begin + "' block");
    }
    try {
      return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to).strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(what + " " + file + " has malformed base64 in its " + label + " block", e);
    }
  }
}
