package org.shmconform.backends.testsupport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SharedSegment;

/**
 * Rules of the OFD-locked backends (memfd, mmapfile) that need a second real process: data and
 * read-only access across processes, one winner among racing creators, and a lock that excludes
 * across processes and dies with its holder. A waiter's blocking is confirmed by the kernel ({@link LockWaits}).
 */
public abstract class DescriptorSegmentTwoProcessContract<F extends SegmentFixture> extends UsesSegmentFixture<F> {
    protected DescriptorSegmentTwoProcessContract(F fixture) {
        super(fixture);
    }

    @Test
    void dataWrittenByOneProcessIsReadByTheOther() throws Exception {
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(4096, AccessMode.ReadWrite));
        assertTrue(mine.write(0, "from test".getBytes(UTF_8)));
        PeerProcess writer = peer(key);
        assertTrue(writer.send("create 4096").startsWith("FAIL AlreadyExists"));
        assertEquals("OK", writer.send("attach rw"));
        assertEquals("OK 4096", writer.send("size"));
        assertEquals("OK from test", writer.send("read 0 9"));
        assertEquals("OK", writer.send("write 100 from peer"));
        assertEquals("from peer", new String(mine.read(100, 9), UTF_8));

        PeerProcess reader = peer(key);
        assertEquals("OK", reader.send("attach ro"));
        assertTrue(reader.send("write 0 refused").startsWith("FAIL PermissionDenied"));
        assertEquals("OK from test", reader.send("read 0 9"), "the read-only peer survives the refused write");
        assertReadOnlyPeer(reader);
    }

    /** Backend-specific checks on a peer attached read-only to a segment of at least one page. */
    protected void assertReadOnlyPeer(PeerProcess reader) throws Exception {
    }

    @Test
    void concurrentCreatesFromTwoProcessesMakeExactlyOneSegment() throws Exception {
        PeerProcess first = peer(newKey());
        PeerProcess second = peer(newKey());
        for (int round = 0; round < 5; round++) {
            String key = newKey();
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
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess other = peer(key);
        assertEquals("OK", other.send("attach rw"));
        assertTrue(mine.lock());
        other.sendNoWait("lock");
        LockWaits.awaitBlocked(other.pid()); // the kernel shows the peer asleep on the held lock
        assertTrue(mine.unlock());
        assertEquals("OK", other.awaitReply(PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS)); // a guard against hanging, not a measure
        assertEquals("OK", other.send("unlock"));
    }

    @Test
    void lockIsReleasedWhenItsHolderIsKilled() throws Exception {
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess holder = peer(key);
        assertEquals("OK", holder.send("attach rw"));
        assertEquals("OK", holder.send("lock"));
        CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(mine::lock);
        LockWaits.awaitBlocked(ProcessHandle.current().pid()); // this process's waiting thread, asleep on the held lock
        assertTrue(!waiting.isDone(), "lock() returned while the live holder held it: " + waiting);
        holder.kill();
        assertTrue(waiting.get(PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS), "the kernel released the dead holder's OFD lock");
        assertTrue(mine.unlock());
    }
}
