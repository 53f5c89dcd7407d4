package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.engine.OrphanMakerRun.REAP;

import java.io.OutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A semaphore set whose key file is gone before the ledger saw it (Qt 6.8 unlinks its platform-safe key file on a
 * last detach while the set lives on: the orphan 0x5100338f after a full run) is recorded from kernel facts while the
 * worker that operated it last lives, and reaped at the run's end; a set of the same shape made by a process that is
 * not a worker of the run is left alone. Real processes ({@link OrphanSemaphoreMaker}), real sets, a real SIGKILL.
 */
class SetsOfLiveWorkerTest {
    private OrphanMakerRun makers;

    @BeforeEach
    void privateRun() throws Exception {
        makers = new OrphanMakerRun(OrphanMakerRun.Kind.semaphores(OrphanSemaphoreMaker.class));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        makers.close();
    }

    private static boolean exists(int[] set) {
        return OrphanMakerRun.Kind.setExists(set);
    }

    /**
     * The orphan, made once the clock is in a whole second after now (a set's last-semop time has whole seconds: a set
     * made in the second its worker started proves nothing by its time).
     */
    private int[] orphanInANewSecond(String name, OutputStream stdin) throws Exception {
        long nextSecond = (System.currentTimeMillis() / 1000 + 1) * 1000;
        for (long now = System.currentTimeMillis(); now < nextSecond; now = System.currentTimeMillis()) {
            Thread.sleep(nextSecond - now);
        }
        return makers.orphan(name, stdin);
    }

    @Test
    void aSetWhoseKeyFileWentUnseenIsRecordedBeforeItsWorkerIsKilledAndReapedAtTheRunsEnd() throws Exception {
        WorkerProcess worker = makers.worker("own");
        int[] set = orphanInANewSecond("own", makers.stdin(worker));
        assertFalse(makers.recorded(set), "no key file of the run named it: the ledger could not know it yet");

        worker.killAndReap(REAP); // a kill step's SIGKILL: the set outlives its maker

        assertTrue(makers.recorded(set), "recorded from its last operator while that worker lived");
        assertTrue(exists(set), "recording removes nothing");
        makers.endRun();
        assertFalse(exists(set), "reaped with the run");
    }

    @Test
    void aSetOfTheSameShapeMadeByAnotherProcessIsLeftAlone() throws Exception {
        WorkerProcess worker = makers.worker("idle"); // a worker of the run, alive while the other process makes its set
        Process other = makers.otherProcess("other");
        int[] set = orphanInANewSecond("other", other.getOutputStream()); // made after the run and the worker started, key file gone

        worker.killAndReap(REAP);
        other.destroyForcibly().waitFor();

        assertFalse(makers.recorded(set), "another process's set is never the run's");
        makers.endRun();
        assertTrue(exists(set), "left alone by the run's reaper");
    }
}
