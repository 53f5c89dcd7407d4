package org.shmconform.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A history file is written as root into a report folder: a link at its place or at its folder's is never written through. */
class HistoryWriteNoFollowTest {
    private static final String SECRET = "root-only content\n";

    @Test
    void aLinkAtTheHistoryFilesPlaceIsReplacedNotFollowed(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("shadow"), SECRET);
        Path evidence = Files.createDirectory(dir.resolve("evidence"));
        Path file = evidence.resolve("data-shared--sysv.history.jsonl");
        Files.createSymbolicLink(file, secret);
        new History().write(file);
        assertEquals(SECRET, Files.readString(secret), "the link's target is untouched");
        assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS), "the history is a file of its own");
        assertEquals("\n", Files.readString(file));
    }

    @Test
    void aLinkWhereTheEvidenceFolderGoesIsRefused(@TempDir Path dir) throws Exception {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.createSymbolicLink(run.resolve("evidence"), elsewhere);
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> new History().write(run.resolve("evidence").resolve("x.history.jsonl")));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        try (var in = Files.list(elsewhere)) {
            assertEquals(0, in.count(), "nothing was written into the link's target");
        }
    }
}
