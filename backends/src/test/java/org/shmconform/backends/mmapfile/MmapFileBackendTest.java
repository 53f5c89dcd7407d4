package org.shmconform.backends.mmapfile;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
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
import org.shmconform.backends.testsupport.DescriptorSegmentContract;

/** The mmapfile backend within one process: the descriptor contract, plus its errors, sizes and files on disk. */
class MmapFileBackendTest extends DescriptorSegmentContract<MmapFileFixture> {
    MmapFileBackendTest() {
        super(new MmapFileFixture());
    }

    @Test
    void isRegisteredAndAvailableOnTmpfsOnly() throws Exception {
        assertTrue(Backends.named("mmapfile").isPresent());
        assertTrue(fixture.backend().availability().available(), fixture.backend().availability().reason());
        assertFalse(new MmapFileBackend(fixture.dir().resolve("missing")).availability().available());
        Path onDisk = Path.of(System.getProperty("user.dir"));
        assumeTrue(!"tmpfs".equals(Files.getFileStore(onDisk).type()), "module directory is on tmpfs");
        String reason = new MmapFileBackend(onDisk).availability().reason();
        assertTrue(reason.contains("not tmpfs"), reason);
    }

    /** Seeds M6, L2: it names its directory, and can be told another one, where it works as anywhere. */
    @Test
    void namesItsDirectoryAndCanBePlacedInAnother() throws Exception {
        assertEquals(List.of(new org.shmconform.spi.Placement("segment files", fixture.dir())), fixture.backend().placements());
        Path other = PrivateTmpfsDir.create();
        try {
            org.shmconform.spi.SharedMemoryBackend placed = fixture.backend().placedIn(other);
            assertEquals(other, ((MmapFileBackend) placed).dir());
            SharedSegment s = placed.open(newKey());
            assertTrue(s.create(64, AccessMode.ReadWrite), s.errorString());
            assertTrue(Path.of(s.nativeKey()).startsWith(other));
            assertTrue(s.detach());
            assertEquals(List.of(), PrivateTmpfsDir.names(other), "the last detach removed the file in the other directory");
        } finally {
            PrivateTmpfsDir.delete(other);
        }
    }

    /** A link planted at a key's file name is not followed: a root worker's writes never reach what it points to. */
    @Test
    void anAttachDoesNotFollowALinkAtTheKeysName() throws Exception {
        SharedSegment s = segment(newKey());
        Path victim = fixture.dir().resolve("victim");
        Files.write(victim, new byte[4096]);
        Path keyFile = Path.of(s.nativeKey());
        Files.createSymbolicLink(keyFile, victim);
        try {
            assertFalse(s.attach(AccessMode.ReadWrite), "attached through a link to " + victim);
            assertFalse(s.write(0, "planted".getBytes(UTF_8)));
            assertArrayEquals(new byte[4096], Files.readAllBytes(victim));
        } finally {
            Files.delete(keyFile);
            Files.delete(victim);
        }
    }

    /**
     * Another file hard-linked at a key's name (which anyone may do in /dev/shm where fs.protected_hardlinks is 0; here a
     * live segment of another key stands for someone else's file) is not attached: a root worker's writes, truncations
     * and detaches never reach it. Before, the attach mapped it.
     */
    @Test
    void anAttachRefusesAFileWithASecondName() throws Exception {
        SharedSegment other = segment(newKey());
        assertTrue(other.create(4096, AccessMode.ReadWrite), other.errorString());
        assertTrue(other.write(0, "theirs".getBytes(UTF_8)));
        SharedSegment s = segment(newKey());
        Path keyFile = Path.of(s.nativeKey());
        Files.createLink(keyFile, Path.of(other.nativeKey()));
        try {
            assertFalse(s.attach(AccessMode.ReadWrite), "attached another file linked at the key's name");
            assertTrue(s.errorString().contains("has 2 names"), s.errorString());
            assertFalse(s.write(0, "planted".getBytes(UTF_8)));
            assertArrayEquals("theirs".getBytes(UTF_8), other.read(0, 6));
        } finally {
            Files.delete(keyFile);
            other.close();
        }
    }

    /** Seed M3: temporary files of one template are distinct, the creator's detach removes its own, a listing sees each. */
    @Test
    void temporaryFilesAreUniqueAndGoWithTheirCreatorsDetach() throws Exception {
        String key = newKey();
        MmapFileSegment a = (MmapFileSegment) segment(key);
        MmapFileSegment b = (MmapFileSegment) segment(key);
        assertTrue(a.createTemporary(4096, AccessMode.ReadWrite), a.errorString());
        assertTrue(b.createTemporary(4096, AccessMode.ReadWrite), b.errorString());
        assertNotEquals(a.temporaryName(), b.temporaryName());
        assertTrue(a.write(0, "from-a".getBytes(UTF_8)));
        assertArrayEquals(new byte[6], b.read(0, 6), "two temporary files are two segments");
        assertEquals(List.of(a.temporaryName(), b.temporaryName()).stream().sorted().toList(), a.temporaryFiles());
        assertFalse(segment(key).attach(AccessMode.ReadWrite), "the key does not reach a temporary file");
        String bName = b.temporaryName();
        assertTrue(a.detach());
        assertEquals(List.of(bName), b.temporaryFiles());
        assertFalse(a.createTemporary(0, AccessMode.ReadWrite));
        assertEquals(SegmentError.InvalidSize, a.error());
        assertTrue(b.detach());
        assertEquals(List.of(), PrivateTmpfsDir.names(fixture.dir()));
    }

    /** A run's leftovers include the temporary files of its keys; another's temporary files stay. */
    @Test
    void leftoverTemporaryFilesAreRemovedByPrefix() throws Exception {
        String key = newKey();
        MmapFileSegment a = (MmapFileSegment) segment(key);
        assertTrue(a.createTemporary(64, AccessMode.ReadWrite), a.errorString());
        Path file = fixture.dir().resolve(a.temporaryName());
        Path notOurs = Files.createFile(fixture.dir().resolve("qipc_sharedmemory_someoneelse.mmap.tmp-abcdef"));
        try {
            assertEquals(List.of("mmapfile: removed " + file), fixture.backend().removeLeftovers(fixture.keyPrefix(), fixture.dir(), org.shmconform.backends.testsupport.OurUser.ONLY));
            assertTrue(Files.exists(notOurs));
        } finally {
            Files.deleteIfExists(notOurs);
            a.detach();
        }
    }

    @Test
    void nativeKeyIsTheFileInTheDirectory() {
        String key = newKey();
        assertEquals(fixture.dir().resolve(QtKeys.platformSafeName(key, "qipc_sharedmemory_") + ".mmap").toString(),
                segment(key).nativeKey());
    }

    @Test
    void createAttachDetachRoundTrip() {
        String key = newKey();
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
    void attachOfAMissingSegmentIsNotFound() {
        SharedSegment s = segment(newKey());
        assertFalse(s.attach(AccessMode.ReadOnly));
        assertEquals(SegmentError.NotFound, s.error());
        assertTrue(s.errorString().contains("ENOENT"), s.errorString());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void nonPositiveSizeIsInvalidSize(long size) throws Exception {
        SharedSegment s = segment(newKey());
        assertFalse(s.create(size, AccessMode.ReadWrite));
        assertEquals(SegmentError.InvalidSize, s.error());
        assertEquals(List.of(), PrivateTmpfsDir.names(fixture.dir()));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 4095, 4096, 4097})
    void sizeIsExactlyTheRequestedSize(long size) throws Exception {
        String key = newKey();
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
    void keyLongerThanNameMaxIsKeyErrorAndLeavesNothing() throws Exception {
        SharedSegment s = segment("k".repeat(300));
        assertFalse(s.create(16, AccessMode.ReadWrite));
        assertNotEquals(SegmentError.NoError, s.error());
        assertEquals(SegmentError.KeyError, s.error());
        assertTrue(s.errorString().contains("ENAMETOOLONG"), s.errorString());
        assertFalse(s.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.KeyError, s.error());
        assertEquals(List.of(), PrivateTmpfsDir.names(fixture.dir()));
    }

    @Test
    void aFullTmpfsFailsAtCreateWithOutOfResources() throws Exception {
        long total = Files.getFileStore(fixture.dir()).getTotalSpace();
        assumeTrue(total > 0, "tmpfs without a size limit");
        SharedSegment s = segment(newKey());
        assertFalse(s.create(2 * total, AccessMode.ReadWrite));
        assertEquals(SegmentError.OutOfResources, s.error());
        assertTrue(s.errorString().contains("ENOSPC"), s.errorString());
        assertEquals(List.of(), PrivateTmpfsDir.names(fixture.dir()), "nothing named is left by a failed create");
    }

    @Test
    void removeLeftoversDeletesOnlyThisPrefixesFiles() throws Exception {
        SharedSegment s = segment(newKey());
        assertTrue(s.create(16, AccessMode.ReadWrite));
        Path foreign = Files.createFile(fixture.dir().resolve("qipc_sharedmemory_someoneelse.mmap"));
        try {
            List<String> removed = fixture.backend().removeLeftovers(fixture.keyPrefix(), fixture.dir(), org.shmconform.backends.testsupport.OurUser.ONLY);
            assertEquals(1, removed.size(), removed.toString());
            assertTrue(removed.get(0).contains(s.nativeKey()), removed.toString());
            assertTrue(Files.exists(foreign));
        } finally {
            Files.delete(foreign);
        }
        assertEquals(List.of(), fixture.backend().removeLeftovers(fixture.keyPrefix(), fixture.dir(), org.shmconform.backends.testsupport.OurUser.ONLY));
    }
}
