package org.shmconform.backends.mmapfile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.backends.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.SegmentError;
import org.shmconform.backends.SharedSegment;
import org.shmconform.backends.testsupport.TrackedResources;

/** The mmapfile backend within one process: API rules, errors, sizes and files on disk. */
class MmapFileBackendTest {
    private static Path dir;
    private MmapFileBackend backend;
    private TrackedResources made;

    @BeforeAll
    static void makeDir() throws Exception {
        dir = PrivateTmpfsDir.create();
    }

    @AfterAll
    static void removeDir() throws Exception {
        PrivateTmpfsDir.delete(dir);
    }

    @BeforeEach
    void setUp() {
        backend = new MmapFileBackend(dir);
        made = new TrackedResources();
    }

    @AfterEach
    void tearDown() throws Exception {
        made.close();
        backend.removeLeftovers(made.keyPrefix(), dir);
        assertEquals(List.of(), PrivateTmpfsDir.names(dir), "files left behind");
    }

    private SharedSegment segment(String key) {
        return made.track(backend.open(key));
    }

    @Test
    void isRegisteredAndAvailableOnTmpfsOnly() throws Exception {
        assertTrue(Backends.named("mmapfile").isPresent());
        assertTrue(backend.availability().available(), backend.availability().reason());
        assertFalse(new MmapFileBackend(dir.resolve("missing")).availability().available());
        Path onDisk = Path.of(System.getProperty("user.dir"));
        assumeTrue(!"tmpfs".equals(Files.getFileStore(onDisk).type()), "module directory is on tmpfs");
        String reason = new MmapFileBackend(onDisk).availability().reason();
        assertTrue(reason.contains("not tmpfs"), reason);
    }

    @Test
    void nativeKeyIsTheFileInTheDirectory() {
        String key = made.newKey();
        assertEquals(dir.resolve(QtKeys.platformSafeName(key, "qipc_sharedmemory_") + ".mmap").toString(),
                segment(key).nativeKey());
    }

    @Test
    void emptyKeyIsKeyError() {
        SharedSegment s = segment("");
        assertFalse(s.create(10, AccessMode.ReadWrite));
        assertEquals(SegmentError.KeyError, s.error());
        assertFalse(s.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.KeyError, s.error());
    }

    @Test
    void createAttachDetachRoundTrip() {
        String key = made.newKey();
        SharedSegment creator = segment(key);
        SharedSegment attacher = segment(key);
        Path file = Path.of(creator.nativeKey());

        assertTrue(creator.create(1024, AccessMode.ReadWrite), creator.errorString());
        assertTrue(Files.exists(file));
        assertArrayEquals(new byte[16], creator.read(0, 16), "new memory is zero-filled");
        assertTrue(creator.write(10, "hello".getBytes(UTF_8)));
        assertTrue(attacher.attach(AccessMode.ReadWrite), attacher.errorString());
        assertEquals(1024, attacher.size());
        assertEquals("hello", new String(attacher.read(10, 5), UTF_8));

        assertTrue(creator.detach());
        assertEquals(0, creator.size());
        assertTrue(Files.exists(file), "the attacher still holds it");
        assertTrue(attacher.detach());
        assertFalse(Files.exists(file), "the last detach unlinks");
        assertFalse(attacher.detach(), "detach when not attached");

        assertFalse(attacher.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.NotFound, attacher.error());
        assertTrue(creator.create(16, AccessMode.ReadWrite), "the key is free again");
    }

    @Test
    void createOfAnExistingSegmentIsAlreadyExistsAndKeepsTheAttachment() {
        String key = made.newKey();
        SharedSegment first = segment(key);
        assertTrue(first.create(100, AccessMode.ReadWrite));
        SharedSegment second = segment(key);
        assertFalse(second.create(100, AccessMode.ReadWrite));
        assertEquals(SegmentError.AlreadyExists, second.error());
        assertFalse(second.isAttached());
        assertFalse(first.create(100, AccessMode.ReadWrite));
        assertEquals(SegmentError.AlreadyExists, first.error());
        assertTrue(first.isAttached());
        assertEquals(100, first.size());
    }

    @Test
    void attachOfAMissingSegmentIsNotFound() {
        SharedSegment s = segment(made.newKey());
        assertFalse(s.attach(AccessMode.ReadOnly));
        assertEquals(SegmentError.NotFound, s.error());
        assertTrue(s.errorString().contains("ENOENT"), s.errorString());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositiveSizeIsInvalidSize(long size) throws Exception {
        SharedSegment s = segment(made.newKey());
        assertFalse(s.create(size, AccessMode.ReadWrite));
        assertEquals(SegmentError.InvalidSize, s.error());
        assertEquals(List.of(), PrivateTmpfsDir.names(dir));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4095, 4096, 4097})
    void sizeIsExactlyTheRequestedSize(long size) throws Exception {
        String key = made.newKey();
        SharedSegment creator = segment(key);
        assertTrue(creator.create(size, AccessMode.ReadWrite));
        assertEquals(size, creator.size());
        assertEquals(size, Files.size(Path.of(creator.nativeKey())));
        SharedSegment attacher = segment(key);
        assertTrue(attacher.attach(AccessMode.ReadOnly));
        assertEquals(size, attacher.size());
        assertEquals(SegmentError.InvalidSize, readPastEnd(attacher, size));
    }

    private static SegmentError readPastEnd(SharedSegment s, long size) {
        s.read(size, 1);
        return s.error();
    }

    @Test
    void readOnlyAttachRefusesWrites() {
        String key = made.newKey();
        SharedSegment creator = segment(key);
        assertTrue(creator.create(64, AccessMode.ReadWrite));
        assertTrue(creator.write(0, "data".getBytes(UTF_8)));
        SharedSegment reader = segment(key);
        assertTrue(reader.attach(AccessMode.ReadOnly));
        assertFalse(reader.write(0, "nope".getBytes(UTF_8)));
        assertEquals(SegmentError.PermissionDenied, reader.error());
        assertEquals("data", new String(reader.read(0, 4), UTF_8));
        assertTrue(reader.lock(), "a read-only attach can still lock");
        assertTrue(reader.unlock());
    }

    @Test
    void lockFollowsQtsApiRules() {
        SharedSegment s = segment(made.newKey());
        assertFalse(s.lock(), "no descriptor before create/attach");
        assertEquals(SegmentError.LockError, s.error());
        assertTrue(s.create(8, AccessMode.ReadWrite));
        assertTrue(s.lock());
        assertTrue(s.lock(), "second lock on one object: true without acquiring again");
        assertTrue(s.unlock());
        assertFalse(s.create(8, AccessMode.ReadWrite)); // leaves AlreadyExists behind
        assertFalse(s.unlock(), "unlock when not locked");
        assertEquals(SegmentError.AlreadyExists, s.error(), "unlock when not locked keeps the error");
        assertTrue(s.detach());
        assertFalse(s.lock());
        assertEquals(SegmentError.LockError, s.error());
    }

    @Test
    void lockExcludesASecondObjectInTheSameProcess() throws Exception {
        String key = made.newKey();
        SharedSegment holder = segment(key);
        SharedSegment waiter = segment(key);
        assertTrue(holder.create(8, AccessMode.ReadWrite));
        assertTrue(waiter.attach(AccessMode.ReadWrite));
        assertTrue(holder.lock());
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(waiter::lock);
        assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
        assertTrue(holder.unlock());
        assertTrue(waiting.get(5, TimeUnit.SECONDS));
        assertTrue(waiter.unlock());
    }

    @Test
    void keyLongerThanNameMaxIsKeyErrorAndLeavesNothing() throws Exception {
        SharedSegment s = segment("k".repeat(300));
        assertFalse(s.create(16, AccessMode.ReadWrite));
        assertNotEquals(SegmentError.NoError, s.error());
        assertEquals(SegmentError.KeyError, s.error());
        assertTrue(s.errorString().contains("ENAMETOOLONG"), s.errorString());
        assertFalse(s.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.KeyError, s.error());
        assertEquals(List.of(), PrivateTmpfsDir.names(dir));
    }

    @Test
    void aFullTmpfsFailsAtCreateWithOutOfResources() throws Exception {
        long total = Files.getFileStore(dir).getTotalSpace();
        assumeTrue(total > 0, "tmpfs without a size limit");
        SharedSegment s = segment(made.newKey());
        assertFalse(s.create(2 * total, AccessMode.ReadWrite));
        assertEquals(SegmentError.OutOfResources, s.error());
        assertTrue(s.errorString().contains("ENOSPC"), s.errorString());
        assertEquals(List.of(), PrivateTmpfsDir.names(dir), "nothing named is left by a failed create");
    }

    @Test
    void removeLeftoversDeletesOnlyThisPrefixesFiles() throws Exception {
        SharedSegment s = segment(made.newKey());
        assertTrue(s.create(16, AccessMode.ReadWrite));
        Path foreign = Files.createFile(dir.resolve("qipc_sharedmemory_someoneelse.mmap"));
        try {
            List<String> removed = backend.removeLeftovers(made.keyPrefix(), dir);
            assertEquals(1, removed.size(), removed.toString());
            assertTrue(removed.get(0).contains(s.nativeKey()), removed.toString());
            assertTrue(Files.exists(foreign));
        } finally {
            Files.delete(foreign);
        }
        assertEquals(List.of(), backend.removeLeftovers(made.keyPrefix(), dir));
    }
}
