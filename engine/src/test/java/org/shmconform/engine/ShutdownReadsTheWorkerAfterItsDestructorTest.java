package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * A worker that ends the way a program ends runs its destructors, and a Qt object's detach there may open, make or
 * operate a set whose owner is gone; once it has exited, its pid proves nothing. So the shutdown's last reading must
 * come after the destructor, not before the exit request: a real process ({@link SetInItsDestructorMaker}) whose
 * destructor makes and operates a set is shut down as the engine ends a worker after a schedule; its set must be
 * recorded in the ledger and reaped with the run.
 */
class ShutdownReadsTheWorkerAfterItsDestructorTest {
    private OrphanMakerRun makers;

    @BeforeEach
    void privateRun() throws Exception {
        makers = new OrphanMakerRun(OrphanMakerRun.Kind.semaphores(SetInItsDestructorMaker.class));
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        makers.close();
    }

    @Test
    void theSetItsDestructorOperatedLastIsRecordedAndReaped() throws Exception {
        WorkerProcess worker = makers.worker("ending");
        long pid = worker.hostPid().orElseThrow();
        OutputStream in = makers.stdin(worker);
        in.write("go\n".getBytes(StandardCharsets.US_ASCII));
        in.flush();

        worker.shutdown(Duration.ofSeconds(30));

        int key = LibC.INSTANCE.ftok(makers.keyFile("ending").toString(), 1); // its key file is there once it made its set

        assertEquals(0, worker.reap(Duration.ofSeconds(30)), "it exited by itself: " + makers.results("ending"));
        List<int[]> its = SysVObjects.semaphoreSets().stream().filter(s -> s.key() == key).map(s -> new int[] {s.id(), s.key()})
                .toList();
        its.forEach(makers::adopt);
        assertEquals(1, its.size(), "its destructor made one set: " + makers.results("ending"));
        int[] set = its.get(0);
        assertEquals(pid, SysVObjects.lastOperator(set[0]), "its destructor operated it last");
        assertTrue(makers.recorded(set), "the set its destructor operated last is in the ledger");
        makers.endRun();
        assertFalse(SysVObjects.semaphoreSets().stream().anyMatch(s -> s.id() == set[0]), "reaped with the run");
    }
}
