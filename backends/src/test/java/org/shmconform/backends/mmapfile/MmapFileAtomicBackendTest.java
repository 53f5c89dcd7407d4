package org.shmconform.backends.mmapfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.OwnerDeathNotice;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.testsupport.PeerProcess;

/** mmapfile-atomic (seed M4): the shared contract, and a flag that outlives a holder killed with SIGKILL. */
class MmapFileAtomicBackendTest extends HeaderLockContract {
    MmapFileAtomicBackendTest() {
        super(new HeaderLockFixture("mmapfile-atomic", MmapFileAtomicBackend::new));
    }

    @Test
    void declaresThatALockOfADeadHolderStaysHeld() {
        assertEquals(LockOnHolderDeath.STAYS_HELD, fixture.backend().semantics().lockOnHolderDeath());
        assertTrue(fixture.backend().semantics().lockLivesInSegment());
        assertFalse(segment(newKey()) instanceof OwnerDeathNotice, "a plain flag cannot tell that its holder died");
    }

    @Test
    void aHolderKilledWithTheFlagTakenLeavesItTakenForever() throws Exception {
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        Path file = fileOf(mine);
        PeerProcess holder = peer(key);
        assertEquals("OK", holder.send("attach rw"));
        assertEquals("OK", holder.send("lock"));
        long holderPid = holder.pid();
        assertNotEquals(0, holder.kill()); // SIGKILL, reaped: every exit effect of the kernel has run

        ByteBuffer words = headerWords(file);
        assertEquals(1, words.getInt(0), "the lock word is still 'taken' in the file");
        assertEquals(holderPid, words.getInt(FutexFlagLock.OWNER_HINT), "by the holder that is gone");
        assertTrue(ProcessHandle.of(holderPid).isEmpty(), "the holder is dead and reaped");
        assertFalse(onLockThread(((HeaderLockFileSegment) mine)::tryLock), "no attempt can take it");

        PeerProcess next = peer(key);
        assertEquals("OK", next.send("attach rw"));
        next.sendNoWait("lock");
        FutexWaiters.awaitBlockedOnLockWord(next.pid(), file);
        assertEquals(2, headerWords(file).getInt(0), "the next locker marked the word contended and sleeps on it");
        next.kill();
        assertFalse(onLockThread(((HeaderLockFileSegment) mine)::tryLock), "still taken");

        // The flag lives in the segment: once the last attacher detaches, the file and its flag are gone.
        assertTrue(mine.detach());
        assertFalse(Files.exists(file));
        SharedSegment fresh = segment(key);
        assertTrue(fresh.create(64, AccessMode.ReadWrite));
        assertTrue(onLockThread(fresh::lock), "a new segment brings a new, free flag");
        assertTrue(onLockThread(fresh::unlock));
    }
}
