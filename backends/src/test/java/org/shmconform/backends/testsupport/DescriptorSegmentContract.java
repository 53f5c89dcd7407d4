package org.shmconform.backends.testsupport;

import org.shmconform.backends.DescriptorSegment;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;

/**
 * In-process rules of the backends whose lock is an OFD lock on the segment's descriptor (memfd,
 * mmapfile; see DescriptorSegment). Not {@link SharedSegmentContract}: without a Qt semaphore,
 * lock() needs an attached object (LockError after detach, where Qt's P21 says true).
 */
public abstract class DescriptorSegmentContract<F extends SegmentFixture> extends UsesSegmentFixture<F> {
    protected DescriptorSegmentContract(F fixture) {
        super(fixture);
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
        assertTrue(waiting.get(PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertTrue(waiter.unlock());
    }
}
