package org.shmconform.backends.mmapfile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.UsesSegmentFixture;

/**
 * What mmapfile-atomic and mmapfile-robust share, in this process and against real peer JVMs.
 * Blocking is confirmed from the kernel ({@link FutexWaiters}), never inferred from a silence. Every
 * lock and unlock of this process runs on one thread ({@link #onLockThread}): a robust mutex belongs
 * to the thread that took it, as it does in a worker.
 */
abstract class HeaderLockContract extends UsesSegmentFixture<HeaderLockFixture> {
    private final ExecutorService lockThread = Executors.newSingleThreadExecutor();

    HeaderLockContract(HeaderLockFixture fixture) {
        super(fixture);
    }

    @AfterEach
    void stopLockThread() {
        lockThread.shutdownNow();
    }

    protected <T> T onLockThread(Callable<T> call) throws Exception {
        return lockThread.submit(call).get(PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    protected <T> Future<T> startOnLockThread(Callable<T> call) {
        return lockThread.submit(call);
    }

    protected static Path fileOf(SharedSegment segment) {
        return Path.of(segment.nativeKey());
    }

    /** The first 8 bytes of the file, read through a channel of our own, not through any mapping. */
    protected static ByteBuffer headerWords(Path file) throws Exception {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer words = ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder());
            channel.read(words, 0);
            return words.flip();
        }
    }

    @Test
    void isRegisteredAndAvailable() {
        String name = fixture.backend().name();
        assertTrue(Backends.named(name).isPresent());
        assertTrue(fixture.backend().availability().available(), fixture.backend().availability().reason());
        assertFalse(fixture.backend().mechanism().isEmpty());
    }

    @Test
    void theUsersBytesFollowAHeaderPageThatCarriesTheLock() throws Exception {
        SharedSegment s = segment(newKey());
        assertTrue(s.create(100, AccessMode.ReadWrite), s.errorString());
        assertEquals(100, s.size());
        Path file = fileOf(s);
        assertEquals(HeaderLockFileSegment.PAGE + 100, Files.size(file));
        assertArrayEquals(new byte[100], s.read(0, 100), "new memory is zero-filled");
        assertTrue(s.write(0, "first".getBytes(UTF_8)));
        assertTrue(s.write(95, "last!".getBytes(UTF_8)));
        byte[] onDisk = Files.readAllBytes(file);
        assertEquals("first", new String(onDisk, HeaderLockFileSegment.PAGE, 5, UTF_8));
        assertEquals("last!", new String(onDisk, HeaderLockFileSegment.PAGE + 95, 5, UTF_8));
        assertTrue(new String(onDisk, HeaderLockFileSegment.TAG_OFFSET, 40, UTF_8).startsWith("shmconform " + fixture.backend().name()));
        assertEquals(SegmentError.InvalidSize, writeError(s, 100), "one past the user's end is refused");
    }

    private static SegmentError writeError(SharedSegment s, long offset) {
        assertFalse(s.write(offset, new byte[] {1}));
        return s.error();
    }

    @Test
    void aFileWithoutTheHeaderIsRefused() throws Exception {
        SharedSegment s = segment(newKey());
        Path file = fixture.backend().fileFor(s.key());
        Files.write(file, new byte[2 * HeaderLockFileSegment.PAGE]);
        assertFalse(s.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.UnknownError, s.error());
        assertTrue(s.errorString().contains("does not carry the header"), s.errorString());
        Files.delete(file);
    }

    @Test
    void lockFollowsQtsApiRulesOnOneThread() throws Exception {
        String key = newKey();
        SharedSegment s = segment(key);
        SharedSegment other = segment(key);
        onLockThread(() -> {
            assertFalse(s.lock(), "nothing to lock before create/attach");
            assertEquals(SegmentError.LockError, s.error());
            assertTrue(s.create(8, AccessMode.ReadWrite));
            assertTrue(other.attach(AccessMode.ReadOnly), "a read-only attach maps the header read-write");
            assertTrue(s.lock());
            assertTrue(s.lock(), "second lock on one object: true without acquiring again");
            assertFalse(((HeaderLockFileSegment) other).tryLock(), "taken");
            assertTrue(s.unlock());
            assertFalse(s.unlock(), "unlock when not locked");
            assertTrue(other.lock(), "the read-only attacher can lock");
            assertTrue(other.unlock());
            assertTrue(s.lock());
            assertTrue(s.detach(), "detach while holding the lock releases it");
            assertTrue(((HeaderLockFileSegment) other).tryLock());
            assertTrue(other.unlock());
            return null;
        });
    }

    @Test
    void truncationByAPeerKeepsTheHeaderAndTheLock() throws Exception {
        String key = newKey();
        SharedSegment s = segment(key);
        assertTrue(s.create(3 * 4096, AccessMode.ReadWrite));
        assertTrue(s.truncateBacking(0), s.errorString());
        assertEquals(HeaderLockFileSegment.PAGE, Files.size(fileOf(s)));
        onLockThread(() -> {
            assertTrue(s.lock(), "the lock word is still in the file");
            assertTrue(s.unlock());
            return null;
        });
        SharedSegment late = segment(key);
        assertFalse(late.attach(AccessMode.ReadWrite), "nothing of the user's is left to map");
    }

    @Test
    void dataIsSharedWithAPeerAndTheLastDetachRemovesTheFile() throws Exception {
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(4096, AccessMode.ReadWrite));
        assertTrue(mine.write(0, "from test".getBytes(UTF_8)));
        PeerProcess peer = peer(key);
        assertTrue(peer.send("create 4096").startsWith("FAIL AlreadyExists"));
        assertEquals("OK", peer.send("attach rw"));
        assertEquals("OK 4096", peer.send("size"));
        assertEquals("OK from test", peer.send("read 0 9"));
        assertEquals("OK", peer.send("write 4090 peer!!"));
        assertEquals("peer!!", new String(mine.read(4090, 6), UTF_8));
        assertTrue(mine.detach());
        assertTrue(Files.exists(fixture.backend().fileFor(key)), "the peer is still attached");
        assertEquals("OK", peer.send("detach"));
        assertFalse(Files.exists(fixture.backend().fileFor(key)), "the last detach unlinks");
    }

    @Test
    void lockExcludesAcrossProcessesAndTheWaiterSleepsInFutex() throws Exception {
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        Path file = fileOf(mine);
        PeerProcess peer = peer(key);
        assertEquals("OK", peer.send("attach rw"));

        assertTrue(onLockThread(mine::lock));
        peer.sendNoWait("lock");
        FutexWaiters.awaitBlockedOnLockWord(peer.pid(), file);
        assertTrue(onLockThread(mine::unlock));
        assertEquals("OK", peer.awaitReply());

        Future<Boolean> waiting = startOnLockThread(mine::lock);
        FutexWaiters.awaitBlockedOnLockWord(ProcessHandle.current().pid(), file);
        assertFalse(waiting.isDone(), "asleep in the kernel while the peer holds the lock");
        assertEquals("OK", peer.send("unlock"));
        assertTrue(waiting.get(PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertTrue(onLockThread(mine::unlock));
    }

    @Test
    void concurrentCreatesFromTwoProcessesMakeExactlyOneSegment() throws Exception {
        PeerProcess first = peer(newKey());
        PeerProcess second = peer(newKey());
        for (int round = 0; round < 3; round++) {
            String key = newKey();
            assertEquals("OK", first.send("open " + key));
            assertEquals("OK", second.send("open " + key));
            first.sendNoWait("create 4096");
            second.sendNoWait("create 4096");
            List<String> replies = List.of(first.awaitReply(), second.awaitReply());
            assertEquals(1, replies.stream().filter("OK"::equals).count(), replies.toString());
            PeerProcess winner = replies.get(0).equals("OK") ? first : second;
            assertEquals("OK", winner.send("detach"));
        }
    }

    @Test
    void aCrashedCreatorsFileSurvivesUntilTheNextAttachAndDetach() throws Exception {
        String key = newKey();
        PeerProcess creator = peer(key);
        assertEquals("OK", creator.send("create 128"));
        assertEquals("OK", creator.send("write 0 before the crash"));
        assertNotEquals(0, creator.kill());
        Path file = fixture.backend().fileFor(key);
        assertTrue(Files.exists(file), "a crash runs no destructor");
        SharedSegment next = segment(key);
        assertTrue(next.attach(AccessMode.ReadWrite), next.errorString());
        assertEquals("before the crash", new String(next.read(0, 16), UTF_8));
        assertTrue(next.detach());
        assertFalse(Files.exists(file), "attach+detach cleans up after the crash");
    }

    @Test
    void removeLeftoversDeletesOnlyThisBackendsFilesOfThePrefix() throws Exception {
        SharedSegment s = segment(newKey());
        assertTrue(s.create(16, AccessMode.ReadWrite));
        String ours = fileOf(s).getFileName().toString();
        Path plainMmapfile = fixture.dir().resolve(ours.substring(0, ours.lastIndexOf('.')) + ".mmap");
        Path foreign = fixture.dir().resolve("qipc_sharedmemory_someoneelse" + fixture.backend().suffix());
        Files.createFile(plainMmapfile);
        Files.createFile(foreign);
        try {
            List<String> removed = fixture.backend().removeLeftovers(fixture.keyPrefix(), fixture.dir(), org.shmconform.backends.testsupport.OurUser.ONLY);
            assertEquals(1, removed.size(), removed.toString());
            assertTrue(removed.get(0).contains(s.nativeKey()), removed.toString());
            assertTrue(Files.exists(plainMmapfile) && Files.exists(foreign));
        } finally {
            Files.delete(plainMmapfile);
            Files.delete(foreign);
        }
    }
}
