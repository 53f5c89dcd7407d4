package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.engine.state.RunsBeingMade;
import org.shmconform.engine.state.StateDirectory;

/**
 * A harness killed while making its run's directory, before the directory's lock file was in place, left a
 * {@code .new-} directory no reaper would remove (its lock could not be opened, as one being made this very moment):
 * such leftovers are removed once no harness is making a run, and never while one is.
 */
class MakerKilledBeforeLockingTest {
    private Path state;

    @BeforeEach
    void privateState() {
        state = PrivateState.use();
    }

    @AfterEach
    void cleanUp() {
        Reaper.reapDeadRuns();
        PrivateState.remove(state);
    }

    /** What a harness killed right after its mkdir, or between making its lock file and renaming it into place, leaves. */
    private static Path[] leftBehind() throws Exception {
        Path runs = StateDirectory.runs();
        Path empty = Files.createDirectory(runs.resolve(".new-abcdefghijklmnop"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path unrenamed = Files.createDirectory(runs.resolve(".new-ponmlkjihgfedcba"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createFile(unrenamed.resolve(".lock.making"));
        return new Path[] {empty, unrenamed};
    }

    @Test
    void aMakersLeftoversAreRemovedWhenNoHarnessIsMakingARun() throws Exception {
        Path[] left = leftBehind();

        Reaper.reapDeadRuns();

        for (Path dir : left) {
            assertFalse(Files.exists(dir), dir + " should have been reaped");
        }
    }

    @Test
    void aDirectoryBeingMadeIsKeptWhileItsMakerMayStillLockIt() throws Exception {
        Path[] left = leftBehind();

        // Another open file description: it excludes the reaper's as another harness's would.
        try (OfdLockFile maker = RunsBeingMade.hold()) {
            Reaper.reapDeadRuns();
            for (Path dir : left) {
                assertTrue(Files.isDirectory(dir), dir + " was removed while a harness was making a run");
            }
        }
        Reaper.reapDeadRuns();
        for (Path dir : left) {
            assertFalse(Files.exists(dir), dir + " should have been reaped once no run was being made");
        }
    }
}
