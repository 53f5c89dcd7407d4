package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a container wrote into the dump's directory is used only when it is the archive alone, a regular file. */
class ContainerClassDataSharingTest {
    @TempDir
    Path tmp;

    @Test
    void theArchiveAloneIsTaken() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.writeString(dir.resolve(ContainerClassDataSharing.ARCHIVE), "archive");
        assertTrue(ContainerClassDataSharing.holdsOnlyTheArchive(dir));
    }

    @Test
    void aLinkWhereTheArchiveShouldBeIsNot() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere"), "not an archive");
        Files.createSymbolicLink(dir.resolve(ContainerClassDataSharing.ARCHIVE), elsewhere);
        assertFalse(ContainerClassDataSharing.holdsOnlyTheArchive(dir));
    }

    @Test
    void anythingBesideTheArchiveOrAnEmptyOneOrALinkedDirectoryIsNot() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.writeString(dir.resolve(ContainerClassDataSharing.ARCHIVE), "archive");
        Files.writeString(dir.resolve("planted"), "x");
        assertFalse(ContainerClassDataSharing.holdsOnlyTheArchive(dir));

        Path empty = Files.createDirectory(tmp.resolve("e"));
        Files.createFile(empty.resolve(ContainerClassDataSharing.ARCHIVE));
        assertFalse(ContainerClassDataSharing.holdsOnlyTheArchive(empty));

        Path good = Files.createDirectory(tmp.resolve("g"));
        Files.writeString(good.resolve(ContainerClassDataSharing.ARCHIVE), "archive");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), good);
        assertFalse(ContainerClassDataSharing.holdsOnlyTheArchive(link));
    }
}
