package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.MountTable;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A TMPDIR asked for a file system of its own ({@link RunContext#keyFilesOnAFileSystemOfTheirOwn}: each own-namespace
 * lane's) gets an ext4 of the run's on a loop device, as does its XDG_RUNTIME_DIR, and no other TMPDIR does; there a
 * key file made right after one was unlinked takes its inode, as in one schedule's TMPDIR on ext4; the file system goes
 * with the run, at its end and when the next run reaps it dead, loop device and image included.
 */
class KeyFileSystemTest {
    private Path state;
    private RunContext run;

    @BeforeEach
    void privateState() {
        Assumptions.assumeTrue(PrivateDirectory.myUid() == 0, "mount -o loop needs root");
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/loop-control")), "no loop devices here (/dev/loop-control)");
        state = PrivateState.use();
        run = RunContext.create();
    }

    @AfterEach
    void cleanUp() {
        if (run != null) {
            run.close();
        }
        if (state != null) {
            PrivateState.remove(state);
        }
    }

    private static Object device(Path p) throws Exception {
        return Files.getAttribute(p, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    }

    private static Object inode(Path p) throws Exception {
        return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void theNamedTmpdirAndItsRuntimeDirGetAnExt4OfTheirOwnThatGoesWithTheRun() throws Exception {
        assertNull(run.keyFilesOnAFileSystemOfTheirOwn("lane-0"));
        assertNull(run.keyFilesOnAFileSystemOfTheirOwn("lane-1"));
        Path tmp = run.workerTmp("lane-0");
        Path xdg = run.workerRuntimeDir("lane-0", null);
        Path other = run.workerTmp("lane-1");
        List<Path> own = List.of(tmp, xdg, other);
        List<String> loops = new java.util.ArrayList<>();
        for (Path dir : own) {
            Optional<MountTable.Mount> m = MountTable.on(dir);
            assertEquals("ext4", m.map(MountTable.Mount::type).orElse("none"), dir.toString());
            assertEquals(Optional.of(KeyFileSystem.imageOf(dir, run.runDir())), MountTable.loopBackingFile(m.get().source()),
                    "its loop device reads the run's image");
            loops.add(m.get().source());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)));
            assertEquals(PrivateDirectory.myUid(), PrivateDirectory.uidOf(dir));
            try (var entries = Files.list(dir)) {
                assertEquals(0, entries.count(), dir + " is not empty, as a fresh TMPDIR is");
            }
        }
        assertNotEquals(device(tmp), device(other), "each lane's on a file system of its own");
        assertNotEquals(device(tmp), device(run.workerTmp()), "the shared TMPDIR stays where the state is");
        assertTrue(MountTable.on(run.workerTmp("another")).isEmpty(), "so does another named one");
        // What a lane needs of it: a key file made right after one was unlinked takes its inode (ftok's key), as alone.
        Path first = Files.createFile(tmp.resolve("a"));
        Object freed = inode(first);
        Files.delete(first);
        assertEquals(freed, inode(Files.createFile(tmp.resolve("b"))), "the freed inode is the next file's");
        run.close();
        for (Path dir : own) {
            assertTrue(MountTable.on(dir).isEmpty(), dir + " is still mounted after the run");
            assertFalse(Files.exists(dir, LinkOption.NOFOLLOW_LINKS), dir + " outlived the run");
            assertFalse(Files.exists(KeyFileSystem.imageOf(dir, run.runDir()), LinkOption.NOFOLLOW_LINKS), "its image outlived the run");
        }
        for (String loop : loops) {
            assertTrue(MountTable.loopBackingFile(loop).isEmpty(), loop + " is still attached after the run");
        }
        run = null;
    }

    /** The run's harness SIGKILLed: the next run's reaper ({@link Reaper#reapRun}) takes its file system down and says so. */
    @Test
    void aDeadRunsFileSystemIsTakenDownByTheReaper() {
        assertNull(run.keyFilesOnAFileSystemOfTheirOwn("lane-0"));
        Path tmp = run.workerTmp("lane-0");
        String loop = MountTable.on(tmp).orElseThrow().source();
        List<String> lines = Reaper.reapRun(run.runId(), run.runDir());
        assertTrue(MountTable.on(tmp).isEmpty(), "a dead run's file system is still mounted: " + lines);
        assertFalse(Files.exists(tmp, LinkOption.NOFOLLOW_LINKS), "its TMPDIR is still there");
        assertTrue(MountTable.loopBackingFile(loop).isEmpty(), loop + " is still attached");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("ext4 " + loop + " (") && l.endsWith(" on " + tmp)), lines.toString());
    }

    @Test
    void aNameAlreadyInUseIsNotMountedOver() {
        Path tmp = run.workerTmp("lane-0");
        assertTrue(run.keyFilesOnAFileSystemOfTheirOwn("lane-0").contains("in use already"));
        assertTrue(MountTable.on(tmp).isEmpty());
    }

    /** A mount on the run's directory that is not the run's own file system is never taken down. */
    @Test
    void anotherFileSystemOnTheDirectoryIsLeftMounted() throws Exception {
        Path tmp = run.workerTmp("foreign");
        Process p = new ProcessBuilder(org.shmconform.engine.launch.SystemTools.path("mount"), "-t", "tmpfs", "-o", "size=64k", "shmconform-test", tmp.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        try {
            assertEquals(List.of(), KeyFileSystem.takeDown(List.of(tmp), run.runDir()));
            assertEquals("tmpfs", MountTable.on(tmp).orElseThrow().type(), "another's mount was taken down");
        } finally {
            MountTable.detach(tmp);
        }
    }
}
