package org.shmconform.backends.sysv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.SharedSegmentContract;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.backends.testsupport.SystemVKeyFileTurn;

/** The System V backend against the contract, plus what only Qt's SysV build does. */
@ExtendWith(SystemVKeyFileTurn.class)
class SysVBackendTest extends SharedSegmentContract {
    @TempDir
    static Path tmp;

    @Override
    protected SharedMemoryBackend backend() {
        return new SysVBackend(tmp);
    }

    @Override
    protected Path tempDir() {
        return tmp;
    }

    /** Each test makes its key files only while it holds the runs' turn (SystemVKeyFileTurn says why). */
    @Test
    void aTestMakesItsKeyFilesOnlyWhileItHoldsTheRunsTurn() {
        Path turn = SystemVKeyFileTurn.file().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(turn != null, "no default state directory (not root, no XDG_RUNTIME_DIR)");
        OfdLockFile.Attempt another = OfdLockFile.tryTake(turn);
        if (another.lock() != null) {
            another.lock().close();
        }
        assertEquals(OfdLockFile.Outcome.HELD, another.outcome(), "a run's schedule could take the turn during this test");
    }

    /** ftok keys seen while their key files existed, so a gone file does not hide a leaked segment. */
    private final Map<String, Integer> ipcKeys = new HashMap<>();

    /** Asks the kernel directly: is there a segment for ftok(key file, 'Q')? The key file must exist with it. */
    @Override
    protected boolean segmentExists(String key) {
        Path keyFile = Path.of(backend().open(key).nativeKey());
        if (Files.exists(keyFile)) {
            ipcKeys.put(key, LibC.INSTANCE.ftok(keyFile.toString(), 'Q'));
        }
        Integer ipcKey = ipcKeys.get(key);
        boolean segment = ipcKey != null && LibC.INSTANCE.shmget(ipcKey, 0, 0) != -1;
        assertEquals(segment, Files.exists(keyFile), "segment and key file live and die together");
        return segment;
    }

    @Override
    protected void assertNothingLeft() {
        try (Stream<Path> files = Files.list(tmp)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.contains(prefix)).toList();
            assertEquals(List.of(), left, "key files left in TMPDIR");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected void overlongKeyError(SharedSegment segment) {
        assertEquals(SegmentError.KeyError, segment.error(), "P5: the key file name is over NAME_MAX");
        assertTrue(segment.errorString().contains("ENAMETOOLONG"), segment.errorString());
    }

    @Test
    void isFoundByServiceLoaderAndAvailable() {
        SharedMemoryBackend found = Backends.named("sysv").orElseThrow();
        assertTrue(found.availability().available(), found.availability().reason());
    }

    @Test
    void nativeKeyIsQtsKeyFile() throws Exception {
        String key = prefix + "Nël/1234_x9";
        String sha1 = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-1").digest(key.getBytes(StandardCharsets.UTF_8)));
        SharedSegment segment = backend().open(key);
        assertEquals(tmp + "/qipc_sharedmemory_" + prefix + "Nlx" + sha1, segment.nativeKey());

        assertTrue(segment.create(10, AccessMode.ReadWrite), segment.errorString());
        Path keyFile = Path.of(segment.nativeKey());
        assertTrue(Files.exists(keyFile));
        assertTrue(Files.exists(tmp.resolve("qipc_systemsem_" + prefix + "Nlx" + sha1)), "the lock's key file");
        int ipcKey = LibC.INSTANCE.ftok(keyFile.toString(), 'Q');
        assertEquals(0x51, ipcKey >>> 24, "proj id 'Q'");
        int id = LibC.INSTANCE.shmget(ipcKey, 0, 0);
        assertNotEquals(-1, id, "the segment is keyed by ftok(key file, 'Q')");
        assertEquals(10, SysVCalls.shmStat(id).getLong(LibC.SHMID_DS_SEGSZ));
        segment.close();
        assertFalse(Files.exists(keyFile));
        assertNothingLeft();
    }

    @Test
    void attachWithoutKeyFileSaysSo() {
        SharedSegment segment = open("nofile");
        assertFalse(segment.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.NotFound, segment.error());
        assertTrue(segment.errorString().contains("UNIX key file doesn't exist"), segment.errorString());
        segment.close();
    }

    @Test
    void lastDetachRemovesSegmentAndKeyFileFromTheKernel() {
        SharedSegment segment = open("gone");
        assertTrue(segment.create(128, AccessMode.ReadWrite), segment.errorString());
        Path keyFile = Path.of(segment.nativeKey());
        int ipcKey = LibC.INSTANCE.ftok(keyFile.toString(), 'Q');
        assertTrue(segment.detach());
        assertEquals(-1, LibC.INSTANCE.shmget(ipcKey, 0, 0));
        assertEquals(Errno.ENOENT, LibC.errno());
        assertFalse(Files.exists(keyFile));
        segment.close();
        assertNothingLeft();
    }

    @Test
    void lockIsReleasedWhenItsHolderIsKilled() throws Exception {
        SharedSegment segment = open("undo");
        assertTrue(segment.create(16, AccessMode.ReadWrite), segment.errorString());
        PeerProcess holder = peer("undo");
        assertEquals("OK", holder.send("attach rw"));
        assertEquals("OK", holder.send("lock"));
        holder.kill();
        assertTimeoutPreemptively(Duration.ofSeconds(PeerProcess.REPLY_TIMEOUT_SECONDS), () -> assertTrue(segment.lock()), "SEM_UNDO");
        assertTrue(segment.unlock());
        assertTrue(segment.detach(), "the killed holder's attachment is gone too");
        segment.close();
        assertNothingLeft();
    }

    @Test
    void truncateBackingIsRefused() {
        SharedSegment segment = open("trunc");
        assertTrue(segment.create(16, AccessMode.ReadWrite), segment.errorString());
        assertFalse(segment.truncateBacking(0));
        assertEquals(SegmentError.UnknownError, segment.error());
        segment.close();
    }

    /**
     * What a crash left: the key files go, and the segment and the set at their ftok values stay, for nothing the backend
     * sees tells them from another program's objects at the same key (see the SPI's contract): the harness removes them
     * when a worker of its run proved them its own. Here the test knows they are its peer's, and removes them itself.
     */
    @Test
    void removeLeftoversRemovesTheKeyFilesACrashLeftAndLeavesItsObjects() throws Exception {
        PeerProcess crasher = peer("reap");
        assertEquals("OK", crasher.send("create 16"));
        int segmentKey = LibC.INSTANCE.ftok(QtKeys.systemVKeyFile(tmp, key("reap"), QtKeys.SHARED_MEMORY_PREFIX).toString(), 'Q');
        ipcKeys.put(key("reap"), segmentKey); // for removeWhatThisTestMade, once the key files are gone
        ipcKeys.put(key("reap") + " lock", LibC.INSTANCE.ftok(QtKeys.systemVKeyFile(tmp, key("reap"), QtKeys.SYSTEM_SEMAPHORE_PREFIX).toString(), 'Q'));
        crasher.kill();
        List<String> removed = backend().removeLeftovers(prefix, tmp, org.shmconform.backends.testsupport.OurUser.ONLY);
        assertEquals(2, removed.size(), removed.toString()); // the segment's key file and its lock's
        assertTrue(removed.stream().allMatch(r -> r.startsWith("key file ")), removed.toString());
        assertTrue(SysVObjects.segments().stream().anyMatch(s -> s.key() == segmentKey && s.cpid() == crasher.pid()),
                "the crasher's segment is left to the harness's proof");
        assertNothingLeft();
    }

    /**
     * Another program (here the test, no peer of it) whose key files share the low byte of the device and the low 16 bits
     * of the inode with a run's makes its segment and its set (semget, then SETVAL, as QSystemSemaphore does) at their
     * ftok values, after the run's files, as the same user: everything the old rule asked of an object of the run (that
     * key, the file's owner, made no earlier than the file). Both stay; the key files go. Both were removed before the
     * backend stopped removing by ftok value (checked).
     */
    @Test
    void anotherProgramsSegmentAndSetAtTheKeyOfAKeyFileAreLeft() throws Exception {
        LibC c = LibC.INSTANCE;
        Path segmentsFile = Files.createFile(QtKeys.systemVKeyFile(tmp, key("other"), QtKeys.SHARED_MEMORY_PREFIX));
        Path setsFile = Files.createFile(QtKeys.systemVKeyFile(tmp, key("other"), QtKeys.SYSTEM_SEMAPHORE_PREFIX));
        int segment = c.shmget(c.ftok(segmentsFile.toString(), 'Q'), 64, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        int set = c.semget(c.ftok(setsFile.toString(), 'Q'), 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        try {
            assertTrue(segment >= 0 && set >= 0, "shmget/semget errno " + LibC.errno());
            assertEquals(0, c.semctl(set, 0, LibC.SETVAL, 1), "SETVAL errno " + LibC.errno());
            List<String> removed = backend().removeLeftovers(prefix, tmp, org.shmconform.backends.testsupport.OurUser.ONLY);
            assertTrue(c.shmctl(segment, LibC.IPC_STAT, new com.sun.jna.Memory(LibC.SHMID_DS_SIZE)) == 0,
                    "the other program's segment at the key of a key file of ours was removed: " + removed);
            assertTrue(c.semctl(set, 0, LibC.GETVAL) >= 0, "the other program's set at the key of a key file of ours was removed: " + removed);
            assertEquals(List.of("key file " + segmentsFile, "key file " + setsFile), removed.stream().sorted().toList());
        } finally {
            c.shmctl(segment, LibC.IPC_RMID, null);
            c.semctl(set, 0, LibC.IPC_RMID);
        }
    }

    /**
     * A key file of our prefix that is a link leads to nothing: it is unlinked, its target and the object keyed by the
     * target stay (and no object at a key file's ftok value is removed at all, the one keyed by a file another user owns
     * neither).
     */
    @Test
    void removeLeftoversFollowsNoLinkAndTakesNoObjectOfAnotherCreator() throws Exception {
        LibC c = LibC.INSTANCE;
        Path victimFile = Files.createTempFile(tmp, "victim", "");
        int victim = c.shmget(c.ftok(victimFile.toString(), 'Q'), 64, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        Path chowned = tmp.resolve(QtKeys.platformSafeName(prefix + "chowned", QtKeys.SHARED_MEMORY_PREFIX));
        Files.createFile(chowned);
        int mine = c.shmget(c.ftok(chowned.toString(), 'Q'), 64, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        try {
            assertTrue(victim >= 0 && mine >= 0, "shmget errno " + LibC.errno());
            Files.createSymbolicLink(tmp.resolve(QtKeys.platformSafeName(prefix + "link", QtKeys.SHARED_MEMORY_PREFIX)), victimFile);
            Files.setOwner(chowned, chowned.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            List<String> removed = backend().removeLeftovers(prefix, tmp, org.shmconform.backends.testsupport.OurUser.ONLY);
            assertTrue(c.shmctl(victim, LibC.IPC_STAT, new com.sun.jna.Memory(LibC.SHMID_DS_SIZE)) == 0, "the link's target's segment stays: " + removed);
            assertTrue(c.shmctl(mine, LibC.IPC_STAT, new com.sun.jna.Memory(LibC.SHMID_DS_SIZE)) == 0, "another creator's segment stays: " + removed);
            assertTrue(Files.exists(victimFile), "the link's target stays");
            assertEquals(2, removed.size(), "only the two key-file names go: " + removed);
        } finally {
            c.shmctl(victim, LibC.IPC_RMID, null);
            c.shmctl(mine, LibC.IPC_RMID, null);
            Files.deleteIfExists(victimFile);
        }
    }

    /**
     * The objects this test made (in this JVM or by its peers), at the ftok values of its key files: removed before the
     * contract's clean-up unlinks those files (JUnit runs a subclass's AfterEach first), as removeLeftovers no longer does.
     */
    @org.junit.jupiter.api.AfterEach
    void removeWhatThisTestMade() {
        TestMadeObjects.remove(tmp, prefix, peerPids(), ipcKeys.values());
    }
}
