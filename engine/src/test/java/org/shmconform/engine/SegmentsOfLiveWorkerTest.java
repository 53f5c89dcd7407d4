package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.engine.OrphanMakerRun.REAP;

import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.backends.sysv.SysVObjects.Segment;

/**
 * A segment whose key file is gone before the ledger saw it (Qt 6.8 unlinks its platform-safe key file while the
 * segment lives on: nattch-0 segments keyed 0x51......, creator = last attacher, after a fuzz campaign of the
 * qt68-sysv columns) is recorded from kernel facts while the worker that made it lives, and reaped at the run's end;
 * a segment of the same shape made by a process that is not a worker of the run is left alone. Real processes
 * ({@link OrphanSegmentMaker}), real segments, a real SIGKILL.
 */
class SegmentsOfLiveWorkerTest {
    private OrphanMakerRun makers;

    @BeforeEach
    void privateRun() throws Exception {
        makers = new OrphanMakerRun(new OrphanMakerRun.Kind(OrphanSegmentMaker.class, "shm",
                s -> find(s).isPresent(), s -> find(s).ifPresent(f -> SysVObjects.remove(f.obj()))));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        makers.close();
    }

    private static Optional<Segment> find(int[] segment) {
        return SysVObjects.segments().stream().filter(s -> s.id() == segment[0] && s.key() == segment[1]).findFirst();
    }

    @Test
    void aSegmentWhoseKeyFileWentUnseenIsRecordedBeforeItsWorkerIsKilledAndReapedAtTheRunsEnd() throws Exception {
        WorkerProcess worker = makers.worker("own", "attached");
        int[] segment = makers.orphan("own", makers.stdin(worker));
        assertFalse(makers.recorded(segment), "no key file of the run named it: the ledger could not know it yet");

        long pid = worker.hostPid().getAsLong();
        worker.killAndReap(REAP); // a kill step's SIGKILL: the segment outlives its maker

        Segment left = find(segment).orElseThrow();
        assertEquals(0, left.nattch(), "the kill detached it");
        assertEquals(pid, left.cpid(), "made by the killed worker");
        assertEquals(pid, left.lpid(), "and detached last by it (its exit): the shape of the leak");
        assertTrue(makers.recorded(segment), "recorded from its creator while that worker lived");
        makers.endRun();
        assertFalse(find(segment).isPresent(), "reaped with the run");
    }

    @Test
    void aSegmentItsWorkerMadeButNeverAttachedIsRecordedByItsCreatorAlone() throws Exception {
        WorkerProcess worker = makers.worker("bare", "unattached");
        int[] segment = makers.orphan("bare", makers.stdin(worker));
        assertEquals(0, find(segment).orElseThrow().lpid(), "never attached: no last attacher to prove anything");

        worker.killAndReap(REAP);

        assertTrue(makers.recorded(segment), "its creator, alive and made after the listing read at its start, proves it");
        makers.endRun();
        assertFalse(find(segment).isPresent(), "reaped with the run");
    }

    @Test
    void aSegmentOfTheSameShapeMadeByAnotherProcessIsLeftAlone() throws Exception {
        WorkerProcess worker = makers.worker("idle", "attached"); // a worker of the run, alive while the other process makes its segment
        Process other = makers.otherProcess("other", "attached");
        int[] segment = makers.orphan("other", other.getOutputStream()); // made after the run and the worker started, key file gone

        worker.killAndReap(REAP);
        other.destroyForcibly().waitFor();

        assertEquals(other.pid(), find(segment).orElseThrow().lpid(), "the other process detached it last, dying");
        assertFalse(makers.recorded(segment), "another process's segment is never the run's");
        makers.endRun();
        assertTrue(find(segment).isPresent(), "left alone by the run's reaper");
    }
}
