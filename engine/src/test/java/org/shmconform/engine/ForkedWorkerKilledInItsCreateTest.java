package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.shmconform.schedule.Steps.create;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * A Qt worker forked by its fork server (as a pool's are) and SIGKILLed by another hand inside its create, after its
 * semget and shmget and before its shmat: its set and its segment were seen by no reading while it lived. Its server
 * reaps it only when the engine asks, so until then its pid is its own, and the engine's look after its end records
 * both, which the reaper then removes. Real processes: strace is the other hand, injecting SIGKILL at the entry of the
 * first shmat of the schedule's workers (A's, in its create), and is detached as soon as one of them died. Without the
 * look before the reaping, both objects outlived the run (checked).
 */
class ForkedWorkerKilledInItsCreateTest {
    private static final Path STRACE = Path.of("/usr/bin/strace");

    @Test
    void theSetAndSegmentOfAForkedWorkerKilledFromOutsideInItsCreateAreReaped() throws Exception {
        assumeTrue(Files.isExecutable(STRACE), "no strace here to kill a worker inside its create");
        long started = System.currentTimeMillis() / 1000;
        List<Long> killed = new ArrayList<>();
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults()).reusingWorkers().withoutSpares();
            Schedule s = new Schedule("qt", null, List.of(WorkerSpec.local("A", "qt"), WorkerSpec.local("B", "qt")),
                    List.of(Step.of("B", "sleep").ms(3000), create("A", "k", 64), Step.of("B", "sleep").ms(1000)));
            String why = runner.unavailableReason(s);
            assumeTrue(why == null, "qt: " + why);
            CompletableFuture<Victim> victim = CompletableFuture.supplyAsync(() -> killAtTheFirstShmat(started));
            Execution x = runner.run(s);
            Victim v = victim.get();
            assertTrue(v != null, "strace killed a forked worker in its shmat: " + x.problems() + x.history().toJsonLines());
            killed.add(v.pid());
            assertEquals(List.of("sem", "shm"), v.madeWhenItDied().stream().map(SysVObjects.Obj::kind).sorted().toList(),
                    "A had made its set and its segment when it died: " + v.madeWhenItDied());
            assertEquals(1, x.problems().size(), x.problems().toString());
            assertTrue(x.problems().get(0).startsWith(Execution.ENDED_FROM_OUTSIDE + "A ended during its create"), x.problems().toString());
            assertEquals(List.of(), made(killed, started), "what A made before it was killed from outside outlived the schedule");
        } finally {
            made(killed, started).forEach(SysVObjects::remove); // only what the killed worker made or operated last
        }
    }

    /**
     * Waits for this JVM's two forked Qt workers (children of its fork server), traces both, SIGKILLs the first to enter
     * shmat, and detaches from the other once it died; what it killed, or null.
     */
    private record Victim(long pid, List<SysVObjects.Obj> madeWhenItDied) {
    }

    private static Victim killAtTheFirstShmat(long since) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        try {
            List<ProcessHandle> forked = List.of();
            while (forked.size() < 2 && System.nanoTime() < deadline) {
                forked = ProcessHandle.current().children().filter(p -> p.info().command().orElse("").endsWith(QtReferenceWorker.BINARY_NAME))
                        .flatMap(ProcessHandle::children).filter(ProcessHandle::isAlive).toList();
                Thread.sleep(5);
            }
            if (forked.size() != 2) {
                return null;
            }
            List<String> argv = new ArrayList<>(List.of(STRACE.toString(), "-qq", "-o", "/dev/null", "-e", "trace=shmat",
                    "-e", "inject=shmat:signal=KILL"));
            forked.forEach(p -> argv.addAll(List.of("-p", Long.toString(p.pid()))));
            Process strace = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                while (System.nanoTime() < deadline) {
                    for (ProcessHandle p : forked) {
                        if (!p.isAlive()) {
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

    /** The segments the killed workers created and the sets they operated last, made since {@code since}. */
    private static List<SysVObjects.Obj> made(List<Long> pids, long since) {
        List<SysVObjects.Obj> made = new ArrayList<>();
        for (long pid : pids) {
            SysVObjects.segments().stream().filter(g -> g.cpid() == pid && g.ctime() >= since).forEach(g -> made.add(g.obj()));
            SysVObjects.semaphoreSets().stream().filter(t -> t.ctime() >= since && SysVObjects.lastOperator(t.id()) == pid)
                    .forEach(t -> made.add(t.obj()));
        }
        return made;
    }
}
