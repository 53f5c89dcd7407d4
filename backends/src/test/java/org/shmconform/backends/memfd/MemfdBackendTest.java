package org.shmconform.backends.memfd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.backends.QtKeys;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.testsupport.DescriptorSegmentContract;

/** The memfd backend within one process: the descriptor contract, plus its errors, sizes, seals and what /proc shows. */
class MemfdBackendTest extends DescriptorSegmentContract<MemfdFixture> {
    MemfdBackendTest() {
        super(new MemfdFixture());
    }

    private static String nativeKeyOf(String key) {
        return "memfd:" + QtKeys.platformSafeName(key, "qipc_memfd_");
    }

    @Test
    void isRegisteredAndAvailable() {
        assertTrue(Backends.named("memfd").isPresent());
        assertTrue(fixture.backend().availability().available(), fixture.backend().availability().reason());
    }

    @Test
    void nativeKeyIsTheMemfdName() {
        String key = newKey();
        assertEquals(nativeKeyOf(key), segment(key).nativeKey());
        assertEquals("", segment("").nativeKey());
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
        String key = fixture.keyPrefix() + "k".repeat(300);
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
        assertEquals(List.of(), fixture.backend().removeLeftovers(fixture.keyPrefix(), Path.of("/tmp"), org.shmconform.backends.testsupport.OurUser.ONLY));
        assertEquals(16, s.size(), "a live segment is untouched");
    }
}
