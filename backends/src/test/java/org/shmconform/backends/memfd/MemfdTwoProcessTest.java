package org.shmconform.backends.memfd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.AccessMode;
import org.shmconform.backends.SegmentError;
import org.shmconform.backends.SharedSegment;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.backends.testsupport.TrackedResources;

/** The memfd properties that need a second real process (a Peer JVM in the same pid namespace). */
class MemfdTwoProcessTest {
    private final MemfdBackend backend = new MemfdBackend();
    private TrackedResources made;
    private final List<String> nativeKeys = new ArrayList<>();

    @BeforeEach
    void setUp() {
        made = new TrackedResources();
    }

    @AfterEach
    void tearDown() throws Exception {
        made.close();
        for (String nativeKey : nativeKeys) {
            assertEquals(List.of(), MemfdKernelView.references(nativeKey), "memfd left behind");
        }
    }

    private SharedSegment segment(String key) {
        SharedSegment s = made.track(backend.open(key));
        nativeKeys.add(s.nativeKey());
        return s;
    }

    private PeerProcess peer(String key) throws Exception {
        PeerProcess peer = made.track(PeerProcess.start("memfd", null));
        assertEquals("OK", peer.send("open " + key));
        return peer;
    }

    @Test
    void createIsAlreadyExistsInTheOtherProcessWhileOneHoldsIt() throws Exception {
        String key = made.newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess other = peer(key);
        assertTrue(other.send("create 64").startsWith("FAIL AlreadyExists"));
        assertTrue(mine.detach());
        assertEquals("OK", other.send("create 64"), "free again once its only holder detached");
        assertFalse(mine.create(64, AccessMode.ReadWrite));
        assertEquals(SegmentError.AlreadyExists, mine.error());
    }

    @Test
    void dataWrittenByOneProcessIsReadByTheOther() throws Exception {
        String key = made.newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(4096, AccessMode.ReadWrite));
        assertTrue(mine.write(0, "from test".getBytes(UTF_8)));
        PeerProcess writer = peer(key);
        assertEquals("OK", writer.send("attach rw"));
        assertEquals("OK 4096", writer.send("size"));
        assertEquals("OK from test", writer.send("read 0 9"));
        assertEquals("OK", writer.send("write 100 from peer"));
        assertEquals("from peer", new String(mine.read(100, 9), UTF_8));

        PeerProcess reader = peer(key);
        assertEquals("OK", reader.send("attach ro"));
        assertTrue(reader.send("write 0 refused").startsWith("FAIL PermissionDenied"));
        assertEquals("OK from test", reader.send("read 0 9"), "the read-only peer survives the refused write");
        assertTrue(reader.send("truncate 0").contains("EPERM"), "sealed for the peer too");
    }

    @Test
    void concurrentCreatesFromTwoProcessesMakeExactlyOneSegment() throws Exception {
        PeerProcess first = peer(made.newKey());
        PeerProcess second = peer(made.newKey());
        for (int round = 0; round < 5; round++) {
            String key = made.newKey();
            assertEquals("OK", first.send("open " + key));
            assertEquals("OK", second.send("open " + key));
            first.sendNoWait("create 4096");
            second.sendNoWait("create 4096");
            List<String> replies = List.of(first.awaitReply(), second.awaitReply());
            assertEquals(1, replies.stream().filter("OK"::equals).count(), replies.toString());
            assertEquals(1, replies.stream().filter(r -> r.startsWith("FAIL AlreadyExists")).count(), replies.toString());
            PeerProcess winner = replies.get(0).equals("OK") ? first : second;
            assertEquals("OK", winner.send("detach"));
        }
    }

    @Test
    void lockExcludesAcrossProcesses() throws Exception {
        String key = made.newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess other = peer(key);
        assertEquals("OK", other.send("attach rw"));
        assertTrue(mine.lock());
        other.sendNoWait("lock");
        assertThrows(TimeoutException.class, () -> other.awaitReply(500, TimeUnit.MILLISECONDS));
        assertTrue(mine.unlock());
        assertEquals("OK", other.awaitReply(5, TimeUnit.SECONDS));
        assertEquals("OK", other.send("unlock"));
    }

    @Test
    void lockIsReleasedWhenItsHolderIsKilled() throws Exception {
        String key = made.newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess holder = peer(key);
        assertEquals("OK", holder.send("attach rw"));
        assertEquals("OK", holder.send("lock"));
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(mine::lock);
        assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
        holder.kill();
        assertTrue(waiting.get(5, TimeUnit.SECONDS), "the kernel released the dead holder's OFD lock");
        assertTrue(mine.unlock());
    }

    @Test
    void lastDetachFreesTheMemfdWhenTheCreatorIsLast() throws Exception {
        String key = made.newKey();
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
        String key = made.newKey();
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
        String key = made.newKey();
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
        String key = made.newKey();
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
