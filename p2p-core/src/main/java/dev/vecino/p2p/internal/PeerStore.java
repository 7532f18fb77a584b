package dev.vecino.p2p.internal;

import dev.vecino.p2p.ConfigurationException;
import dev.vecino.p2p.PeerId;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The known-peer store of one node (issue 17): per peer id, the addresses where it was last
 * seen, when it was first and last seen, and, for a peer whose key is pinned (pairing,
 * {@code PeerNode.trust}), the key's fingerprint and the display name it last showed. Discovery
 * probes these addresses first, so a peer on another subnet is found again without a scan; the
 * admission refuses another key at a pinned address, and {@link Pins} another key under a pinned
 * name ({@link #claimName}).
 *
 * <p>Pinned names are compared by {@link #nameKey}: Unicode NFKC, invisible format characters
 * dropped, case ignored, so {@code Bob}, {@code ｂｏｂ} and {@code bob} with a zero-width space
 * are one name. Among pinned entries a name is held by at most one key: {@link #claimName}
 * checks and records it under the store's lock.
 *
 * <p>Persistence: one file per node, owner-only like ssh's private files. A file that others
 * may read or write is refused ({@link ConfigurationException}, with the {@code chmod} that
 * fixes it): a planted entry could later pin a stranger's key. Writes are atomic (a temporary
 * file in the same directory, created owner-only, then moved over the old one), so a crash
 * leaves the old or the new store, never half of one. Size is bounded: {@link #MAX_PEERS}
 * peers (the least recently seen unpinned one is dropped first), {@link #MAX_ADDRESSES}
 * addresses each (the most recent kept), and a file larger than {@link #MAX_FILE_BYTES} is
 * refused. A malformed line is skipped with a WARN naming it; the rest loads.
 *
 * <p>Format, one peer per line after a header (fields separated by one space):
 * {@code id fingerprint|- pinned(0|1) firstSeenMillis lastSeenMillis address,address...|- [name]}, an
 * address written {@code 198.18.0.5:4000} or {@code [::1]:4000}, the name (a seventh field, only
 * when known) percent-encoded UTF-8 ({@code ana%20maria}). Files of the first version, without
 * names, load as they are.
 *
 * <p><b>Thread safety:</b> every method is synchronized on the store; {@link #save()} writes
 * the file while holding the lock (stores are small and saved rarely: after a discovery, on
 * close, after a pin).
 */
public final class PeerStore {

  /** The most peers kept. */
  public static final int MAX_PEERS = 1024;
  /** The most addresses kept per peer. */
  public static final int MAX_ADDRESSES = 8;
  /** The largest store file read. */
  public static final long MAX_FILE_BYTES = 1 << 20;

  private static final Logger log = LoggerFactory.getLogger(PeerStore.class);
  private static final String HEADER = "# vecino known peers v2: id fingerprint pinned firstSeen lastSeen addresses [name]";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  /**
   * One known peer.
   *
   * @param id the peer's id
   * @param fingerprint its key fingerprint, or null while keys do not exist
   * @param pinned whether the fingerprint is pinned (a different key is then refused)
   * @param addresses where it was seen, most recent first, at most {@link #MAX_ADDRESSES}
   * @param firstSeen when it was first seen
   * @param lastSeen when it was last seen
   * @param name the display name a pinned key last showed, or null when unknown (never kept
   *     for an unpinned peer: names are not identity)
   */
  public record Entry(PeerId id, String fingerprint, boolean pinned, List<InetSocketAddress> addresses,
      Instant firstSeen, Instant lastSeen, String name) {

    /** Validates and copies. */
    public Entry {
      Objects.requireNonNull(id, "id");
      addresses = List.copyOf(addresses);
      Objects.requireNonNull(firstSeen, "firstSeen");
      Objects.requireNonNull(lastSeen, "lastSeen");
      if (fingerprint != null && (fingerprint.isEmpty() || !fingerprint.chars().allMatch(c -> c > ' ' && c < 127))) {
        throw new IllegalArgumentException("fingerprint must be printable ASCII without spaces: " + fingerprint);
      }
      if (name != null && name.isEmpty()) {
        throw new IllegalArgumentException("name must not be empty");
      }
    }

    /** An entry without a name. */
    public Entry(PeerId id, String fingerprint, boolean pinned, List<InetSocketAddress> addresses, Instant firstSeen,
        Instant lastSeen) {
      this(id, fingerprint, pinned, addresses, firstSeen, lastSeen, null);
    }

    Entry withPin(String newFingerprint, boolean newPinned, String newName) {
      return new Entry(id, newFingerprint, newPinned, addresses, firstSeen, lastSeen, newName);
    }
  }

  private final Path file;
  private final String logName;
  private final Map<PeerId, Entry> entries = new LinkedHashMap<>();
  private boolean dirty;
  private final AtomicBoolean warnedNoPosix = new AtomicBoolean();

  private PeerStore(Path file, String logName) {
    this.file = file;
    this.logName = logName;
  }

  /**
   * Returns a store kept in memory only.
   *
   * @param logName the node's log name
   * @return an empty store
   */
  public static PeerStore inMemory(String logName) {
    return new PeerStore(null, logName);
  }

  /**
   * Opens the store in {@code file}, loading it if it exists.
   *
   * @param file the store file; its directory is created owner-only if missing
   * @param logName the node's log name
   * @return the store
   * @throws ConfigurationException if the file is readable or writable by others, too large,
   *     not a regular file, or cannot be read
   */
  public static PeerStore open(Path file, String logName) {
    PeerStore s = new PeerStore(Objects.requireNonNull(file, "file"), logName);
    try {
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        s.load();
      }
    } catch (IOException e) {
      throw new ConfigurationException("cannot read the peer store " + file + ": " + e.getMessage(), e);
    }
    return s;
  }

  /** Returns the file, or null for an in-memory store. */
  public Path file() {
    return file;
  }

  /**
   * Returns a peer's entry.
   *
   * @param id the peer
   * @return its entry, if known
   */
  public synchronized Optional<Entry> get(PeerId id) {
    return Optional.ofNullable(entries.get(id));
  }

  /**
   * Returns every entry, most recently seen first.
   *
   * @return a snapshot
   */
  public synchronized List<Entry> entries() {
    List<Entry> list = new ArrayList<>(entries.values());
    list.sort(Comparator.comparing(Entry::lastSeen).reversed());
    return list;
  }

  /**
   * Records that {@code id} was seen at {@code address} (its listening address) at {@code now}.
   *
   * @param id the peer
   * @param address where it listens
   * @param now the time
   */
  public synchronized void seen(PeerId id, InetSocketAddress address, Instant now) {
    Entry e = entries.get(id);
    List<InetSocketAddress> addresses = new ArrayList<>();
    addresses.add(address);
    if (e != null) {
      for (InetSocketAddress a : e.addresses()) {
        if (!a.equals(address) && addresses.size() < MAX_ADDRESSES) {
          addresses.add(a);
        }
      }
    }
    put(e == null ? new Entry(id, null, false, addresses, now, now)
        : new Entry(id, e.fingerprint(), e.pinned(), addresses, e.firstSeen(), now, e.name()));
  }

  /**
   * Pins a peer's key fingerprint (for the security work): creates the entry if the peer is
   * unknown. Saves at once, so a pin is never lost.
   *
   * @param id the peer
   * @param fingerprint the key fingerprint, printable ASCII without spaces
   * @param now the time
   * @throws UncheckedIOException if the store cannot be written
   */
  public synchronized void pin(PeerId id, String fingerprint, Instant now) {
    Objects.requireNonNull(fingerprint, "fingerprint");
    Entry e = entries.get(id);
    put(e == null ? new Entry(id, fingerprint, true, List.of(), now, now)
        : e.withPin(fingerprint, true, e.pinned() && fingerprint.equals(e.fingerprint()) ? e.name() : null));
    save();
  }

  /**
   * Unpins a peer's key: the entry stays, with its addresses, as an unpinned one (a key met
   * again is then paired with again), and forgets the name. Does not save: the caller does.
   *
   * @param id the peer
   * @return the entry as it was pinned, or empty if the peer was not pinned
   */
  public synchronized Optional<Entry> unpin(PeerId id) {
    Entry e = entries.get(id);
    if (e == null || !e.pinned()) {
      return Optional.empty();
    }
    put(e.withPin(e.fingerprint(), false, null));
    return Optional.of(e);
  }

  /**
   * A peer shows {@code name} on a secure connection: returns the pinned entry of <em>another</em>
   * key that holds that name (see {@link #nameKey}), and then changes nothing; else records the
   * name for {@code id} if its key is pinned, first pinning it to {@code pinFingerprint} when
   * that is given (a pairing just accepted), and saves at once if anything changed. Check and
   * record are one step under the store's lock, so two keys racing for one name cannot both get it.
   *
   * @param id the peer, whose key its TLS certificate proved
   * @param name the name in its HELLO
   * @param pinFingerprint the key's fingerprint to pin now, or null to pin nothing
   * @param now the time
   * @return the entry holding the name for another key, or empty when the name is free or the peer's own
   * @throws UncheckedIOException if the store cannot be written (the change holds in memory)
   */
  public synchronized Optional<Entry> claimName(PeerId id, String name, String pinFingerprint, Instant now) {
    String key = nameKey(name);
    for (Entry e : entries.values()) {
      if (e.pinned() && e.name() != null && !e.id().equals(id) && nameKey(e.name()).equals(key)) {
        return Optional.of(e);
      }
    }
    Entry e = entries.get(id);
    if (pinFingerprint != null) {
      put(e == null ? new Entry(id, pinFingerprint, true, List.of(), now, now, name)
          : e.withPin(pinFingerprint, true, name));
    } else if (e != null && e.pinned() && !name.equals(e.name())) {
      put(e.withPin(e.fingerprint(), true, name));
    } else {
      return Optional.empty();
    }
    save();
    return Optional.empty();
  }

  /**
   * Returns the form in which pinned names are compared: Unicode NFKC (full-width and other
   * compatibility forms fold to the plain letters), without format characters (zero-width
   * spaces and joiners, bidi marks), in lower case, stripped. Letters of other scripts that look
   * alike (a Cyrillic {@code о} for a Latin {@code o}) stay different: people compare
   * fingerprints for those.
   *
   * @param name a display name
   * @return its comparison key
   */
  static String nameKey(String name) {
    String n = Normalizer.normalize(name, Normalizer.Form.NFKC);
    StringBuilder b = new StringBuilder(n.length());
    n.codePoints().filter(c -> Character.getType(c) != Character.FORMAT).forEach(b::appendCodePoint);
    return b.toString().toLowerCase(Locale.ROOT).strip();
  }

  private void put(Entry e) {
    entries.put(e.id(), e);
    dirty = true;
    if (entries.size() > MAX_PEERS) {
      // Unpinned before pinned, then the least recently seen.
      Entry victim = entries.values().stream()
          .min(Comparator.comparing(Entry::pinned).thenComparing(Entry::lastSeen)).orElseThrow();
      entries.remove(victim.id());
    }
  }

  /**
   * Writes the store if it changed since it was loaded or saved: atomically, owner-only.
   * Nothing happens for an in-memory store.
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  public synchronized void save() {
    if (file == null || !dirty) {
      return;
    }
    StringBuilder text = new StringBuilder(HEADER).append('\n');
    for (Entry e : entries.values()) {
      text.append(format(e)).append('\n');
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      boolean posix = posix(dir.getFileSystem());
      if (!Files.isDirectory(dir)) {
        if (posix) {
          Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(dir);
        }
      }
      Path tmp = posix ? Files.createTempFile(dir, ".peers", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
          : Files.createTempFile(dir, ".peers", ".tmp");
      try {
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
      dirty = false;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the peer store " + file, e);
    }
  }

  private void load() throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new ConfigurationException("the peer store " + file + " is not a regular file");
    }
    Set<PosixFilePermission> perms = posix(file.getFileSystem())
        ? Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS) : OWNER_ONLY;
    if (!posix(file.getFileSystem()) && warnedNoPosix.compareAndSet(false, true)) {
      log.warn("{}: the file system of {} has no POSIX permissions: keep the peer store private yourself", logName,
          file);
    }
    if (perms.stream().anyMatch(p -> !OWNER_ONLY.contains(p))) {
      throw new ConfigurationException("the peer store " + file + " is accessible by others ("
          + PosixFilePermissions.toString(perms) + "): it holds pinned keys, so it must be owner-only; "
          + "fix it with: chmod 600 " + file);
    }
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new ConfigurationException("the peer store " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
    }
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      try {
        Entry e = parse(line);
        entries.put(e.id(), e);
      } catch (IllegalArgumentException e) {
        log.warn("{}: peer store {} line {} skipped: {}", logName, file, n, e.getMessage());
      }
    }
    while (entries.size() > MAX_PEERS) {
      entries.remove(entries.keySet().iterator().next());
    }
  }

  private static boolean posix(java.nio.file.FileSystem fs) {
    return fs.supportedFileAttributeViews().contains("posix");
  }

  static String format(Entry e) {
    StringBuilder b = new StringBuilder();
    b.append(e.id()).append(' ').append(e.fingerprint() == null ? "-" : e.fingerprint()).append(' ')
        .append(e.pinned() ? 1 : 0).append(' ').append(e.firstSeen().toEpochMilli()).append(' ')
        .append(e.lastSeen().toEpochMilli()).append(' ');
    for (int i = 0; i < e.addresses().size(); i++) {
      InetSocketAddress a = e.addresses().get(i);
      String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
      b.append(i == 0 ? "" : ",").append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(a.getPort());
    }
    if (e.addresses().isEmpty()) {
      b.append('-');
    }
    if (e.name() != null) {
      b.append(' ').append(encodeName(e.name()));
    }
    return b.toString();
  }

  /** Percent-encodes a name's UTF-8 bytes but letters, digits and {@code . _ ~ @}, so it is one field. */
  static String encodeName(String name) {
    StringBuilder b = new StringBuilder();
    for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c < 128 && (Character.isLetterOrDigit(c) || ".~_@".indexOf(c) >= 0)) {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }

  /** Decodes {@link #encodeName}; a malformed escape or bad UTF-8 is an {@link IllegalArgumentException}. */
  static String decodeName(String field) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c != '%') {
        out.write(c);
        continue;
      }
      int hi = i + 2 < field.length() ? Character.digit(field.charAt(i + 1), 16) : -1;
      int lo = hi < 0 ? -1 : Character.digit(field.charAt(i + 2), 16);
      if (lo < 0) {
        throw new IllegalArgumentException("bad escape in name: " + field);
      }
      out.write(hi << 4 | lo);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("name is not UTF-8: " + field, e);
    }
  }

  static Entry parse(String line) {
    String[] f = line.trim().split(" ");
    if (f.length != 6 && f.length != 7) {
      throw new IllegalArgumentException("expected 6 or 7 fields, found " + f.length);
    }
    PeerId id = PeerId.parse(f[0]);
    String fingerprint = f[1].equals("-") ? null : f[1];
    if (!f[2].equals("0") && !f[2].equals("1")) {
      throw new IllegalArgumentException("pinned must be 0 or 1: " + f[2]);
    }
    Instant first;
    Instant last;
    try {
      first = Instant.ofEpochMilli(Long.parseLong(f[3]));
      last = Instant.ofEpochMilli(Long.parseLong(f[4]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad time: " + e.getMessage(), e);
    }
    List<InetSocketAddress> addresses = new ArrayList<>();
    if (!f[5].equals("-")) {
      for (String a : f[5].split(",")) {
        if (addresses.size() < MAX_ADDRESSES) {
          addresses.add(Addresses.parseLiteral(a));
        }
      }
    }
    String name = f.length == 7 ? decodeName(f[6]) : null;
    if (name != null && (name.isEmpty() || name.chars().anyMatch(c -> c < ' ' || c == 127))) {
      throw new IllegalArgumentException("bad name: " + f[6]);
    }
    return new Entry(id, fingerprint, f[2].equals("1"), addresses, first, last, name);
  }
}
