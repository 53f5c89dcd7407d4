package org.shmconform.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * The SHA-256 of a file the harness executes or hands to a worker (the Qt workers, the Qt 6.8 launcher), hashed again
 * only when lstat says the file may have changed since it was last hashed: its device and inode, size, mtime and ctime
 * (nanoseconds). Hashing the 79 KB Qt worker before each of its starts was a fifth of the harness JVM's samples in a
 * {@code fuzz -b qt} (JFR, 28 of 155), where about one worker starts per schedule.
 *
 * <p>Why the identity is enough: every write or chmod sets ctime to the current time, and no system call sets ctime
 * back; a file replaced by rename has another inode. A file whose ctime is within {@link #RACY} of the moment it is
 * hashed is never remembered, so a write in the same clock tick as the hashing (same size, mtime put back) cannot hide
 * behind an identity that did not change: git's "racy clean" rule, for the same reason. The callers still lstat the
 * file (a regular file of ours, writable by us alone) before every use.
 */
final class FileDigests {
    /** Files changed this recently when hashed are hashed again at their next use. */
    static final Duration RACY = Duration.ofSeconds(2);
    private static final Map<Path, Known> KNOWN = new ConcurrentHashMap<>();
    private static final Map<Path, AtomicLong> HASHED = new ConcurrentHashMap<>();

    private record Identity(Object inode, Object device, Object size, FileTime mtime, FileTime ctime) {
    }

    private record Known(Identity identity, String sha256) {
    }

    private FileDigests() {
    }

    /**
     * Refuses a file the harness is about to execute or hand to a worker unless it is a regular file of ours, writable by
     * us alone (lstat: never through a link), whose SHA-256 is {@code expected}.
     *
     * @param what    how the refusal names the file ("the Qt worker")
     * @param whence  where {@code expected} comes from ("recorded when it was built")
     * @param refusal what is not done with it ("not executed")
     */
    static void verifyOurs(Path file, String expected, String what, String whence, String refusal) throws IOException {
        PosixFileAttributes a = PrivateDirectory.lstat(file);
        if (!a.isRegularFile() || PrivateDirectory.uidOf(file) != PrivateDirectory.myUid()
                || a.permissions().contains(PosixFilePermission.GROUP_WRITE) || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new PrivateDirectory.UnsafeDirectoryException(file, what + " is not a regular file of ours, writable by us alone");
        }
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new PrivateDirectory.UnsafeDirectoryException(file, what + "'s SHA-256 " + actual + " is not the one " + whence
                    + " (" + expected + "): " + refusal);
        }
    }

    /** The file's SHA-256 in hex, read without following a link, or the one hashed before for the same identity. */
    static String sha256(Path file) throws IOException {
        return sha256(file, RACY);
    }

    static String sha256(Path file, Duration racy) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        Identity before = identity(key);
        Known known = KNOWN.get(key);
        if (known != null && known.identity().equals(before)) {
            return known.sha256();
        }
        Instant hashedAt = Instant.now();
        String sha = hash(key);
        Identity after = identity(key);
        if (before.equals(after) && after.ctime().toInstant().isBefore(hashedAt.minus(racy))) {
            KNOWN.put(key, new Known(after, sha));
        } else {
            KNOWN.remove(key);
        }
        return sha;
    }

    /** How many times this file was read and hashed (not answered from what was known): for the tests. */
    static long hashed(Path file) {
        AtomicLong n = HASHED.get(file.toAbsolutePath().normalize());
        return n == null ? 0 : n.get();
    }

    private static Identity identity(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:ino,dev,size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
        return new Identity(a.get("ino"), a.get("dev"), a.get("size"), (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"));
    }

    private static String hash(Path file) throws IOException {
        HASHED.computeIfAbsent(file, f -> new AtomicLong()).incrementAndGet();
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
