package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.unlock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.launch.ForkServer;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;
import org.shmconform.history.Execution;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.protocol.WorkerProtocol;

/**
 * The Qt 6.4 worker as a fork server (WorkerProtocol.ForkServer), on real processes: a forked worker is a process of
 * its own whose parent is the server, says hello with its own pid and speaks the protocol on its pipes, of which the
 * server keeps no end; a SIGKILL
 * through its handle is reported 128+9 and an exit 0, each reaped by the server when asked (no zombie is left);
 * closing the server ends a worker it forked; a pool of the qt column forks its workers.
 */
class ForkServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static RunContext run;

    @BeforeAll
    static void start() {
        var here = Subjects.here().availability(QtReferenceWorker.IMPL);
        Assumptions.assumeTrue(here.available(), () -> "qt: NOT_AVAILABLE " + here.reason());
        run = RunContext.create();
    }

    @AfterAll
    static void stop() {
        if (run != null) {
            run.close();
        }
    }

    private static WorkerCommand qtCommand() {
        WorkerCommand command = new WorkerCommands(run).command(QtReferenceWorker.IMPL, null, null);
        assertTrue(command.forksWorkers(), "the Qt worker of the harness's user forks its workers");
        return command;
    }

    private static ForkServer server(String name) throws IOException {
        return ForkServer.start(qtCommand(), run.logs().resolve(name + ".stderr.log"));
    }

    /** The 4th field of /proc/PID/stat (after the command name, which may hold spaces), or -1 if it is gone. */
    private static long parentOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException e) {
            return -1;
        }
    }

    private static List<String> descriptors(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The server's children that have exited and that nobody reaped. */
    private static List<Long> zombiesOf(long server) throws IOException {
        List<Long> zombies = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (after[0].equals("Z") && Long.parseLong(after[1]) == server) {
                        zombies.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return zombies;
    }

    private static WorkerProcess forked(ForkServer server, String name) throws Exception {
        WorkerHandle handle = server.fork();
        WorkerProcess worker = new WorkerProcess(name, handle, run.logs().resolve(name + ".log"));
        WorkerProtocol.Hello hello = worker.awaitHello(WAIT);
        assertNotNull(hello, "the forked worker said hello");
        // Dated from its hello, as the pool does: what it makes is the run's, and the run's reaper removes it.
        worker.recordOrphansIn(run.ledger());
        assertEquals(handle.hostPid().getAsLong(), hello.pid(), "its hello names the pid the server forked");
        return worker;
    }

    private static WorkerProtocol.Reply ask(WorkerProcess worker, long seq, Op op, Args args) throws Exception {
        worker.send(new WorkerProtocol.Request(seq, op, args));
        WorkerProcess.Received r = worker.poll(WAIT);
        assertNotNull(r, op + " answered");
        assertNotNull(r.reply(), op + " answered with a reply: " + r);
        assertEquals(seq, r.reply().seq());
        return r.reply();
    }

    @Test
    void aForkedWorkerIsTheServersChildAndItsKillIsReportedAndReapedByTheServer() throws Exception {
        try (ForkServer server = server("kill")) {
            WorkerProcess worker = forked(server, "fork-kill");
            long pid = worker.hostPid().getAsLong();
            assertNotEquals(server.pid(), pid);
            assertEquals(server.pid(), parentOf(pid), "the server forked it");
            assertEquals(List.of("0", "1", "2"), descriptors(server.pid()), "the server keeps no end of the worker's pipes");
            assertEquals(List.of("0", "1", "2"), descriptors(pid), "the worker holds its own three pipes and nothing else");
            String key = "fst" + run.runId();
            assertTrue(ask(worker, 1, Op.create, new Args(key, 64L, null, null, null, null, null, null, null)).ok());
            assertTrue(ask(worker, 2, Op.lock, Args.NONE).ok());
            assertTrue(ask(worker, 3, Op.unlock, Args.NONE).ok());
            assertEquals(128 + 9, worker.killAndReap(WAIT), "a SIGKILL, as the server's waitpid saw it");
            assertEquals(List.of(), zombiesOf(server.pid()), "the server reaped it");
            assertNotEquals(server.pid(), parentOf(pid), "no process of the server has its pid any more");
            worker.shutdown(Duration.ZERO);
        }
    }

    /**
     * The server binds every symbol before it forks (LD_BIND_NOW in its environment), so a forked worker's operations
     * bind none on first use: with the dynamic linker's LD_DEBUG=bindings, which prints each binding when it is made
     * (ld.so(8)), on the worker's stderr, its create, lock, unlock and detach print none. Without LD_BIND_NOW they print
     * bindings made there (the first, when this was written: libc's {@code syscall}). The log is read once the worker's
     * stderr copier has ended (its pipe's end of file), so no line it wrote can be missed.
     */
    @Test
    void aForkedWorkersOperationsBindNoSymbolOnFirstUse() throws Exception {
        WorkerCommand plain = qtCommand();
        Map<String, String> environment = new HashMap<>(plain.environment());
        environment.put("LD_DEBUG", "bindings");
        WorkerCommand traced = new WorkerCommand(plain.program(), plain.arguments(), plain.classPath(), environment,
                plain.user(), plain.armsItsParentDeathSignal(), plain.forksWorkers(), plain.holdDirectory());
        try (ForkServer server = ForkServer.start(traced, run.logs().resolve("bind-now.stderr.log"))) {
            WorkerProcess worker = forked(server, "fork-bind-now");
            String key = "fsb" + run.runId();
            assertTrue(ask(worker, 1, Op.create, new Args(key, 64L, null, null, null, null, null, null, null)).ok());
            assertTrue(ask(worker, 2, Op.lock, Args.NONE).ok());
            assertTrue(ask(worker, 3, Op.unlock, Args.NONE).ok());
            assertTrue(ask(worker, 4, Op.detach, Args.NONE).ok());
            worker.shutdown(WAIT);
            assertEquals(0, worker.reap(WAIT));
            Thread copier = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("worker-fork-bind-now-stderr")).findFirst().orElse(null);
            if (copier != null) {
                copier.join(WAIT.toMillis());
                assertFalse(copier.isAlive(), "the worker's stderr copier did not end: its log may lack lines");
            }
            String log = Files.readString(run.logs().resolve("fork-bind-now.log"));
            assertFalse(log.contains("binding file"), "bindings made in the forked worker:\n" + log);
            assertTrue(Files.readString(run.logs().resolve("bind-now.stderr.log")).contains("binding file"),
                    "the server's own bindings were printed (LD_DEBUG took)");
        }
    }

    @Test
    void aWorkerThatExitsIsReportedWithItsStatus() throws Exception {
        try (ForkServer server = server("exit")) {
            WorkerProcess worker = forked(server, "fork-exit");
            worker.shutdown(WAIT); // asks it to exit
            assertEquals(0, worker.reap(WAIT));
            assertEquals(List.of(), zombiesOf(server.pid()));
        }
    }

    @Test
    void closingTheServerEndsAWorkerItForked() throws Exception {
        WorkerProcess worker;
        long pid;
        try (ForkServer server = server("close")) {
            worker = forked(server, "fork-close");
            pid = worker.hostPid().getAsLong();
            assertFalse(worker.gone());
        }
        assertNotNull(worker.reap(WAIT), "pid " + pid + " died with its server (its parent-death signal)");
        assertTrue(worker.gone());
        worker.shutdown(Duration.ZERO);
    }

    @Test
    void aPoolOfTheQtColumnForksItsWorkersAndAKilledOneIsStillReportedKilled() throws Exception {
        Execution x = WorkerPoolTest.execute(run, QtReferenceWorker.IMPL, create("A", "k", 64), lock("A"), kill("A"),
                create("B", "j", 64), lock("B"), unlock("B"), detach("B"));
        long parent = parentOf(x.workers().get("B").pid()); // B is back in the pool, alive
        assertNotEquals(ProcessHandle.current().pid(), parent, "a pooled Qt worker is forked, not the harness's child");
        String cmd = Files.readString(Path.of("/proc", Long.toString(parent), "cmdline"));
        assertTrue(cmd.contains(WorkerProtocol.ForkServer.ARGUMENT), "its parent is a fork server: " + cmd);
        assertEquals(128 + 9, x.workers().get("A").exitStatus(), "A, forked and killed, is reported dead of SIGKILL");
    }
}
