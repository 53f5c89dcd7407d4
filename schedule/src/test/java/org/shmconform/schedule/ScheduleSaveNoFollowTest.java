package org.shmconform.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A schedule file is written as root into a report folder: a link at its place is replaced, never written through. */
class ScheduleSaveNoFollowTest {
    @Test
    void aLinkAtTheScheduleFilesPlaceIsReplacedNotFollowed(@TempDir Path dir) throws Exception {
        String secretText = "root-only content\n";
        Path secret = Files.writeString(dir.resolve("shadow"), secretText);
        Path file = Files.createDirectory(dir.resolve("evidence")).resolve("data-shared--sysv.schedule.json");
        Files.createSymbolicLink(file, secret);
        new Schedule("t", null, List.of(), List.of()).save(file);
        assertEquals(secretText, Files.readString(secret), "the link's target is untouched");
        assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS), "the schedule is a file of its own");
        assertTrue(Files.readString(file).contains("\"name\" : \"t\""), Files.readString(file));
    }
}
