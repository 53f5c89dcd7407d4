package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OfdLockFileTest {
    private Path dir;

    @BeforeEach
    void makeDir() throws Exception {
        dir = HostDir.create("lockfile");
    }

    @AfterEach
    void removeDir() throws Exception {
        HostDir.delete(dir);
    }

    @Test
    void aCreatedLockIsHeldAgainstEveryOtherOpenEvenInThisProcess() throws Exception {
        Path file = dir.resolve("lock");
        try (OfdLockFile held = OfdLockFile.createHeld(file)) {
            assertEquals(file, held.file());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)));
            OfdLockFile.Attempt other = OfdLockFile.tryTake(file);
            assertEquals(OfdLockFile.Outcome.HELD, other.outcome());
            assertNull(other.lock());
        }
        OfdLockFile.Attempt after = OfdLockFile.tryTake(file);
        assertEquals(OfdLockFile.Outcome.TAKEN, after.outcome(), "closing released it");
        assertNotNull(after.lock());
        try (OfdLockFile taken = after.lock()) {
            assertEquals(OfdLockFile.Outcome.HELD, OfdLockFile.tryTake(file).outcome(), "and the taker now holds it");
        }
    }

    @Test
    void theLockOfAKilledProcessIsFree() throws Exception {
        Path file = dir.resolve("lock");
        Files.createFile(file);
        // flock(1) takes a BSD lock, which does not conflict with OFD locks: a child holding an OFD lock
        // is a JVM of ours, so take it through the test class path.
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        try {
            assertEquals('L', holder.getInputStream().read(), "the child says it holds the lock");
            assertEquals(OfdLockFile.Outcome.HELD, OfdLockFile.tryTake(file).outcome(), "another process's lock is seen");
        } finally {
            holder.destroyForcibly().waitFor();
        }
        OfdLockFile.Attempt after = OfdLockFile.tryTake(file);
        assertEquals(OfdLockFile.Outcome.TAKEN, after.outcome(), "the kernel released it with the process");
        after.lock().close();
    }

    @Test
    void createHeldRefusesAnExistingFileAndALinkAndFollowsNothing() throws Exception {
        Path existing = Files.writeString(dir.resolve("existing"), "keep");
        assertThrows(IllegalStateException.class, () -> OfdLockFile.createHeld(existing));
        assertEquals("keep", Files.readString(existing));

        Path target = dir.resolve("target");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> OfdLockFile.createHeld(link));
        assertTrue(e.getMessage().contains(link.toString()) && e.getMessage().contains("errno"), e.getMessage());
        assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS), "nothing made through the link");
    }

    @Test
    void tryTakeOpensNeitherALinkNorAMissingFile() throws Exception {
        Path target = Files.createFile(dir.resolve("target"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertEquals(OfdLockFile.Outcome.NOT_OPENABLE, OfdLockFile.tryTake(link).outcome());
        assertEquals(OfdLockFile.Outcome.NOT_OPENABLE, OfdLockFile.tryTake(dir.resolve("missing")).outcome());
        assertFalse(Files.exists(dir.resolve("missing"), LinkOption.NOFOLLOW_LINKS), "not created by a probe");
    }

    /** Holds an OFD lock on args[0], says 'L', then waits to be killed. */
    static final class LockHolder {
        public static void main(String[] args) throws Exception {
            OfdLockFile.Attempt a = OfdLockFile.tryTake(Path.of(args[0]));
            if (a.outcome() != OfdLockFile.Outcome.TAKEN) {
                System.exit(3);
            }
            System.out.print('L');
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
