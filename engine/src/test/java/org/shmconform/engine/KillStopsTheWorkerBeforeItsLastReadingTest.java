package org.shmconform.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.engine.OrphanMakerRun.REAP;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.SysVObjects;

/**
 * A kill step may come while the worker's op is still running (an async create): what it makes between the kill's
 * last reading and the SIGKILL must be in that reading, or nobody can prove it the run's once the worker is dead (the
 * set 0x5100efed left after qt68-sysv fuzz campaigns, created and last operated in one second). A real process
 * ({@link SetsInALoopMaker}) makes sets every millisecond until the kill; every set whose last operator it is must be
 * recorded in the ledger, and is reaped with the run; the test removes every set of its keys, used or not.
 */
class KillStopsTheWorkerBeforeItsLastReadingTest {
    private OrphanMakerRun makers;

    @BeforeEach
    void privateRun() throws Exception {
        makers = new OrphanMakerRun(OrphanMakerRun.Kind.semaphores(SetsInALoopMaker.class));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        makers.close();
    }

    @Test
    void everySetTheWorkerOperatedLastBeforeItsKillIsRecorded() throws Exception {
        List<int[]> all = new java.util.ArrayList<>();
        for (int round = 0; round < 5; round++) {
            String name = "loop" + round;
            WorkerProcess worker = makers.worker(name);
            long pid = worker.hostPid().orElseThrow();
            OutputStream in = makers.stdin(worker);
            in.write("go\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            await().atMost(Duration.ofMinutes(2)).until(() -> makers.results(name).size() >= 5);

            worker.killAndReap(REAP); // while it is making the next set

            // Every set it made has one of its keys (ftok of its key file, project 1, 2, ...): all are removed at the end,
            // also one made and never used before the kill (no last operator: nothing can prove it, nobody used it).
            java.util.Set<Integer> keys = new java.util.HashSet<>();
            for (int n = 1; n <= SetsInALoopMaker.MOST; n++) {
                keys.add(LibC.INSTANCE.ftok(makers.keyFile(name).toString(), n));
            }
            List<int[]> made = SysVObjects.semaphoreSets().stream().filter(s -> keys.contains(s.key()))
                    .map(s -> new int[] {s.id(), s.key()}).toList();
            made.forEach(makers::adopt);
            List<int[]> its = made.stream().filter(set -> SysVObjects.lastOperator(set[0]) == pid).toList();
            all.addAll(its);
            assertTrue(its.size() >= 5, "round " + round + ": its sets are there: " + its.size());
            List<Integer> unrecorded = its.stream().filter(set -> !makers.recorded(set)).map(set -> set[0]).toList();
            assertEquals(List.of(), unrecorded, "round " + round + ": sets it made after the last reading");
        }
        makers.endRun();
        List<Integer> left = all.stream().filter(set -> SysVObjects.semaphoreSets().stream().anyMatch(s -> s.id() == set[0]))
                .map(set -> set[0]).toList();
        assertEquals(List.of(), left, "reaped with the run");
    }
}
