package org.shmconform.backends.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * The QSharedMemory properties every Qt-named kernel backend (sysv, posix) must show, in one
 * process where that suffices and with a real second JVM ({@link PeerProcess}) where the property
 * is about processes. Each test uses keys of its own letters-only prefix, and {@link #cleanUp}
 * kills the peers and removes every object named by that prefix even when the test failed (a backend whose objects
 * are keyed through a file, as System V's are, removes only the files: its test removes the objects it made itself).
 */
public abstract class SharedSegmentContract {
    protected static final long BLOCKED_MS = 500;
    protected String prefix;
    private final List<PeerProcess> peers = new ArrayList<>();

    /** The pids of the peers this test started, killed or not: what they made is the test's. */
    protected List<Long> peerPids() {
        return peers.stream().map(PeerProcess::pid).toList();
    }

    /** The backend under test, configured so its objects are found by peers started with {@link #tempDir()}. */
    protected abstract SharedMemoryBackend backend();

    /** TMPDIR of this test class: for the in-process backend and for every peer. */
    protected abstract Path tempDir();

    /** Whether the kernel still has the segment of {@code key} (not through the backend's own API). */
    protected abstract boolean segmentExists(String key);

    /** Asserts that no kernel object or file of this test's prefix is left. */
    protected abstract void assertNothingLeft();

    @BeforeEach
    void newPrefix() {
        StringBuilder letters = new StringBuilder("shmcftest");
        for (int i = 0; i < 8; i++) {
            letters.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        prefix = letters.toString();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (PeerProcess peer : peers) {
            peer.kill();
        }
        List<String> removed = backend().removeLeftovers(prefix, tempDir(), OurUser.ONLY);
        if (!removed.isEmpty()) {
            System.err.println("[" + getClass().getSimpleName() + "] removed leftovers: " + removed);
        }
    }

    protected String key(String name) {
        return prefix + name;
    }

    protected SharedSegment open(String name) {
        return backend().open(key(name));
    }

    protected PeerProcess peer(String name) throws Exception {
        PeerProcess peer = PeerProcess.start(backend().name(), tempDir());
        peers.add(peer);
        assertEquals("OK", peer.send("open " + key(name)));
        return peer;
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Asserts that the peer's pending reply does not come within {@link #BLOCKED_MS}. */
    protected static void assertBlocked(PeerProcess peer) {
        assertThrows(TimeoutException.class, () -> peer.awaitReply(BLOCKED_MS, TimeUnit.MILLISECONDS),
                "the peer should still be blocked");
    }

    @Test
    void createAttachDetachRoundTrip() {
        SharedSegment creator = open("rt");
        SharedSegment attacher = open("rt");
        assertTrue(creator.create(64, AccessMode.ReadWrite), creator.errorString());
        assertEquals(SegmentError.NoError, creator.error());
        assertEquals("", creator.errorString());
        assertTrue(creator.write(0, bytes("hello")));
        assertTrue(attacher.attach(AccessMode.ReadWrite), attacher.errorString());
        assertArrayEquals(bytes("hello"), attacher.read(0, 5));

        assertTrue(creator.detach());
        assertFalse(creator.isAttached());
        assertEquals(0, creator.size());
        assertFalse(creator.detach(), "detach when not attached is a no-op false");
        assertTrue(segmentExists(key("rt")), "the attacher still holds it");

        assertTrue(attacher.detach());
        assertFalse(segmentExists(key("rt")), "the last detach destroys");
        assertFalse(attacher.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.NotFound, attacher.error());
        creator.close();
        attacher.close();
        assertNothingLeft();
    }

    @Test
    void secondCreateGivesAlreadyExists() {
        SharedSegment first = open("dup");
        SharedSegment second = open("dup");
        assertTrue(first.create(16, AccessMode.ReadWrite), first.errorString());
        assertFalse(second.create(16, AccessMode.ReadWrite));
        assertEquals(SegmentError.AlreadyExists, second.error(), second.errorString());
        assertFalse(second.isAttached());
        second.close();
        first.close();
        assertNothingLeft();
    }

    @Test
    void attachToMissingGivesNotFound() {
        SharedSegment segment = open("missing");
        assertFalse(segment.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.NotFound, segment.error(), segment.errorString());
        assertFalse(segment.detach());
        segment.close();
        assertNothingLeft();
    }

    @Test
    void nonPositiveSizeGivesInvalidSize() {
        SharedSegment segment = open("size");
        for (long size : new long[] {0, -5}) {
            assertFalse(segment.create(size, AccessMode.ReadWrite));
            assertEquals(SegmentError.InvalidSize, segment.error(), segment.errorString());
            assertFalse(segment.isAttached());
        }
        assertFalse(segmentExists(key("size")));
        segment.close();
        assertNothingLeft();
    }

    @Test
    void sizeIsExactNotPageRounded() {
        for (long size : new long[] {1, 4095, 4096, 4097}) {
            SharedSegment creator = open("exact" + size);
            SharedSegment attacher = backend().open(creator.key());
            assertTrue(creator.create(size, AccessMode.ReadWrite), creator.errorString());
            assertEquals(size, creator.size());
            assertTrue(attacher.attach(AccessMode.ReadOnly), attacher.errorString());
            assertEquals(size, attacher.size());
            assertTrue(creator.write(size - 1, new byte[] {42}), "the last byte is writable");
            assertEquals(SegmentError.InvalidSize, writeError(creator, size), "one past the end is refused");
            attacher.close();
            creator.close();
        }
        assertNothingLeft();
    }

    private static SegmentError writeError(SharedSegment segment, long offset) {
        assertFalse(segment.write(offset, new byte[] {1}));
        return segment.error();
    }

    @Test
    void readOnlyAttachRefusesWritesButSeesData() {
        SharedSegment creator = open("ro");
        SharedSegment reader = open("ro");
        assertTrue(creator.create(32, AccessMode.ReadWrite), creator.errorString());
        assertTrue(reader.attach(AccessMode.ReadOnly), reader.errorString());
        assertFalse(reader.write(0, bytes("nope")));
        assertEquals(SegmentError.PermissionDenied, reader.error());
        assertTrue(creator.write(0, bytes("data")));
        assertArrayEquals(bytes("data"), reader.read(0, 4));
        reader.close();
        creator.close();
        assertNothingLeft();
    }

    @Test
    void rawWriteOnReadOnlyMappingKillsThePeer() throws Exception {
        SharedSegment creator = open("segv");
        assertTrue(creator.create(32, AccessMode.ReadWrite), creator.errorString());
        PeerProcess reader = peer("segv");
        assertEquals("OK", reader.send("attach ro"));
        reader.sendNoWait("rawwrite 0 boom");
        int status = reader.awaitExit();
        assertNotEquals(0, status, "SIGSEGV ends the JVM with abort (134) or 139");
        assertArrayEquals(new byte[4], creator.read(0, 4), "nothing was written");
        assertTrue(creator.detach(), "the dead reader no longer counts as attached");
        assertFalse(segmentExists(key("segv")));
        creator.close();
        assertNothingLeft();
    }

    @Test
    void dataWrittenByOneProcessIsReadByTheOther() throws Exception {
        PeerProcess peer = peer("data");
        assertEquals("OK", peer.send("create 64"));
        assertEquals("OK", peer.send("write 0 from-peer"));
        SharedSegment segment = open("data");
        assertTrue(segment.attach(AccessMode.ReadWrite), segment.errorString());
        assertEquals(64, segment.size());
        assertArrayEquals(bytes("from-peer"), segment.read(0, 9));
        assertTrue(segment.write(20, bytes("from-test")));
        assertEquals("OK from-test", peer.send("read 20 9"));
        assertEquals("OK", peer.send("close"));
        segment.close();
        assertFalse(segmentExists(key("data")));
        assertNothingLeft();
    }

    @Test
    void lockExcludesAcrossProcesses() throws Exception {
        SharedSegment segment = open("lock");
        assertTrue(segment.create(16, AccessMode.ReadWrite), segment.errorString());
        PeerProcess peer = peer("lock");
        assertEquals("OK", peer.send("attach rw"));

        assertTrue(segment.lock());
        peer.sendNoWait("lock");
        assertBlocked(peer);
        assertTrue(segment.unlock());
        assertEquals("OK", peer.awaitReply(PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS));

        // and the other way round: the peer's lock blocks us (asserted through a thread)
        Thread locker = new Thread(segment::lock);
        locker.start();
        locker.join(BLOCKED_MS);
        assertTrue(locker.isAlive(), "our lock() must wait while the peer holds the lock");
        assertEquals("OK", peer.send("unlock"));
        locker.join(PeerProcess.REPLY_TIMEOUT_SECONDS * 1000);
        assertFalse(locker.isAlive());
        assertTrue(segment.unlock());

        assertEquals("OK", peer.send("close"));
        segment.close();
        assertNothingLeft();
    }

    @Test
    void lockApiFollowsQt() {
        SharedSegment segment = open("lockapi");
        SharedSegment other = open("lockapi");
        assertFalse(segment.lock(), "no semaphore before create/attach");
        assertEquals(SegmentError.LockError, segment.error());
        assertTrue(segment.create(16, AccessMode.ReadWrite), segment.errorString());
        assertTrue(other.attach(AccessMode.ReadWrite), other.errorString());

        assertTrue(segment.lock());
        assertTrue(segment.lock(), "a second lock() returns true without acquiring again");
        assertTrue(segment.unlock());
        assertFalse(segment.unlock(), "not locked any more");
        assertEquals(SegmentError.NoError, segment.error(), "a no-op unlock sets no error");
        assertTimeoutPreemptively(Duration.ofSeconds(PeerProcess.REPLY_TIMEOUT_SECONDS), () -> assertTrue(other.lock()),
                "one unlock after two locks releases the lock");
        assertTrue(other.unlock());

        assertTrue(segment.detach());
        assertTrue(segment.lock(), "P21: the semaphore stays keyed after detach");
        assertTrue(segment.unlock());
        other.close();
        segment.close();
        assertNothingLeft();
    }

    @Test
    void lastDetachDestroysWhenTheCreatorIsLast() throws Exception {
        SharedSegment creator = open("creatorlast");
        assertTrue(creator.create(16, AccessMode.ReadWrite), creator.errorString());
        PeerProcess attacher = peer("creatorlast");
        assertEquals("OK", attacher.send("attach rw"));
        assertEquals("OK", attacher.send("detach"));
        assertTrue(segmentExists(key("creatorlast")));
        assertTrue(creator.detach());
        assertFalse(segmentExists(key("creatorlast")));
        assertEquals("OK", attacher.send("close"));
        creator.close();
        assertNothingLeft();
    }

    @Test
    void lastDetachDestroysWhenTheAttacherIsLast() throws Exception {
        PeerProcess creator = peer("attacherlast");
        assertEquals("OK", creator.send("create 16"));
        assertEquals("OK", creator.send("write 0 kept"));
        SharedSegment attacher = open("attacherlast");
        assertTrue(attacher.attach(AccessMode.ReadWrite), attacher.errorString());
        assertEquals("OK", creator.send("detach"));
        assertTrue(segmentExists(key("attacherlast")));
        assertArrayEquals(bytes("kept"), attacher.read(0, 4), "the creator's detach does not destroy it");
        assertTrue(attacher.detach());
        assertFalse(segmentExists(key("attacherlast")));
        assertEquals("OK", creator.send("close"));
        attacher.close();
        assertNothingLeft();
    }

    @Test
    void segmentSurvivesACrashAndAttachDetachRemovesIt() throws Exception {
        PeerProcess crasher = peer("crash");
        assertEquals("OK", crasher.send("create 64"));
        assertEquals("OK", crasher.send("write 0 survivor"));
        assertNotEquals(0, crasher.kill());
        assertTrue(segmentExists(key("crash")), "a crash runs no destructor");

        SharedSegment creator = open("crash");
        assertFalse(creator.create(64, AccessMode.ReadWrite));
        assertEquals(SegmentError.AlreadyExists, creator.error(), creator.errorString());
        SharedSegment survivor = open("crash");
        assertTrue(survivor.attach(AccessMode.ReadWrite), survivor.errorString());
        assertArrayEquals(bytes("survivor"), survivor.read(0, 8));
        assertTrue(survivor.detach());
        assertFalse(segmentExists(key("crash")), "attach + detach cleans up after a crash");
        survivor.close();
        creator.close();
        assertNothingLeft();
    }

    @Test
    void overlongKeyFailsWithoutLeaking() {
        SharedSegment segment = backend().open(prefix + "k".repeat(300));
        assertFalse(segment.create(16, AccessMode.ReadWrite));
        assertNotEquals(SegmentError.NoError, segment.error());
        assertFalse(segment.attach(AccessMode.ReadWrite));
        assertNotEquals(SegmentError.NoError, segment.error());
        overlongKeyError(segment);
        segment.close();
        assertNothingLeft();
    }

    /** Backend-specific check of the error an overlong key gives. */
    protected abstract void overlongKeyError(SharedSegment segment);
}
