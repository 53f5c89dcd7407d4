package org.shmconform.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.engine.OrphanMakerRun.REAP;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.KernelWait;
import org.shmconform.backends.sysv.SysVObjects;

/**
 * A set nobody has operated, whose key file is gone, on which a worker of the run waits (Qt 6.4's QSystemSemaphore
 * after the set it found was removed under it, {@link WaitingSemaphoreMaker}) is recorded while that worker lives and
 * reaped at the run's end; the same set made and waited on by a process that is not a worker of the run is left alone.
 * Two of six qt fuzz campaigns left such a set (value 0, last operator 0) before the wait counted as proof. Real
 * processes, real sets, a real SIGKILL.
 */
class SetsALiveWorkerWaitsOnTest {
    private static final KernelWait KERNEL = KernelWait.forThisMachine();
    private OrphanMakerRun makers;

    @BeforeEach
    void privateRun() throws Exception {
        makers = new OrphanMakerRun(OrphanMakerRun.Kind.semaphores(WaitingSemaphoreMaker.class));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        makers.close();
    }

    /** Made by semget alone (no last operator) and waited on by {@code pid}, as the kernel says. */
    private static void assertWaitedOnUnoperated(int[] set, long pid) {
        await().atMost(Duration.ofMinutes(1)).until(() -> KERNEL.semaphoreSetsInSemop(pid).contains(set[0]));
        assertEquals(0, SysVObjects.lastOperator(set[0]), "nobody operated it: no last operator proves it anyone's");
    }

    @Test
    void aSetAWorkerWaitsOnWhoseKeyFileWentIsRecordedBeforeItsKillAndReapedAtTheRunsEnd() throws Exception {
        WorkerProcess worker = makers.worker("waiter");
        int[] set = makers.orphan("waiter", makers.stdin(worker));
        assertWaitedOnUnoperated(set, worker.hostPid().orElseThrow());
        assertFalse(makers.recorded(set), "no key file of the run named it while it lived");

        worker.killAndReap(REAP); // a kill step's SIGKILL of a worker blocked in lock()

        assertTrue(makers.recorded(set), "recorded from the worker's wait on it while that worker lived");
        assertTrue(OrphanMakerRun.Kind.setExists(set), "recording removes nothing");
        makers.endRun();
        assertFalse(OrphanMakerRun.Kind.setExists(set), "reaped with the run");
    }

    @Test
    void aSetAnotherProcessWaitsOnIsLeftAlone() throws Exception {
        WorkerProcess worker = makers.worker("idle"); // a worker of the run, alive while the other process waits
        Process other = makers.otherProcess("other");
        int[] set = makers.orphan("other", other.getOutputStream());
        assertWaitedOnUnoperated(set, other.pid());

        worker.killAndReap(REAP);
        assertFalse(makers.recorded(set), "another process's wait proves nothing the run's");
        makers.endRun();
        assertTrue(OrphanMakerRun.Kind.setExists(set), "left alone by the run's reaper");
        other.destroyForcibly().waitFor();
    }
}
