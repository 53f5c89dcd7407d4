package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.shmconform.engine.launch.ForkServer;
import org.shmconform.engine.launch.ProcessWorkerHandle;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;
import org.shmconform.engine.launch.WorkerLauncher;

/**
 * A worker gets the variables its command names, the system's PATH and the locale, nothing else of the harness's
 * environment: a worker of another user runs a program whose /proc/PID/environ that user may read, and a root harness's
 * environment may carry a CI's secrets. Before, every worker inherited the harness's whole environment.
 */
class WorkerEnvironmentTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest
    @CsvSource({"sysv,nobody", "sysv,", "qt,nobody", "qt,"})
    void aStartedWorkerHasOnlyTheVariablesItsCommandNames(String column, String user) throws Exception {
        assumeTrue(user == null || org.shmconform.engine.state.PrivateDirectory.myUid() == 0, "a worker as nobody needs root");
        try (RunContext run = RunContext.create()) {
            WorkerCommand command = commandOrSkip(run, column, user);
            ProcessWorkerHandle worker = ProcessWorkerHandle.start(command, command.program().toString());
            try {
                // Read once it said hello: inside an exec the kernel lays the new program's environment out late.
                assertNotNull(new WorkerProcess(column, worker, run.logs().resolve("environment.log")).awaitHello(WAIT));
                assertOnlyItsOwn(worker.pid(), command);
            } finally {
                worker.kill();
                worker.awaitExit(WAIT);
            }
        }
    }

    /** A Qt worker forked by the pool's fork server has what the server was started with. */
    @Test
    void aForkedWorkerHasOnlyTheVariablesItsCommandNames() throws Exception {
        try (RunContext run = RunContext.create()) {
            WorkerCommand command = commandOrSkip(run, QtReferenceWorker.IMPL, null);
            assumeTrue(command.forksWorkers(), "the Qt worker forks its workers here");
            try (ForkServer server = ForkServer.start(command, run.logs().resolve("server.stderr.log"))) {
                WorkerHandle forked = server.fork();
                try {
                    assertNotNull(new WorkerProcess("forked", forked, run.logs().resolve("forked.log")).awaitHello(WAIT));
                    assertOnlyItsOwn(forked.hostPid().getAsLong(), command);
                } finally {
                    forked.kill();
                }
            }
        }
    }

    private static WorkerCommand commandOrSkip(RunContext run, String column, String user) {
        assumeTrue(Subjects.here().availability(column).available(), column + " cannot run here");
        return new WorkerCommands(run).command(column, user, null);
    }

    private static void assertOnlyItsOwn(long pid, WorkerCommand command) throws Exception {
        // PWD: the pid hold's sh sets it to the working directory as it starts, whatever it was given. BIND_NOW: the fork
        // server's own (ld.so).
        Set<String> allowed = new HashSet<>(Set.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", WorkerLauncher.PARENT_PID, "PWD",
                "LD_BIND_NOW"));
        allowed.addAll(command.environment().keySet());
        Set<String> harnesss = new TreeSet<>(System.getenv().keySet());
        harnesss.removeAll(allowed);
        assumeTrue(!harnesss.isEmpty(), "this JVM's environment has nothing a worker must not get");
        Set<String> names = new TreeSet<>();
        for (String entry : new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                StandardCharsets.UTF_8).split("\0")) {
            if (!entry.isEmpty()) {
                names.add(entry.substring(0, entry.indexOf('=')));
            }
        }
        assertTrue(names.containsAll(command.environment().keySet()), names.toString());
        names.removeAll(allowed);
        assertEquals(Set.of(), names, "of the harness's " + harnesss + ", the worker got");
    }
}
