package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.OfdLockFile;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that holds a file lock is not clean, whichever file it locked: the check reads the lock from the
 * descriptor's fdinfo, so even a lock on a file of the worker's code (a descriptor the check otherwise lets stay
 * open) is seen. The process here is this test's JVM, which takes a real POSIX lock (FileChannel.lock is fcntl).
 */
class WorkerCleanCheckLocksTest {
    @TempDir
    Path dir;

    @Test
    void aHeldLockIsSeenOnItsDescriptorAndAnUnlockedOneIsNot() throws Exception {
        Path file = Files.writeString(dir.resolve("code.jar"), "x");
        long pid = ProcessHandle.current().pid();
        WorkerCleanCheck.Baseline self = new WorkerCleanCheck.Baseline(pid, Map.of(), dir.toString(), "run",
                Set.of(file.toString()), List.of());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertFalse(lockLines(self).stream().anyMatch(l -> l.contains(file.toString())), "open, not locked");
            try (FileLock lock = ch.lock()) {
                List<String> held = lockLines(self);
                assertTrue(held.stream().anyMatch(l -> l.contains("(" + file + "): ") && l.contains("POSIX")), held.toString());
            }
            assertFalse(lockLines(self).stream().anyMatch(l -> l.contains(file.toString())), "released");
        }
    }

    /** An OFD lock shows pid -1 in /proc/locks, so a check by pid there never saw it; its descriptor's fdinfo does. */
    @Test
    void anOpenFileDescriptionLockIsSeenToo() {
        Path file = dir.resolve("ofd.lock");
        WorkerCleanCheck.Baseline self = new WorkerCleanCheck.Baseline(ProcessHandle.current().pid(), Map.of(), dir.toString(),
                "run", Set.of(file.toString()), List.of());
        try (OfdLockFile held = OfdLockFile.createHeld(file)) {
            List<String> lines = lockLines(self);
            assertTrue(lines.stream().anyMatch(l -> l.contains("(" + file + "): ") && l.contains("OFDLCK")), lines.toString());
        }
        assertFalse(lockLines(self).stream().anyMatch(l -> l.contains(file.toString())), "released");
    }

    private static List<String> lockLines(WorkerCleanCheck.Baseline b) {
        return WorkerCleanCheck.failures(b, Path.of("/nonexistent-share-root")).stream()
                .filter(l -> l.startsWith("holds a lock on descriptor ")).toList();
    }
}
