package org.shmconform.backends.mmapfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.KernelWait;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.OwnerDeathNotice;
import org.shmconform.spi.SegmentError;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.testsupport.PeerProcess;

/** mmapfile-robust (seed M5): the shared contract, and EOWNERDEAD after a holder killed with SIGKILL. */
class MmapFileRobustBackendTest extends HeaderLockContract {
    MmapFileRobustBackendTest() {
        super(new HeaderLockFixture("mmapfile-robust", MmapFileRobustBackend::new));
    }

    @Test
    void declaresThatALockOfADeadHolderIsReleased() {
        assertEquals(LockOnHolderDeath.RELEASED_OWNER_DEAD, fixture.backend().semantics().lockOnHolderDeath());
        assertTrue(fixture.backend().semantics().lockLivesInSegment());
        assertTrue(segment(newKey()) instanceof OwnerDeathNotice);
    }

    @Test
    void theNextLockerAfterAKilledHolderGetsTheLockWithOwnerDeadAndTheMutexKeepsWorking() throws Exception {
        HeldByAPeer held = heldByAPeer();
        String key = held.key();
        SharedSegment mine = held.mine();
        OwnerDeathNotice notice = (OwnerDeathNotice) mine;
        PeerProcess holder = held.holder();
        assertNotEquals(0, holder.kill());

        onLockThread(() -> {
            assertTrue(mine.lock(), mine.errorString());
            assertTrue(notice.lockTookOverFromDeadOwner(), "EOWNERDEAD, made consistent");
            assertEquals(SegmentError.NoError, mine.error(), "a successful lock sets no error");
            assertTrue(mine.unlock());
            assertTrue(mine.lock(), "consistent: the mutex is usable again");
            assertFalse(notice.lockTookOverFromDeadOwner(), "an ordinary acquisition");
            assertTrue(mine.unlock());
            return null;
        });
        PeerProcess next = peer(key);
        assertEquals("OK", next.send("attach rw"));
        assertEquals("OK", next.send("lock"), "another process takes it as usual");
        assertTrue(onLockThread(() -> !((HeaderLockFileSegment) mine).tryLock()), "and it excludes again");
        assertEquals("OK", next.send("unlock"));
    }

    @Test
    void aWaiterAsleepInTheKernelIsWokenWhenTheHolderIsKilled() throws Exception {
        HeldByAPeer held = heldByAPeer();
        SharedSegment mine = held.mine();
        Path file = fileOf(mine);
        PeerProcess holder = held.holder();
        Future<Boolean> waiting = startOnLockThread(mine::lock);
        FutexWaiters.awaitBlockedOnLockWord(ProcessHandle.current().pid(), file);
        holder.kill();
        assertTrue(waiting.get(PeerProcess.REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS), "the kernel woke the waiter");
        assertTrue(onLockThread(((OwnerDeathNotice) mine)::lockTookOverFromDeadOwner));
        assertTrue(onLockThread(mine::unlock));
    }

    @Test
    void onlyTheThreadThatLockedCanUnlock() throws Exception {
        SharedSegment mine = segment(newKey());
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        assertTrue(onLockThread(mine::lock));
        assertFalse(mine.unlock(), "another thread: EPERM, glibc checks a robust mutex's owner whatever its type");
        assertTrue(mine.errorString().contains("EPERM"), mine.errorString());
        assertEquals(SegmentError.LockError, mine.error());
        HeaderLockFileSegment other = (HeaderLockFileSegment) segment(mine.key());
        assertTrue(other.attach(AccessMode.ReadWrite));
        assertFalse(other.tryLock(), "still held by the thread that took it (EBUSY)");
        assertTrue(onLockThread(mine::unlock), "the owning thread can");
    }

    /**
     * A second object in the process, and thread, that holds the lock through its first: its lock() waits, asleep in
     * futex on the lock word as another process's lock does, as Qt's second QSharedMemory waits (N1: "one thread or
     * process can lock the memory for exclusive access"; lock() "blocks until the lock is released"). An error-checking
     * mutex refused it with EDEADLK instead. Nothing in the process can release it: the holder is killed, and the next
     * locker takes the lock with EOWNERDEAD.
     */
    @Test
    void aSecondObjectsLockInTheHoldingThreadWaitsInTheKernel() throws Exception {
        HeldByAPeer held = heldByAPeer();
        String key = held.key();
        SharedSegment mine = held.mine();
        Path file = fileOf(mine);
        PeerProcess holder = held.holder();
        assertEquals("OK", holder.send("use 1"));
        assertEquals("OK", holder.send("open " + key));
        assertEquals("OK", holder.send("attach rw"));
        holder.sendNoWait("lock");
        long giveUp = System.currentTimeMillis() + PeerProcess.REPLY_TIMEOUT_SECONDS * 1000; // only a hang reaches it
        while (!FutexWaiters.blockedOnLockWord(holder.pid(), file)) {
            try {
                fail("the second object's lock() returned instead of waiting: " + holder.awaitReply(5, TimeUnit.MILLISECONDS));
            } catch (TimeoutException stillRunning) {
                assertTrue(System.currentTimeMillis() < giveUp, "neither a reply nor a futex wait on the lock word");
            }
        }
        KernelWait.State engineSees = KernelWait.forThisMachine().anyThread(holder.pid());
        assertTrue(engineSees.blockedInLockWait(), "the engine's probe calls it a lock wait too: " + engineSees.description());
        assertTrue(onLockThread(() -> !((HeaderLockFileSegment) mine).tryLock()), "the first object still holds it");
        holder.kill();
        onLockThread(() -> {
            assertTrue(mine.lock(), mine.errorString());
            assertTrue(((OwnerDeathNotice) mine).lockTookOverFromDeadOwner(), "EOWNERDEAD: the killed process held it");
            assertTrue(mine.unlock());
            return null;
        });
    }

    /** A segment of this process's, created, and a peer process that attached it and holds its lock. */
    private record HeldByAPeer(String key, SharedSegment mine, PeerProcess holder) {
    }

    private HeldByAPeer heldByAPeer() throws Exception {
        String key = newKey();
        SharedSegment mine = segment(key);
        assertTrue(mine.create(64, AccessMode.ReadWrite));
        PeerProcess holder = peer(key);
        assertEquals("OK", holder.send("attach rw"));
        assertEquals("OK", holder.send("lock"));
        return new HeldByAPeer(key, mine, holder);
    }
}
