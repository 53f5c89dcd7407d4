package org.shmconform.backends.memfd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.testsupport.DescriptorSegmentTwoProcessContract;
import org.shmconform.backends.testsupport.PeerProcess;

/** The memfd properties that need a second real process (a Peer JVM in the same pid namespace). */
class MemfdTwoProcessTest extends DescriptorSegmentTwoProcessContract<MemfdFixture> {
    MemfdTwoProcessTest() {
        super(new MemfdFixture());
    }

    @Test
    void createIsAlreadyExistsInTheOtherProcessWhileOneHoldsIt() throws Exception {
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess other = peer(key);
        assertTrue(other.send("create 64").startsWith("FAIL AlreadyExists"));
        assertTrue(mine.detach());
        assertEquals("OK", other.send("create 64"), "free again once its only holder detached");
        assertFalse(mine.create(64, AccessMode.ReadWrite));
        assertEquals(SegmentError.AlreadyExists, mine.error());
    }

    /** The seals hold for every opener, not only the creator. */
    @Override
    protected void assertReadOnlyPeer(PeerProcess reader) throws Exception {
        assertTrue(reader.send("truncate 0").contains("EPERM"), "sealed for the peer too");
    }

    @Test
    void lastDetachFreesTheMemfdWhenTheCreatorIsLast() throws Exception {
        String key = newKey();
        SharedSegment creator = segment(key);
        assertTrue(creator.create(64, AccessMode.ReadWrite));
        PeerProcess attacher = peer(key);
        assertEquals("OK", attacher.send("attach rw"));
        assertEquals(4, MemfdKernelView.references(creator.nativeKey()).size(), "two descriptors, two mappings");
        assertEquals("OK", attacher.send("detach"));
        assertEquals(2, MemfdKernelView.references(creator.nativeKey()).size(), "only the creator's");
        assertTrue(creator.detach());
        assertEquals(List.of(), MemfdKernelView.references(creator.nativeKey()));
    }

    @Test
    void lastDetachFreesTheMemfdWhenTheAttacherIsLast() throws Exception {
        String key = newKey();
        SharedSegment creator = segment(key);
        assertTrue(creator.create(64, AccessMode.ReadWrite));
        assertTrue(creator.write(0, "kept".getBytes(UTF_8)));
        PeerProcess attacher = peer(key);
        assertEquals("OK", attacher.send("attach rw"));
        assertTrue(creator.detach());
        assertEquals("OK kept", attacher.send("read 0 4"), "the peer keeps it alive");
        assertTrue(creator.attach(AccessMode.ReadOnly), "and it can be reattached through the peer");
        assertTrue(creator.detach());
        assertEquals("OK", attacher.send("detach"));
        assertEquals(List.of(), MemfdKernelView.references(creator.nativeKey()));
        assertFalse(creator.attach(AccessMode.ReadWrite));
        assertEquals(SegmentError.NotFound, creator.error());
    }

    @Test
    void aCrashedOnlyHolderTakesTheSegmentWithIt() throws Exception {
        String key = newKey();
        PeerProcess creator = peer(key);
        assertEquals("OK", creator.send("create 128"));
        assertEquals("OK", creator.send("write 0 before the crash"));
        SharedSegment mine = segment(key);
        assertEquals(2, MemfdKernelView.references(mine.nativeKey()).size());
        creator.kill();
        assertEquals(List.of(), MemfdKernelView.references(mine.nativeKey()));
        assertFalse(mine.attach(AccessMode.ReadWrite), "unlike SysV, nothing survives the crash");
        assertEquals(SegmentError.NotFound, mine.error());
        assertTrue(mine.create(128, AccessMode.ReadWrite), "and nothing blocks a new create");
        assertEquals(0, mine.read(0, 1)[0]);
    }

    @Test
    void aCrashedCreatorLeavesTheSegmentToTheOtherHolders() throws Exception {
        String key = newKey();
        PeerProcess creator = peer(key);
        assertEquals("OK", creator.send("create 128"));
        assertEquals("OK", creator.send("write 0 survives"));
        SharedSegment mine = segment(key);
        assertTrue(mine.attach(AccessMode.ReadWrite));
        creator.kill();
        SharedSegment again = segment(key);
        assertTrue(again.attach(AccessMode.ReadOnly), "reopened through this process's descriptor");
        assertEquals("survives", new String(again.read(0, 8), UTF_8));
    }
}
