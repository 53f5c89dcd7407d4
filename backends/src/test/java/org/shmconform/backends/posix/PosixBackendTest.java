package org.shmconform.backends.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.SharedSegmentContract;

/** The POSIX backend against the contract, plus its attach count and its lock's lack of undo. */
class PosixBackendTest extends SharedSegmentContract {
    @TempDir
    static Path tmp;

    private final PosixBackend backend = new PosixBackend();

    @Override
    protected SharedMemoryBackend backend() {
        return backend;
    }

    @Override
    protected Path tempDir() {
        return tmp;
    }

    @Override
    protected boolean segmentExists(String key) {
        return Files.exists(devShm(backend.open(key).nativeKey()));
    }

    private static Path devShm(String posixName) {
        return PosixBackend.DEV_SHM.resolve(posixName.substring(1));
    }

    @Override
    protected void assertNothingLeft() {
        try (Stream<Path> entries = Files.list(PosixBackend.DEV_SHM)) {
            List<String> left = entries.map(p -> p.getFileName().toString()).filter(n -> n.contains(prefix)).toList();
            assertEquals(List.of(), left, "names left in /dev/shm");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void overlongKeyError(SharedSegment segment) {
        // sem_open refuses the > NAME_MAX name first, and glibc reports every bad sem_open name as
        // EINVAL, which Qt 6.4's semaphore table maps to UnknownError (so would ENAMETOOLONG).
        assertEquals(SegmentError.UnknownError, segment.error(), segment.errorString());
        assertTrue(segment.errorString().contains("(sem_open): EINVAL"), segment.errorString());
    }

    @Test
    void isFoundByServiceLoaderAndAvailable() {
        SharedMemoryBackend found = Backends.named("posix").orElseThrow();
        assertTrue(found.availability().available(), found.availability().reason());
    }

    @Test
    void namesAreQtsPosixNames() throws Exception {
        String key = prefix + "Nël/1234_x9";
        String sha1 = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-1").digest(key.getBytes(StandardCharsets.UTF_8)));
        SharedSegment segment = backend.open(key);
        assertEquals("/qipc_sharedmemory_" + prefix + "Nlx" + sha1, segment.nativeKey());
        assertTrue(segment.create(4097, AccessMode.ReadWrite), segment.errorString());
        assertEquals(4097, Files.size(devShm(segment.nativeKey())));
        assertTrue(Files.exists(PosixBackend.DEV_SHM.resolve("sem.qipc_systemsem_" + prefix + "Nlx" + sha1)));
        segment.close();
        assertNothingLeft();
    }

    @Test
    void readOnlyAttacherCanBeTheLastDetacher() {
        SharedSegment creator = open("rolast");
        SharedSegment reader = open("rolast");
        assertTrue(creator.create(16, AccessMode.ReadWrite), creator.errorString());
        assertTrue(reader.attach(AccessMode.ReadOnly), reader.errorString());
        assertTrue(creator.detach());
        assertTrue(segmentExists(key("rolast")));
        assertTrue(reader.detach());
        assertFalse(segmentExists(key("rolast")));
        reader.close();
        creator.close();
        assertNothingLeft();
    }

    @Test
    void truncateBackingShrinksTheObject() {
        SharedSegment creator = open("trunc");
        assertTrue(creator.create(8192, AccessMode.ReadWrite), creator.errorString());
        assertTrue(creator.truncateBacking(4096), creator.errorString());
        SharedSegment late = open("trunc");
        assertTrue(late.attach(AccessMode.ReadWrite), late.errorString());
        assertEquals(4096, late.size(), "F_SEAL_SHRINK is refused on shm_open objects, so nothing stops it");
        late.close();
        creator.close();
        assertNothingLeft();
    }

    @Test
    void shrinkingTheObjectKillsAReaderWithSigbus() throws Exception {
        SharedSegment owner = open("sigbus");
        assertTrue(owner.create(8192, AccessMode.ReadWrite), owner.errorString());
        PeerProcess reader = peer("sigbus");
        assertEquals("OK", reader.send("attach ro"));
        assertEquals("OK", reader.send("size").substring(0, 2));
        assertTrue(owner.truncateBacking(0), owner.errorString());
        reader.sendNoWait("read 4096 4");
        assertNotEquals(0, reader.awaitExit(), "touching a page past the new end raises SIGBUS");
        owner.close();
        assertNothingLeft();
    }

    /**
     * Named semaphores have no undo (P20): a holder killed while locked leaves the lock taken, and
     * every later attach (which takes the lock) blocks. Only removing the name frees new users.
     */
    @Test
    void lockOfAKilledHolderStaysTakenUntilRemoved() throws Exception {
        PeerProcess holder = peer("stuck");
        assertEquals("OK", holder.send("create 16"));
        assertEquals("OK", holder.send("lock"));
        holder.kill();

        PeerProcess next = peer("stuck");
        next.sendNoWait("attach rw");
        assertBlocked(next);
        next.kill();

        List<String> removed = backend.removeLeftovers(prefix, tmp, org.shmconform.backends.testsupport.OurUser.ONLY);
        assertEquals(2, removed.size(), removed.toString()); // the segment and the stuck semaphore
        assertNothingLeft();

        SharedSegment fresh = open("stuck");
        assertTrue(fresh.create(16, AccessMode.ReadWrite), "after removal the key is usable again");
        fresh.close();
        assertNothingLeft();
    }

    /**
     * Another file hard-linked at a key's name (which anyone may do in /dev/shm where fs.protected_hardlinks is 0; here a
     * live segment of another key stands for someone else's file) is not attached: before, the attach mapped it.
     */
    @Test
    void anAttachRefusesAnObjectWithASecondName() throws Exception {
        SharedSegment other = open("theirs");
        assertTrue(other.create(4096, AccessMode.ReadWrite), other.errorString());
        assertTrue(other.write(0, "theirs".getBytes(StandardCharsets.UTF_8)));
        SharedSegment s = open("linked");
        Path name = PosixBackend.DEV_SHM.resolve(s.nativeKey().substring(1));
        Files.createLink(name, PosixBackend.DEV_SHM.resolve(other.nativeKey().substring(1)));
        try {
            assertFalse(s.attach(AccessMode.ReadWrite), "attached another object linked at the key's name");
            assertTrue(s.errorString().contains("has 2 names"), s.errorString());
            assertTrue(java.util.Arrays.equals("theirs".getBytes(StandardCharsets.UTF_8), other.read(0, 6)));
        } finally {
            Files.deleteIfExists(name);
            other.close();
            s.close();
        }
        assertNothingLeft();
    }

    /**
     * Another program's semaphore hard-linked at the name of this key's lock semaphore: an attach's locker opens the
     * existing semaphore by its name (sem_open without O_EXCL, as Qt's Open mode does), and sem_wait and sem_post would
     * then write that program's file. It is refused before anything is written, once read through the mapping.
     */
    @Test
    void aLockSemaphoreWithASecondNameIsNotUsed() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.shmconform.backends.host.HostIds.uid() == 0,
                "reads the mapping through /proc/self/map_files, which needs CAP_SYS_ADMIN");
        SharedSegment other = open("theirs");
        assertTrue(other.create(4096, AccessMode.ReadWrite), other.errorString());
        SharedSegment s = open("linkedsem");
        Path theirs = semaphoreFile(other);
        Path name = semaphoreFile(s);
        assertTrue(Files.exists(theirs), theirs + " is made with the segment");
        Files.createLink(name, theirs);
        try {
            assertFalse(s.attach(AccessMode.ReadWrite), "attached through another object's semaphore linked at the key's");
            assertTrue(s.errorString().contains("has 2 names: another file linked at the semaphore's name, not used"),
                    s.errorString());
            assertTrue(other.lock(), other.errorString());
            assertTrue(other.unlock(), other.errorString());
        } finally {
            Files.deleteIfExists(name);
            other.close();
            s.close();
        }
        assertNothingLeft();
    }

    private static Path semaphoreFile(SharedSegment segment) {
        String key = segment.nativeKey().substring("/qipc_sharedmemory_".length());
        return PosixBackend.DEV_SHM.resolve("sem.qipc_systemsem_" + key);
    }

    /**
     * /dev/shm is anyone's to write: a file another user made at a name of the run, or a link there, is not the run's,
     * and its reaper leaves it (it removed both by their names before, as root); the run's own regular files it removes.
     */
    @Test
    void anotherUsersFileOrALinkAtANameOfTheRunIsLeftByTheReaper() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.shmconform.backends.host.HostIds.uid() == 0, "needs root to make another user's file");
        Path planted = PosixBackend.DEV_SHM.resolve("qipc_sharedmemory_" + prefix + "planted");
        Path link = PosixBackend.DEV_SHM.resolve("sem.qipc_systemsem_" + prefix + "link");
        SharedSegment ours = open("ours");
        try {
            assertTrue(ours.create(16, AccessMode.ReadWrite), ours.errorString());
            Files.createFile(planted);
            Files.setAttribute(planted, "unix:uid", 65534, java.nio.file.LinkOption.NOFOLLOW_LINKS); // nobody's
            Files.createSymbolicLink(link, planted);
            List<String> removed = backend.removeLeftovers(prefix, tmp, java.util.Set.of(0));
            assertTrue(Files.exists(planted, java.nio.file.LinkOption.NOFOLLOW_LINKS), "nobody's file left: " + removed);
            assertTrue(Files.isSymbolicLink(link), "the link left: " + removed);
            assertTrue(removed.contains("posix: left " + planted + ": a regular file owned by uid 65534, who runs no worker of the run"),
                    removed.toString());
            assertTrue(removed.contains("posix: left " + link + ": a symbolic link owned by uid 0"), removed.toString());
            assertEquals(2, removed.stream().filter(r -> r.startsWith("shm /") || r.startsWith("sem /")).count(),
                    "the run's own segment and semaphore removed: " + removed);
            List<String> again = backend.removeLeftovers(prefix, tmp, java.util.Set.of(0, 65534));
            assertTrue(again.contains("shm /" + planted.getFileName()), "nobody's, once nobody runs a worker of the run: " + again);
        } finally {
            ours.close();
            Files.deleteIfExists(link);
            Files.deleteIfExists(planted);
        }
        assertNothingLeft();
    }
}
