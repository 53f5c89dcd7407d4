package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.protocol.WorkerProtocol;

/**
 * Every Java worker, pooled or fresh, starts with the JIT's thresholds raised ({@link WorkerCommands#SHORT_LIFE_JIT}),
 * which the JVM accepts and after which the worker serves as before; a native worker's command does not carry it.
 */
@ExtendWith(TakesTheKeyFileTurn.class)
class ShortLifeJitTest {
    /** Only a hang reaches it: a JVM whose JIT starts later may take long to say hello on a busy machine. */
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void aJavaWorkerRaisesTheJitsThresholdsAndServesAsBefore() throws Exception {
        try (RunContext run = RunContext.create(); LocalEnvironment local = new LocalEnvironment()) {
            WorkerCommand command = new WorkerCommands(run).command("sysv", null, null);
            int option = command.arguments().indexOf(WorkerCommands.SHORT_LIFE_JIT);
            assertTrue(option >= 0 && option < command.arguments().indexOf("-cp"), "a JVM option, before the class path: " + command.arguments());

            WorkerProcess worker = new WorkerProcess("A", local.start(command, "g"), run.logs().resolve("jit-A.log"));
            try {
                worker.recordOrphansIn(run.ledger());
                assertNotNull(worker.awaitHello(WAIT), "the JVM accepted the option and said hello");
                long pid = worker.hostPid().getAsLong();
                String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
                assertTrue(List.of(cmdline.split("\0")).contains(WorkerCommands.SHORT_LIFE_JIT), cmdline);
                assertTrue(ask(worker, 1, Op.create, new Args("sl" + run.runId(), 64L, null, null, null, null, null, null, null)).ok(),
                        "create answered ok");
                assertTrue(ask(worker, 2, Op.detach, Args.NONE).ok(), "detach answered ok");
            } finally {
                worker.killAndReap(WAIT);
            }
        }
    }

    @Test
    void aNativeWorkersCommandDoesNotCarryIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Subjects.here().availability("qt").available(), "the Qt 6.4 worker is not built here");
        try (RunContext run = RunContext.create()) {
            WorkerCommand qt = new WorkerCommands(run).command("qt", null, null);
            assertTrue(qt.classPath().isEmpty(), "a native worker");
            assertFalse(qt.arguments().contains(WorkerCommands.SHORT_LIFE_JIT), qt.arguments().toString());
        }
    }

    private static WorkerProtocol.Reply ask(WorkerProcess worker, long seq, Op op, Args args) throws Exception {
        worker.send(new WorkerProtocol.Request(seq, op, args));
        WorkerProcess.Received r = worker.poll(WAIT);
        assertNotNull(r, op + " answered");
        assertNotNull(r.reply(), op + " answered with a reply: " + r);
        return r.reply();
    }
}
