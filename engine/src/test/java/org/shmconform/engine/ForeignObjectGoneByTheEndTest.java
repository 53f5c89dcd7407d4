package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.QtKeyFile;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * Another program's segment at the ftok value of an execution's key file, made after the execution's first step and
 * removed by that program before the execution's end, no worker of the execution having used it: a create through the
 * file met it (AlreadyExists), and the look at the end finds nothing. Trigger: `fuzz -b qt` beside a program that keeps
 * its segments about a tenth of a second FAILed CREATE-SIZE ("create(16) of a new key returned false (AlreadyExists)")
 * at its third schedule with only the look at the end; the look at the create's answer ({@link
 * Ledger#foreignAtKeysNow}, which ScheduleAttempt makes at every AlreadyExists of a create) sees it while it is there,
 * and the look at the end no longer can.
 */
class ForeignObjectGoneByTheEndTest {
    @Test
    void aSegmentMetAtACreateAndGoneByTheEndIsSeenOnlyAtTheCreate(@TempDir Path runDir, @TempDir Path tmp) throws Exception {
        long startNanos = System.nanoTime();
        Ledger ledger = Ledger.create(runDir, System.currentTimeMillis() / 1000 - 1);
        String prefix = "shmcf" + RunContext.letters(6) + "b";
        Path keyFile = QtKeys.systemVKeyFile(tmp, prefix + "k", QtKeys.SHARED_MEMORY_PREFIX);
        Files.createFile(keyFile);
        QtKeyFile k = QtKeyFile.lstat(keyFile).orElseThrow();
        int id = LibC.INSTANCE.shmget(k.key(), 64, LibC.IPC_CREAT | LibC.IPC_EXCL | 0600);
        if (id < 0) {
            ledger.close();
            org.junit.jupiter.api.Assumptions.abort("a segment is at key " + k.key() + " already: not this test's to plant");
        }
        Set<Long> workers = Set.of(ProcessHandle.current().pid() + 1_000_000L); // none of them made it: this JVM did
        try {
            List<String> atTheCreate = ledger.foreignAtKeysNow(prefix, List.of(tmp), Set.of(), workers);
            assertEquals(1, atTheCreate.size(), "seen while it is there: " + atTheCreate);
            assertTrue(atTheCreate.get(0).contains("none of this execution's workers"), atTheCreate.get(0));
        } finally {
            SysVObjects.segments().stream().filter(s -> s.id() == id).forEach(s -> SysVObjects.remove(s.obj()));
        }
        assertEquals(List.of(), ledger.foreignAtKeysOf(prefix, true, Set.of(), workers, startNanos),
                "gone by the end, and no worker used it: only the look at the create could see it");
        assertTrue(Ledger.read(runDir).stream().anyMatch(e -> e.kind().equals("foreign") && e.field(1).equals(String.valueOf(id))),
                "written to the ledger as foreign");
        ledger.close();
    }

    /**
     * The same in an execution: the segments are planted once its first step was sent (its intent is in the ledger),
     * after the listing before it, and before the create is sent; they are removed once the create met one (the look at
     * its answer wrote it to the ledger) and before the execution's last step is sent, so before the look at the end; no
     * worker uses them. Before the look at the create's answer the execution FAILed CREATE-SIZE with nothing said.
     *
     * <p>No clock orders these: the engine writes a step's intent to the ledger, under the ledger's lock ({@link
     * Ledger#intend} is synchronized), before it sends the step ("Written before the worker can make anything under this
     * key", ScheduleAttempt#perform), and looks at its keys under that lock too. The test holds that lock while it
     * plants, once the engine's thread waits for it to write a step's intent after the first step's and before the
     * create's; and while it removes, once the create's look wrote what it met and before the last step's intent. The
     * sleeps of the schedule only keep the engine away from the lock while the test takes it, and the test checks, under
     * the lock, that it did (on a loaded machine the plant once took longer than the 700 ms sleep, and the create's key
     * file missed the window: skipped). The sleeps are {@value #SLEEP_MS} ms since 2026-12-07, so that a test thread that a
     * busy machine keeps off the CPU for a while still takes the lock before the engine goes on.
     */
    @Test
    void aCreateThatMetASegmentGoneByTheEndIsToldNeverAFailure() throws Exception {
        PlantedSegments.inAStateDirectoryOnTmpfs(ForeignObjectGoneByTheEndTest::plantWhileItRuns);
    }

    private static final long SLEEP_MS = 3_000;

    private static void plantWhileItRuns() throws Exception {
        java.util.concurrent.ExecutorService trialThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        PlantedSegments planted = null;
        try (RunContext run = RunContext.create()) {
            Path tmp = run.workerTmp();
            Ledger ledger = run.ledger();
            ScheduleRunner runner = new ScheduleRunner(run, java.util.Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule schedule = new Schedule("foreign-gone-by-the-end", null, List.of(WorkerSpec.local("A", "sysv"),
                    WorkerSpec.local("B", "sysv")), List.of(org.shmconform.schedule.Steps.attach("B", "j"), Step.of("A", "sleep").ms(SLEEP_MS),
                    org.shmconform.schedule.Steps.create("A", "k", 64), Step.of("A", "sleep").ms(SLEEP_MS),
                    org.shmconform.schedule.Steps.attach("B", "z"), org.shmconform.schedule.Steps.detach("A")));
            // The turn held by the thread that runs the trial, from before the segments until they are gone.
            java.util.concurrent.CountDownLatch removed = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CompletableFuture<Thread> engine = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.Future<Trial> trial = trialThread.submit(() -> {
                engine.complete(Thread.currentThread());
                try (KeyFileTurns.Turn turn = KeyFileTurns.hold()) {
                    Trial done = Trial.run(runner, schedule, "sysv", List.of());
                    removed.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    return done;
                }
            });
            Thread engineThread = engine.get(60, java.util.concurrent.TimeUnit.SECONDS);
            // The create's intent, then its look and the last step's intent, are written under this lock.
            planted = underTheLedgersLockBefore(ledger, engineThread, run, "k", () -> stepsIntended(run).equals(List.of("j")),
                    PlantedSegments::afterAProbe);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(2))
                    .until(() -> Ledger.read(run.runDir()).stream().anyMatch(e -> e.kind().equals("foreign"))
                            || stepsIntended(run).contains("z"));
            PlantedSegments toRemove = planted;
            if (stepsIntended(run).contains("z")) {
                toRemove.close(); // the create met none of them: told below, by the assumption
            } else {
                underTheLedgersLockBefore(ledger, engineThread, run, "z", () -> true, () -> {
                    toRemove.close();
                    return toRemove;
                });
            }
            removed.countDown();
            Trial t = trial.get(60, java.util.concurrent.TimeUnit.SECONDS);
            Execution x = t.execution();
            String told = String.join("\n", x.problems()) + "\n" + String.join("\n", x.notes());
            planted.assumeAKeyFileOfTheRunTookOne(run, tmp);
            assertTrue(told.contains(Execution.FOREIGN_OBJECT), "a segment met at the create is told:\n" + told);
            PlantedSegments.assertToldAndNeverAFailure(t);
        } finally {
            if (planted != null) {
                planted.close();
            }
            trialThread.shutdownNow();
        }
    }

    /** What is done while the engine cannot write the next step's intent. */
    private interface Gated<T> {
        T run() throws Exception;
    }

    /**
     * Runs {@code gated} holding the ledger's lock, at a moment the engine's thread waits for that lock to write a step's
     * intent (in ScheduleAttempt#perform) and {@code ready} holds, and the intent of the step on {@code key} is not yet
     * written: so that step is sent after {@code gated} is done. The lock is let go, for the engine to go on, whenever
     * the engine waits for it for anything else (a proof written at an answer) or {@code ready} does not hold yet.
     */
    private static <T> T underTheLedgersLockBefore(Ledger ledger, Thread engine, RunContext run, String key,
                                                   java.util.function.BooleanSupplier ready, Gated<T> gated) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            synchronized (ledger) {
                assertTrue(!stepsIntended(run).contains(key), "the step on " + key + " was sent before the test could hold the"
                        + " ledger's lock: " + stepsIntended(run));
                // The engine runs until it waits for this lock (or for a worker's answer meanwhile).
                long waitUntil = System.nanoTime() + 50_000_000L;
                while (!waitsForTheLedger(engine, ledger) && System.nanoTime() < waitUntil) {
                    Thread.onSpinWait();
                }
                if (waitsForTheLedger(engine, ledger) && inPerform(engine) && ready.getAsBoolean()) {
                    return gated.run();
                }
            }
            // Let go until the engine took the lock, if it waits for it, or for a while if it does not.
            long letGoUntil = System.nanoTime() + 1_000_000L;
            while (waitsForTheLedger(engine, ledger) && System.nanoTime() < letGoUntil) {
                Thread.onSpinWait();
            }
        }
        throw new AssertionError("the engine never waited for the ledger's lock to write a step's intent");
    }

    private static boolean waitsForTheLedger(Thread engine, Ledger ledger) {
        java.lang.management.ThreadInfo info = java.lang.management.ManagementFactory.getThreadMXBean().getThreadInfo(engine.getId());
        return info != null && info.getThreadState() == Thread.State.BLOCKED && info.getLockInfo() != null
                && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(ledger);
    }

    private static boolean inPerform(Thread engine) {
        return java.util.Arrays.stream(engine.getStackTrace()).anyMatch(f -> f.getClassName().equals(ScheduleAttempt.class.getName())
                && f.getMethodName().equals("perform"));
    }

    /**
     * The keys (without the execution's prefix) whose steps the engine has announced, in order: each step's intent names
     * the key itself as a file in each TMPDIR (Qt 6.8's platform-safe key), found by the first TMPDIR's.
     */
    private static List<String> stepsIntended(RunContext run) {
        List<String> safe = Ledger.read(run.runDir()).stream().filter(e -> e.kind().equals("intent"))
                .map(e -> Path.of(e.field(0))).filter(f -> f.getParent().equals(run.workerTmp())
                        && !f.getFileName().toString().startsWith("qipc_")).map(f -> f.getFileName().toString()).toList();
        if (safe.isEmpty()) {
            return List.of();
        }
        String first = safe.get(0);
        String prefix = first.substring(0, first.length() - 1); // the first step's key is one letter
        return safe.stream().filter(n -> n.startsWith(prefix)).map(n -> n.substring(prefix.length())).toList();
    }
}
