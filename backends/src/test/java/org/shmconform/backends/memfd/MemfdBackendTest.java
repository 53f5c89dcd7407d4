package org.shmconform.backends.memfd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.backends.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.SegmentError;
import org.shmconform.backends.SharedSegment;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.testsupport.TrackedResources;

/** The memfd backend within one process: API rules, errors, sizes, seals and what /proc shows. */
class MemfdBackendTest {
    private final MemfdBackend backend = new MemfdBackend();
    private TrackedResources made;
    private final List<String> keys = new ArrayList<>();

    @BeforeEach
    void setUp() {
        made = new TrackedResources();
    }

    @AfterEach
    void tearDown() throws Exception {
        made.close();
        assertEquals(List.of(), backend.removeLeftovers(made.keyPrefix(), Path.of("/tmp")));
        for (String key : keys) {
            assertEquals(List.of(), MemfdKernelView.references(nativeKeyOf(key)), "memfd left behind");
        }
    }

    private String newKey() {
        String key = made.newKey();
        keys.add(key);
        return key;
    }

    private static String nativeKeyOf(String key) {
        return "memfd:" + QtKeys.platformSafeName(key, "qipc_memfd_");
    }

    private SharedSegment segment(String key) {
        return made.track(backend.open(key));
    }

    @Test
    void isRegisteredAndAvailable() {
        assertTrue(Backends.named("memfd").isPresent());
        assertTrue(backend.availability().available(), backend.availability().reason());
    }

    @Test
    void nativeKeyIsTheMemfdName() {
        String key = newKey();
        assertEquals(nativeKeyOf(key), segment(key).nativeKey());
        assertEquals("", segment("").nativeKey());
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
    void createAttachDetachRoundTripAndTheKernelFreesIt() throws Exception {
        String key = newKey();
        SharedSegment creator = segment(key);
        SharedSegment attacher = segment(key);
        assertTrue(creator.create(1024, AccessMode.ReadWrite), creator.errorString());
        assertEquals(2, MemfdKernelView.references(creator.nativeKey()).size(), "one descriptor, one mapping");
        assertArrayEquals(new byte[16], creator.read(0, 16), "new memory is zero-filled");
        assertTrue(creator.write(10, "hello".getBytes(UTF_8)));
        assertTrue(attacher.attach(AccessMode.ReadWrite), attacher.errorString());
        assertEquals(1024, attacher.size());
        assertEquals("hello", new String(attacher.read(10, 5), UTF_8));

        assertTrue(creator.detach());
        assertEquals(0, creator.size());
        assertEquals("hello", new String(attacher.read(10, 5), UTF_8), "the attacher keeps it alive");
        assertTrue(attacher.detach());
        assertEquals(List.of(), MemfdKernelView.references(creator.nativeKey()));
        assertFalse(attacher.detach(), "detach when not attached");

        assertFalse(attacher.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.NotFound, attacher.error());
        assertTrue(creator.create(16, AccessMode.ReadWrite), "the key is free again");
    }

    @Test
    void createOfAnExistingSegmentIsAlreadyExistsAndKeepsTheAttachment() {
        String key = newKey();
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
        SharedSegment s = segment(newKey());
        assertFalse(s.attach(AccessMode.ReadOnly));
        assertEquals(SegmentError.NotFound, s.error());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositiveSizeIsInvalidSize(long size) {
        SharedSegment s = segment(newKey());
        assertFalse(s.create(size, AccessMode.ReadWrite));
        assertEquals(SegmentError.InvalidSize, s.error());
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4095, 4096, 4097})
    void sizeIsExactlyTheRequestedSize(long size) {
        String key = newKey();
        SharedSegment creator = segment(key);
        assertTrue(creator.create(size, AccessMode.ReadWrite));
        assertEquals(size, creator.size());
        SharedSegment attacher = segment(key);
        assertTrue(attacher.attach(AccessMode.ReadOnly));
        assertEquals(size, attacher.size());
        attacher.read(size, 1);
        assertEquals(SegmentError.InvalidSize, attacher.error());
    }

    @Test
    void readOnlyAttachRefusesWrites() {
        String key = newKey();
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
        SharedSegment s = segment(newKey());
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
        String key = newKey();
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
    void sealsRefuseShrinkingAndGrowing() throws Exception {
        SharedSegment s = segment(newKey());
        assertTrue(s.create(8192, AccessMode.ReadWrite));
        assertFalse(s.truncateBacking(4096));
        assertEquals(SegmentError.UnknownError, s.error(), "Qt maps EPERM to UnknownError");
        assertTrue(s.errorString().contains("EPERM"), s.errorString());
        assertFalse(s.truncateBacking(3 * 8192));
        assertTrue(s.errorString().contains("EPERM"), s.errorString());
        assertEquals(8192, s.size());
        assertTrue(s.write(8000, "still mapped".getBytes(UTF_8)));
    }

    @Test
    void keyLongerThanMemfdNamesAllowIsKeyError() throws Exception {
        String key = made.keyPrefix() + "k".repeat(300);
        SharedSegment s = segment(key);
        assertFalse(s.create(16, AccessMode.ReadWrite));
        assertEquals(SegmentError.KeyError, s.error());
        assertFalse(s.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.KeyError, s.error());
        assertEquals(List.of(), MemfdKernelView.references(
                "memfd:" + QtKeys.platformSafeName(key, "qipc_memfd_").substring(0, MemfdSegment.NAME_MAX)));
    }

    @Test
    void aForeignUnsealedMemfdWithTheSameNameIsNotAttached() throws Exception {
        String key = newKey();
        String name = QtKeys.platformSafeName(key, "qipc_memfd_");
        int foreign = LibC.INSTANCE.memfd_create(name, LibC.MFD_CLOEXEC);
        assertTrue(foreign >= 0);
        try {
            LibC.INSTANCE.ftruncate(foreign, 64);
            SharedSegment s = segment(key);
            assertFalse(s.attach(AccessMode.ReadWrite), "not sealed, so not one of ours");
            assertEquals(SegmentError.NotFound, s.error());
            assertFalse(s.create(64, AccessMode.ReadWrite), "but the name is taken");
            assertEquals(SegmentError.AlreadyExists, s.error());
        } finally {
            LibC.INSTANCE.close(foreign);
        }
    }

    @Test
    void twoInodesWithOneNameAttachTheFirstHolders() throws Exception {
        String key = newKey();
        String name = QtKeys.platformSafeName(key, "qipc_memfd_");
        int a = sealedMemfd(name, 16);
        int b = sealedMemfd(name, 32);
        try {
            SharedSegment s = segment(key);
            assertTrue(s.attach(AccessMode.ReadOnly), s.errorString());
            assertEquals(a < b ? 16 : 32, s.size(), "the lowest descriptor of the lowest pid wins");
        } finally {
            LibC.INSTANCE.close(a);
            LibC.INSTANCE.close(b);
        }
    }

    private static int sealedMemfd(String name, long size) {
        int fd = LibC.INSTANCE.memfd_create(name, LibC.MFD_CLOEXEC | LibC.MFD_ALLOW_SEALING);
        assertTrue(fd >= 0);
        assertEquals(0, LibC.INSTANCE.ftruncate(fd, size));
        assertEquals(0, LibC.INSTANCE.fcntl(fd, LibC.F_ADD_SEALS, MemfdSegment.SEALS));
        return fd;
    }

    @Test
    void removeLeftoversHasNothingToRemove() {
        SharedSegment s = segment(newKey());
        assertTrue(s.create(16, AccessMode.ReadWrite));
        assertEquals(List.of(), backend.removeLeftovers(made.keyPrefix(), Path.of("/tmp")));
        assertEquals(16, s.size(), "a live segment is untouched");
    }
}
