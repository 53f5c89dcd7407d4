package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The holder of an open-file-description lock is found through /proc (the kernel's /proc/locks names it pid -1). */
class OfdLockHoldersTest {
    @TempDir
    Path dir;

    @Test
    void theProcessWhoseOpenHoldsTheLockIsNamedWithItsCommand() throws Exception {
        Path file = dir.resolve("turn");
        try (OfdLockFile held = OfdLockFile.await(file, 5)) {
            List<OfdLockHolders.Holder> holders = OfdLockHolders.of(file);
            assertEquals(List.of(ProcessHandle.current().pid()), holders.stream().map(OfdLockHolders.Holder::pid).toList());
            assertTrue(holders.get(0).command().contains("java"), holders.get(0).describe());
        }
        assertEquals(List.of(), OfdLockHolders.of(file), "nobody holds it once it is given back");
    }

    @Test
    void anOpenThatWaitsOrMerelyHasTheFileOpenHoldsNothing() throws Exception {
        Path file = dir.resolve("open-only");
        Files.createFile(file);
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            assertEquals(List.of(), OfdLockHolders.of(file));
        }
    }

    @Test
    void aFileThatIsNotThereHasNoHolder() {
        assertEquals(List.of(), OfdLockHolders.of(dir.resolve("missing")));
    }

    @Test
    void anotherInodesLockOnAnotherFileIsNotTakenForThisOnes() throws Exception {
        Path locked = dir.resolve("locked");
        Path other = dir.resolve("other");
        Files.createFile(other);
        try (OfdLockFile held = OfdLockFile.await(locked, 5)) {
            assertEquals(List.of(), OfdLockHolders.of(other));
        }
    }
}
