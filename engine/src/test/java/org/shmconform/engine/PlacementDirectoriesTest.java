package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.FileSystems;
import org.shmconform.engine.state.PrivateDirectory;

/** The directories placement steps name (seeds M6, L1, L4): made private, on the filesystem asked for, removed with the run. */
class PlacementDirectoriesTest {
    private Path state;
    private RunContext run;

    @BeforeEach
    void privateState() {
        state = PrivateState.use();
        run = RunContext.create();
    }

    @AfterEach
    void cleanUp() {
        run.close();
        PrivateState.remove(state);
    }

    @Test
    void theDiskDirectoryIsPrivateNotRamBackedAndGoesWithTheRun() {
        String missing = PlacementDirectories.missing(PlacementDirectories.DISK);
        if (missing != null) {
            assertTrue(missing.contains("--state-dir"), missing); // says how to get one
            assertThrows(IllegalStateException.class, () -> run.placementDirectory(PlacementDirectories.DISK));
            return;
        }
        Path dir = run.placementDirectory(PlacementDirectories.DISK);
        assertEquals(dir, run.placementDirectory(PlacementDirectories.DISK), "one directory per run");
        long type = FileSystems.fType(dir);
        assertTrue(type >= 0 && !FileSystems.ramBacked(type), dir + " is " + FileSystems.name(type));
        PrivateDirectory.verify(dir, PrivateDirectory.myUid(), "rwx------");
        assertTrue(run.placementDirectories().contains(dir));
        assertFalse(run.workerTmps().contains(dir), "not a TMPDIR: no key file is looked for there");
        run.close();
        assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aMissingXdgRuntimeDirectorySaysHowToGetOne() {
        Path xdg = PlacementDirectories.xdgRuntimeDir();
        String missing = PlacementDirectories.missing(PlacementDirectories.XDG_RUNTIME);
        if (!Files.exists(xdg, LinkOption.NOFOLLOW_LINKS)) {
            assertTrue(missing.contains("does not exist") && missing.contains("loginctl enable-linger"), missing);
        } else if (missing == null) {
            assertTrue(FileSystems.ramBacked(FileSystems.fType(run.placementDirectory(PlacementDirectories.XDG_RUNTIME))));
        }
    }

    @Test
    void aSchedulesFilesThereAreRemovedByPrefixAndNothingElse() throws Exception {
        Path dir = Path.of("/var/tmp", PlacementDirectories.OUTSIDE_PREFIX + run.runId() + "-" + RunContext.letters(16));
        PrivateDirectory.createFresh(dir, "rwx------");
        try {
            String prefix = run.nextExecutionPrefix();
            Path ours = Files.writeString(dir.resolve("qipc_sharedmemory_" + prefix + "abc.mmap"), "x");
            Path other = Files.writeString(dir.resolve("qipc_sharedmemory_shmcfzzzzzzb.mmap"), "x");
            Path link = Files.createSymbolicLink(dir.resolve("qipc_sharedmemory_" + prefix + "link"), other);
            assertEquals(java.util.List.of("placed file " + ours), Reaper.removePlacedFiles(prefix, java.util.List.of(dir)));
            assertTrue(Files.exists(other) && Files.exists(link, LinkOption.NOFOLLOW_LINKS));
        } finally {
            PrivateDirectory.deleteTree(dir);
        }
    }

    @Test
    void fixedDirectoriesAreThemselvesAndUnknownNamesAreRefused() {
        assertEquals(Path.of("/tmp"), run.placementDirectory(PlacementDirectories.TMP));
        assertEquals(Path.of("/dev/shm"), run.placementDirectory(PlacementDirectories.DEV_SHM));
        assertNull(PlacementDirectories.missing(PlacementDirectories.TMP));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run.placementDirectory("etc"));
        assertTrue(e.getMessage().contains("no directory named etc"), e.getMessage());
    }

    @Test
    void aRunsDirectoryInVarTmpIsReapedWithTheRunAndNothingElse() throws Exception {
        Path mine = Path.of("/var/tmp", PlacementDirectories.OUTSIDE_PREFIX + run.runId() + "-" + RunContext.letters(16));
        Path otherRun = Path.of("/var/tmp", PlacementDirectories.OUTSIDE_PREFIX + "zzzzzz-" + RunContext.letters(16));
        assertTrue(Reaper.isPlacementOutside(mine, run.runId()));
        assertFalse(Reaper.isPlacementOutside(otherRun, run.runId()));
        assertFalse(Reaper.isPlacementOutside(Path.of("/tmp", mine.getFileName().toString()), run.runId()));
        assertTrue(Reaper.isPlacementOutside(Path.of("/run/user/1000", mine.getFileName().toString()), run.runId()));
        assertFalse(Reaper.isPlacementOutside(Path.of("/run/user/x", mine.getFileName().toString()), run.runId()));
        run.ledger().write("placedir " + mine);
        PrivateDirectory.createFresh(mine, "rwx------");
        Files.writeString(mine.resolve("left"), "x");
        try {
            run.close();
            assertFalse(Files.exists(mine, LinkOption.NOFOLLOW_LINKS));
        } finally {
            PrivateDirectory.deleteTree(mine);
        }
    }
}
