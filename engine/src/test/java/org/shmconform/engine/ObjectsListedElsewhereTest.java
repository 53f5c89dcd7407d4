package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.LocalEnvironment;

/**
 * A worker in an IPC namespace other than the harness's makes nothing the harness's System V listing shows, so no proof
 * of its objects is read for it (WorkerProcess.recordOrphansLeftBy): a local worker is listed here, one in ipcns is not.
 */
@ExtendWith(TakesTheKeyFileTurn.class)
class ObjectsListedElsewhereTest {

    @Test
    void onlyAWorkerInAnotherIpcNamespaceIsListedElsewhere() throws Exception {
        try (RunContext run = RunContext.create(); Environment ipcns = PooledSchedules.available("ipcns", run)) {
            var command = new WorkerCommands(run).command("sysv", null, null);
            WorkerProcess local = new WorkerProcess("A", new LocalEnvironment().start(command, "g"), run.logs().resolve("A.log"));
            WorkerProcess inNamespace = new WorkerProcess("B", ipcns.start(command, "g"), run.logs().resolve("B.log"));
            try {
                assertNotNull(local.awaitHello(Duration.ofSeconds(60)), "A said hello");
                assertNotNull(inNamespace.awaitHello(Duration.ofSeconds(60)), "B said hello");
                assertFalse(local.objectsListedElsewhere(), "a local worker's objects are in the harness's listing");
                assertTrue(inNamespace.objectsListedElsewhere(), "ipcns: its objects are in its group's namespace");
            } finally {
                local.killAndReap(Duration.ofSeconds(30));
                inNamespace.killAndReap(Duration.ofSeconds(30));
            }
        }
    }
}
