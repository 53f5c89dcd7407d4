package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file the harness executes is hashed again whenever it may have changed (content rewritten with its size and mtime
 * put back, replaced by rename, changed in the same moment as its hashing), and only then.
 */
class FileDigestsTest {
    @TempDir
    Path dir;

    @Test
    void anUnchangedFileIsReadOnceAndItsDigestIsTheContents() throws Exception {
        Path f = settled(write("worker", "first contents"));
        String first = FileDigests.sha256(f, Duration.ZERO);
        String second = FileDigests.sha256(f, Duration.ZERO);
        assertEquals(WorkerClassPath.sha256("first contents".getBytes(StandardCharsets.UTF_8)), first);
        assertEquals(first, second);
        assertEquals(1, FileDigests.hashed(f));
    }

    @Test
    void aRewriteOfTheSameSizeWithItsMtimePutBackIsHashedAgain() throws Exception {
        Path f = settled(write("worker", "first contents"));
        FileTime mtime = Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS);
        String before = FileDigests.sha256(f, Duration.ZERO);
        Files.writeString(f, "other contents");
        Files.setLastModifiedTime(f, mtime); // only ctime, which nobody can set, still tells
        String after = FileDigests.sha256(settled(f), Duration.ZERO);
        assertNotEquals(before, after);
        assertEquals(WorkerClassPath.sha256("other contents".getBytes(StandardCharsets.UTF_8)), after);
        assertEquals(2, FileDigests.hashed(f));
    }

    @Test
    void aFileReplacedByRenameIsHashedAgain() throws Exception {
        Path f = settled(write("worker", "first contents"));
        String before = FileDigests.sha256(f, Duration.ZERO);
        Path other = write("other", "other contents");
        Files.setLastModifiedTime(other, Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS));
        Files.move(settled(other), f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertNotEquals(before, FileDigests.sha256(f, Duration.ZERO));
        assertEquals(2, FileDigests.hashed(f));
    }

    @Test
    void aFileChangedWithinTheRacyWindowOfItsHashingIsNotRemembered() throws Exception {
        Path f = write("worker", "first contents");
        // A window of a day, not the default's 2 s, which a busy machine may let pass between the write and the hashing.
        FileDigests.sha256(f, Duration.ofDays(1));
        FileDigests.sha256(f, Duration.ofDays(1));
        assertEquals(2, FileDigests.hashed(f), "a file written just now is hashed at each use");
    }

    @Test
    void aSymbolicLinkIsNotFollowed() throws Exception {
        Path target = settled(write("worker", "first contents"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThrows(IOException.class, () -> FileDigests.sha256(link, Duration.ZERO));
    }

    private Path write(String name, String contents) throws IOException {
        return Files.writeString(dir.resolve(name), contents);
    }

    /** Waits until the clock has passed the file's ctime, so a change made after this gets a later one. */
    private static Path settled(Path f) throws Exception {
        Instant ctime = ((FileTime) Files.getAttribute(f, "unix:ctime", LinkOption.NOFOLLOW_LINKS)).toInstant();
        while (!Instant.now().isAfter(ctime.plusMillis(20))) {
            Thread.sleep(5);
        }
        return f;
    }
}
