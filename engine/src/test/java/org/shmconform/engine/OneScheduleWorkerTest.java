package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.protocol.WorkerProtocol;

/**
 * A Java worker that serves one schedule (a container's, or any with --fresh-workers) starts with the
 * JIT's thresholds raised ({@link WorkerCommands#forOneSchedule}); a pooled one and a native one start as before.
 */
class OneScheduleWorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aJavaWorkerForOneScheduleRaisesTheJitsThresholdsAndServesAsBefore() throws Exception {
        try (RunContext run = RunContext.create(); LocalEnvironment local = new LocalEnvironment()) {
            WorkerCommand pooled = new WorkerCommands(run).command("sysv", null, null);
            WorkerCommand once = WorkerCommands.forOneSchedule(pooled);
            assertTrue(!pooled.arguments().contains(WorkerCommands.ONE_SCHEDULE_JIT), "the pool's command is unchanged");
            assertEquals(WorkerCommands.ONE_SCHEDULE_JIT, once.arguments().get(0), "a JVM option, before the class path");
            assertEquals(pooled.arguments(), once.arguments().subList(1, once.arguments().size()));
            assertEquals(pooled.classPath(), once.classPath());
            assertEquals(pooled.environment(), once.environment());

            WorkerProcess worker = new WorkerProcess("A", local.start(once, "g"), run.logs().resolve("once-A.log"));
            try {
                worker.recordOrphansIn(run.ledger());
                assertNotNull(worker.awaitHello(WAIT), "the JVM accepted the option and said hello");
                long pid = worker.hostPid().getAsLong();
                String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
                assertTrue(List.of(cmdline.split("\0")).contains(WorkerCommands.ONE_SCHEDULE_JIT), cmdline);
                assertTrue(ask(worker, 1, Op.create, new Args("os" + run.runId(), 64L, null, null, null, null, null, null, null)).ok(),
                        "create answered ok");
                assertTrue(ask(worker, 2, Op.detach, Args.NONE).ok(), "detach answered ok");
            } finally {
                worker.killAndReap(WAIT);
            }
        }
    }

    @Test
    void aNativeWorkersCommandIsLeftAsItIs() {
        WorkerCommand qt = new WorkerCommand(Path.of("/opt/qt_shm_worker"), List.of(), List.of(), Map.of("TMPDIR", "/x"), null, true, true);
        assertSame(qt, WorkerCommands.forOneSchedule(qt));
    }

    private static WorkerProtocol.Reply ask(WorkerProcess worker, long seq, Op op, Args args) throws Exception {
        worker.send(new WorkerProtocol.Request(seq, op, args));
        WorkerProcess.Received r = worker.poll(WAIT);
        assertNotNull(r, op + " answered");
        assertNotNull(r.reply(), op + " answered with a reply: " + r);
        return r.reply();
    }
}
