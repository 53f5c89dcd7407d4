package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;

/**
 * Another hand for the tests of a worker killed inside its create: strace traces the schedule's two workers once they
 * are there and SIGKILLs the first to enter shmat (after its semget and shmget). strace attaches to running processes
 * while the schedule goes on, so the schedule gives it a first sleep; under load it may still attach after the create:
 * then nothing is killed, the execution tells no death ({@link #missed}), and the test runs the schedule again instead
 * of judging a create that no other hand touched.
 */
final class ShmatKiller implements AutoCloseable {
    static final Path STRACE = Path.of("/usr/bin/strace");
    /** Attempts a test makes before it says strace never attached in time. */
    static final int ATTEMPTS = 3;

    /** What the killer killed, and what that worker had made (segments it created, sets it operated last) when it died. */
    record Victim(long pid, List<SysVObjects.Obj> madeWhenItDied) {
    }

    private final CompletableFuture<Victim> victim;
    private volatile boolean stop;

    private ShmatKiller(Supplier<List<ProcessHandle>> workers, long sinceSecond) {
        this.victim = CompletableFuture.supplyAsync(() -> killAtTheFirstShmat(workers, sinceSecond));
    }

    /** Starts looking for the two workers {@code workers} lists (asked every 5 ms) and kills the first in shmat. */
    static ShmatKiller start(Supplier<List<ProcessHandle>> workers, long sinceSecond) {
        return new ShmatKiller(workers, sinceSecond);
    }

    static boolean available() {
        return Files.isExecutable(STRACE);
    }

    /** Whether the execution shows no death: strace came after the create, which then ran untouched. */
    static boolean missed(Execution x) {
        return x.problems().isEmpty();
    }

    /** The worker killed, or null if none died within a minute of the start. */
    Victim victim() throws Exception {
        return victim.get(70, TimeUnit.SECONDS);
    }

    /** Stops looking and detaches strace: for an attempt that missed. */
    @Override
    public void close() {
        stop = true;
        try {
            victim.get(70, TimeUnit.SECONDS);
        } catch (Exception e) {
            // nothing killed: nothing to wait for
        }
    }

    private Victim killAtTheFirstShmat(Supplier<List<ProcessHandle>> find, long since) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        try {
            List<ProcessHandle> workers = List.of();
            while (workers.size() < 2 && System.nanoTime() < deadline && !stop) {
                workers = find.get();
                Thread.sleep(5);
            }
            if (workers.size() != 2) {
                return null;
            }
            List<String> argv = new ArrayList<>(List.of(STRACE.toString(), "-qq", "-o", "/dev/null", "-e", "trace=shmat",
                    "-e", "inject=shmat:signal=KILL"));
            workers.forEach(p -> argv.addAll(List.of("-p", Long.toString(p.pid()))));
            Process strace = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                while (System.nanoTime() < deadline && !stop) {
                    for (ProcessHandle p : workers) {
                        if (died(p)) {
                            return new Victim(p.pid(), made(List.of(p.pid()), since));
                        }
                    }
                    Thread.sleep(1);
                }
                return null;
            } finally {
                strace.destroy(); // SIGTERM: strace detaches from the other worker
                strace.waitFor();
            }
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Whether {@code p} has died: gone, or a zombie, which {@link ProcessHandle#isAlive()} still counts as alive (a forked
     * worker stays one until its fork server reaps it, and then the reaper may remove what it made before this looks).
     */
    private static boolean died(ProcessHandle p) {
        try {
            return !p.isAlive() || "Z".equals(org.shmconform.backends.host.ProcText.statField(
                    Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat")), 3));
        } catch (java.io.IOException e) {
            return true; // its /proc entry is gone: reaped
        }
    }

    /**
     * Runs {@code s} (A's create, after a first sleep of B's) until strace killed one of its two workers in its shmat, up to
     * {@link #ATTEMPTS} times (an attempt in which strace came after the create is run again), and checks that A died with
     * its set and segment made, that the execution says so, and that none of it outlived the schedule. The killed worker's
     * pid is added to {@code killed}, for the caller's clean-up.
     */
    static void assertKilledInItsCreateAndReaped(ScheduleRunner runner, Schedule s, Supplier<List<ProcessHandle>> workers,
                                                 long started, List<Long> killed) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try (ShmatKiller killer = start(workers, started)) {
                Execution x = runner.run(s);
                if (missed(x) && attempt < ATTEMPTS) {
                    continue; // strace attached after the create: nothing was killed, nothing to judge
                }
                Victim v = killer.victim();
                assertTrue(v != null && !missed(x), "strace killed a worker in its shmat (attempt " + attempt + "): "
                        + x.problems() + x.history().toJsonLines());
                killed.add(v.pid());
                assertEquals(List.of("sem", "shm"), v.madeWhenItDied().stream().map(SysVObjects.Obj::kind).sorted().toList(),
                        "A had made its set and its segment when it died: " + v.madeWhenItDied());
                assertEquals(1, x.problems().size(), x.problems().toString());
                assertTrue(x.problems().get(0).startsWith(Execution.ENDED_FROM_OUTSIDE + "A ended during its create"), x.problems().toString());
                assertEquals(List.of(), made(killed, started), "what A made before it was killed from outside outlived the schedule");
                return;
            }
        }
    }

    /** The segments the killed workers created and the sets they operated last, made since {@code since}. */
    static List<SysVObjects.Obj> made(List<Long> pids, long since) {
        List<SysVObjects.Obj> made = new ArrayList<>();
        for (long pid : pids) {
            SysVObjects.segments().stream().filter(g -> g.cpid() == pid && g.ctime() >= since).forEach(g -> made.add(g.obj()));
            SysVObjects.semaphoreSets().stream().filter(t -> t.ctime() >= since && SysVObjects.lastOperator(t.id()) == pid)
                    .forEach(t -> made.add(t.obj()));
        }
        return made;
    }
}
