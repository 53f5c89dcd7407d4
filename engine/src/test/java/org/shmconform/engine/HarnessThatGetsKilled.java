package org.shmconform.engine;

import org.shmconform.engine.launch.ForkServer;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;

import java.time.Duration;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.Environments;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;

/**
 * A harness for {@link WorkerDiesWithHarnessTest} to SIGKILL: it starts two posix workers in the
 * named environment (optionally as another user) through the engine's own start path; A creates a
 * segment, B attaches, A takes the lock and is SIGKILLed (a posix lock has no undo: it stays held), and B
 * asks for the lock and blocks for good. It prints {@code run <id> <dir>}, {@code worker <pid>} and
 * {@code blocked}, then waits to be killed. After the create it prints {@code keys <ftok value>...} of its key files. Its
 * workers' System V objects are recorded in the run's ledger at each reply, as the engine records them.
 *
 * <p>With the column {@code qt} (the Qt 6.4 worker, which arms its parent-death signal itself instead of going through
 * setpriv), A is not killed, for its System V lock would be undone at its death: A is stopped (SIGSTOP) holding it, so
 * neither its stdin's end nor anything but the kernel's parent-death signal ends it or B, blocked behind it. It
 * prints {@code holder <pid>} for the test to clean up after a failure.
 *
 * <p>With a column named {@code <column>-forked} (qt-forked), both workers are forked by one fork server, as a pool's are.
 *
 * <p>Usage: {@code HarnessThatGetsKilled <environment> [user|-] [column]}
 */
public final class HarnessThatGetsKilled {
    private HarnessThatGetsKilled() {
    }

    public static void main(String[] args) throws Exception {
        String user = args.length > 1 && !args[1].equals("-") ? args[1] : null;
        String column = args.length > 2 ? args[2] : "posix";
        RunContext run = RunContext.create();
        System.out.println("run " + run.runId() + " " + run.runDir());
        Environment env = Environments.create(args[0], run.runId(), 1L << 20).orElseThrow();
        if (!env.availability().available()) {
            System.out.println("unavailable " + env.availability().reason());
            return;
        }
        WorkerCommands commands = new WorkerCommands(run);
        WorkerProcess a = start(env, commands, "A", user, run, column);
        WorkerProcess b = start(env, commands, "B", user, run, column);
        String key = run.keyPrefix() + "pdeath";
        expectOk(a, new Request(1, Op.create, Args.NONE.withKey(key).withSize(64L)));
        // The ftok values of the key files the create made (Qt's legacy ones in TMPDIR, Qt 6.8's in XDG_RUNTIME_DIR), for
        // the test to check that the next run's reaper left no object at them.
        StringBuilder keys = new StringBuilder("keys");
        for (java.nio.file.Path tmp : run.workerTmps()) {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(tmp)) {
                for (java.nio.file.Path f : files.filter(f -> f.getFileName().toString().contains(org.shmconform.backends.QtKeys
                        .lettersOf(key))).toList()) {
                    org.shmconform.backends.sysv.QtKeyFile.lstat(f).ifPresent(k -> keys.append(' ').append(k.key()));
                }
            }
        }
        System.out.println(keys);
        // B attaches first: attach() takes the lock for a moment (as Qt's does), so after A dies it could not.
        expectOk(b, new Request(2, Op.attach, Args.NONE.withKey(key)));
        expectOk(a, new Request(3, Op.lock, Args.NONE));
        if (column.equals("posix")) {
            a.killAndReap(Duration.ofSeconds(30));
        } else {
            long holder = a.hostPid().orElse(a.hello().pid());
            if (new ProcessBuilder("kill", "-STOP", Long.toString(holder)).inheritIO().start().waitFor() != 0) {
                throw new IllegalStateException("cannot stop " + holder);
            }
            System.out.println("holder " + holder);
        }
        b.send(new Request(4, Op.lock, Args.NONE));
        // The pid as this (the host's) pid namespace sees it: a container's worker has another inside.
        System.out.println("worker " + b.hostPid().orElse(b.hello().pid()));
        // Not a verdict, a precondition the test reports: B has not got the lock its dead holder kept.
        WorkerProcess.Received early = b.poll(Duration.ofSeconds(2));
        System.out.println(early == null ? "blocked" : "not-blocked " + early);
        Thread.sleep(Long.MAX_VALUE); // until the test's SIGKILL
    }

    private static WorkerProcess start(Environment env, WorkerCommands commands, String id, String user, RunContext run,
                                       String column) throws Exception {
        // From a thread that ends at once, as the engine's start pool does: the worker must survive that.
        WorkerProcess[] started = new WorkerProcess[1];
        Exception[] failed = new Exception[1];
        Thread starter = new Thread(() -> {
            try {
                String base = column.replace(FORKED, "");
                WorkerCommand command = commands.command(base, user, null);
                started[0] = new WorkerProcess(id, column.endsWith(FORKED) ? forkServer(command, run).fork() : env.start(command, "g"),
                        run.logs().resolve(id + ".stderr.log"));
            } catch (Exception e) {
                failed[0] = e;
            }
        });
        starter.start();
        starter.join();
        if (failed[0] != null) {
            throw failed[0];
        }
        if (started[0].awaitHello(Duration.ofSeconds(60)) == null) {
            throw new IllegalStateException("worker " + id + " did not say hello; see " + run.logs());
        }
        started[0].recordOrphansIn(run.ledger()); // as the engine's start does: what it makes is proven its own from now on
        return started[0];
    }

    /** A column name ending so ("qt-forked") has its workers forked by a fork server, as a pool does. */
    static final String FORKED = "-forked";
    private static ForkServer server;

    private static synchronized ForkServer forkServer(WorkerCommand command, RunContext run) throws java.io.IOException {
        if (server == null) {
            server = ForkServer.start(command, run.logs().resolve("fork-server.stderr.log"));
        }
        return server;
    }

    private static void expectOk(WorkerProcess w, Request r) throws Exception {
        w.send(r);
        WorkerProcess.Received got = w.poll(Duration.ofSeconds(30));
        Reply reply = got == null ? null : got.reply();
        if (reply == null || !reply.ok()) {
            throw new IllegalStateException(w.id() + " " + r.op() + " failed: " + (got == null ? "no reply" : reply));
        }
        // As the engine does at these replies on a column whose lock is a System V set (ScheduleAttempt#mayLeaveAnUndo):
        // the worker's segment and set go into the run's ledger while it lives, the only proof a dead run leaves.
        w.recordOrphansItLeft();
    }
}
