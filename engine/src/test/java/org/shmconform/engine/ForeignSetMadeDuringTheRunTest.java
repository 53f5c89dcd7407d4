package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.host.CoarseClock;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.QtKeyFile;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * Another program's System V semaphore set made while an execution runs, after its first step, at the ftok value a key
 * file of the execution then gets, and operated by a worker: a set names no creator, and the worker's semop makes it the
 * set's last operator, which {@link SetsOfLiveWorker} takes for the proof that the run used it: it was not told, and the
 * reaper removed another program's set. Made as Qt's QSystemSemaphore makes one (semget IPC_CREAT|IPC_EXCL, then SETVAL
 * 1), in a whole second in which the execution's only op in flight was a sleep ({@link QuietSeconds}), planted at a
 * window of inodes after a probe's as {@link PlantedSegments} plants segments; B's attach then makes its lock's key file
 * on one of them, meets the set (semget IPC_EXCL: EEXIST), opens it without a SETVAL (Open mode) and locks and unlocks it
 * around its attach (NotFound). The execution must say what it met and never FAIL for it, and the set must stay.
 */
class ForeignSetMadeDuringTheRunTest {
    /** A set whose last operator is another process is another program's, wherever a look finds it. */
    @Test
    void aSetLastOperatedByAProcessNoneOfTheWorkersIsToldAtAKey(@TempDir Path runDir, @TempDir Path tmp) throws Exception {
        Ledger ledger = Ledger.create(runDir, System.currentTimeMillis() / 1000 - 1);
        String prefix = "shmcf" + RunContext.letters(6) + "b";
        Path keyFile = QtKeys.systemVKeyFile(tmp, prefix + "k", QtKeys.SYSTEM_SEMAPHORE_PREFIX);
        Files.createFile(keyFile);
        QtKeyFile k = QtKeyFile.lstat(keyFile).orElseThrow();
        int id = LibC.INSTANCE.semget(k.key(), 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        if (id < 0) {
            ledger.close();
            org.junit.jupiter.api.Assumptions.abort("a set is at key " + k.key() + " already: not this test's to plant");
        }
        try {
            assertEquals(0, LibC.INSTANCE.semctl(id, 0, LibC.SETVAL, 1), "Qt's SETVAL after its semget");
            Set<Long> workers = Set.of(ProcessHandle.current().pid() + 1_000_000L); // none of them set it: this JVM did
            List<String> told = ledger.foreignAtKeysNow(prefix, List.of(tmp), Set.of(), workers);
            assertEquals(1, told.size(), "told: " + told);
            assertTrue(told.get(0).contains("last operated by process " + ProcessHandle.current().pid()), told.get(0));
            assertEquals(List.of(), ledger.foreignAtKeysNow(prefix, List.of(tmp), Set.of(), Set.of(ProcessHandle.current().pid())),
                    "never when its last operator is a worker of the execution");
        } finally {
            SysVObjects.semaphoreSets().stream().filter(s -> s.id() == id).forEach(s -> SysVObjects.remove(s.obj()));
            ledger.close();
        }
    }

    @Test
    void aSetMadeWhileOnlyASleepRanThenOperatedByAWorkerIsToldNeverAFailureAndNeverRemoved() throws Exception {
        PlantedSegments.inAStateDirectoryOnTmpfs(() -> {
            try (RunContext run = RunContext.create()) {
                plantWhileASleepRuns(run);
            }
        });
    }

    /**
     * Long enough for the planting (a probe, 1,500 semgets, then SETVALs in one whole second, tried again when a busy
     * machine splits them across two) to end within it: about 2.5 s idle, so 6 s was tight beside a run; 15 s left under
     * 3x that (a helper's read, 2026-12-08), 30 s leaves 5x.
     */
    private static final long SLEEP_MS = 30_000;

    private static void plantWhileASleepRuns(RunContext run) throws Exception {
        ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        // B's attach of j makes its lock's key file and set before the window; the set is proven B's at the answer
        // (written to the ledger), after which only A's sleep is in flight until B's attach of k.
        Schedule schedule = new Schedule("foreign-set-during-run", null, List.of(WorkerSpec.local("A", "sysv"),
                WorkerSpec.local("B", "sysv")), List.of(attach("B", "j"), Step.of("A", "sleep").ms(SLEEP_MS), attach("B", "k")));
        java.util.concurrent.ExecutorService trialThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        PlantedSets planted = null;
        // The System V key files' turn, held by the thread that runs the trial from before the sets until they are gone.
        java.util.concurrent.CountDownLatch removed = new java.util.concurrent.CountDownLatch(1);
        try {
            java.util.concurrent.CompletableFuture<Trial> ran = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.Future<Trial> trial = trialThread.submit(() -> {
                try (KeyFileTurns.Turn turn = KeyFileTurns.hold()) {
                    // One execution, judged as Trial.run judges it: Trial.run would run it twice more, each with the sleep,
                    // after the outside hand the planted sets are (their own fresh key files then meet none).
                    org.shmconform.history.Execution x = runner.run(schedule);
                    Trial done = new Trial(schedule, x, org.shmconform.checker.ScheduleChecker.check(x, "sysv", List.of(), Subjects.here()));
                    ran.complete(done);
                    removed.await(10, java.util.concurrent.TimeUnit.MINUTES);
                    return done;
                } catch (Throwable e) {
                    ran.completeExceptionally(e);
                    throw e;
                }
            });
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(5)).pollInterval(java.time.Duration.ofMillis(2))
                    .until(() -> Ledger.read(run.runDir()).stream().anyMatch(e -> e.kind().equals("sem")));
            List<String> intentsOfJ = intents(run);
            planted = PlantedSets.afterAProbe();
            long second = planted.setValueInTheNextWholeSecond();
            // The second ends while the sleep runs: B's attach of k is not yet intended (its intent comes before the
            // execution's quiet ends).
            long after = (second + 1) * 1000; // as QuietSeconds asks, on the clock that dates the sets
            while (CoarseClock.nowMillis() < after) {
                Thread.sleep(Math.max(1, after - CoarseClock.nowMillis()));
            }
            assertEquals(intentsOfJ, intents(run), "the sleep of " + SLEEP_MS + " ms outlasts the planting");
            Trial t = ran.get(10, java.util.concurrent.TimeUnit.MINUTES); // its execution and its reaper are over
            planted.assumeAKeyFileOfTheRunTookOne(run);
            planted.assertAllStillThere("the run never removes a set it did not make, a worker's semop notwithstanding");
            planted.close();
            removed.countDown();
            trial.get(10, java.util.concurrent.TimeUnit.MINUTES);
            String told = PlantedSegments.assertToldAndNeverAFailure(t);
            assertTrue(told.contains("changed last in a second"), told);
        } finally {
            removed.countDown();
            if (planted != null) {
                planted.close();
            }
            trialThread.shutdownNow();
        }
    }

    private static List<String> intents(RunContext run) {
        return Ledger.read(run.runDir()).stream().filter(e -> e.kind().equals("intent")).map(e -> e.field(0)).toList();
    }

    /** Sets of one semaphore at the ftok values of a window of inodes after a probe's, as {@link PlantedSegments}. */
    private static final class PlantedSets implements AutoCloseable {
        private final long firstInode;
        private final Set<Integer> keys = new HashSet<>();
        private final Set<Integer> ids = new HashSet<>();
        /** Each planted set as {@code id@ctime}, once its value is set. */
        private final Set<String> planted = new HashSet<>();

        private PlantedSets(long firstInode) {
            this.firstInode = firstInode;
        }

        static PlantedSets afterAProbe() throws Exception {
            PlantedSegments.Probe probe = PlantedSegments.Probe.ofTheShareRoot();
            PlantedSets p = new PlantedSets(probe.ino());
            PlantedRemover remover = PlantedRemover.get(); // removes them if this JVM dies before close()
            probe.plant(key -> LibC.INSTANCE.semget(key, 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL), (key, id) -> {
                p.ids.add(id);
                p.keys.add(key);
                if (remover != null) {
                    remover.planted("sem", id, key);
                }
            });
            return p;
        }

        /** Qt's SETVAL 1 on each, all in one whole second after now; that second. */
        long setValueInTheNextWholeSecond() throws InterruptedException {
            for (int attempt = 0; ; attempt++) {
                // On the clock that dates the sets (CoarseClock): a SETVAL once it reads the next second is dated in it or later.
                long next = (CoarseClock.nowMillis() / 1000 + 1) * 1000;
                while (CoarseClock.nowMillis() < next) {
                    Thread.sleep(Math.max(1, next - CoarseClock.nowMillis()));
                }
                for (int id : ids) {
                    LibC.INSTANCE.semctl(id, 0, LibC.SETVAL, 1);
                }
                List<SysVObjects.SemSet> sets = SysVObjects.semaphoreSets().stream().filter(s -> ids.contains(s.id())).toList();
                planted.clear();
                sets.forEach(s -> planted.add(s.id() + "@" + s.ctime()));
                assertEquals(ids.size(), sets.size(), "every planted set is there");
                if (sets.stream().allMatch(s -> s.ctime() == next / 1000) || attempt == 5) {
                    assertTrue(sets.stream().allMatch(s -> s.ctime() == next / 1000), "set in one second");
                    return next / 1000;
                }
            }
        }

        void assumeAKeyFileOfTheRunTookOne(RunContext run) {
            List<String> hit = Ledger.read(run.runDir()).stream().filter(e -> e.kind().equals("keyfile")
                    && e.field(0).contains(QtKeys.SYSTEM_SEMAPHORE_PREFIX) && keys.contains(Integer.parseInt(e.field(3))))
                    .map(e -> e.field(0)).toList();
            org.junit.jupiter.api.Assumptions.assumeFalse(hit.isEmpty(), "no semaphore key file of the run took one of the "
                    + PlantedSegments.WINDOW + " inodes from " + firstInode + ": nothing was met");
        }

        List<SysVObjects.SemSet> stillThere() {
            return SysVObjects.semaphoreSets().stream().filter(s -> planted.contains(s.id() + "@" + s.ctime())).toList();
        }

        void assertAllStillThere(String why) {
            assertEquals(planted.size(), stillThere().size(), "every planted set is still there: " + why);
        }

        /** Removes what is still there of what was planted (by id and change time once set; by id before), nothing else. */
        @Override
        public void close() {
            if (planted.isEmpty()) {
                SysVObjects.semaphoreSets().stream().filter(s -> ids.contains(s.id())).forEach(s -> SysVObjects.remove(s.obj()));
            } else {
                stillThere().forEach(s -> SysVObjects.remove(s.obj()));
            }
            PlantedRemover remover = PlantedRemover.get();
            if (remover != null) {
                ids.forEach(id -> remover.removed("sem", id));
            }
        }
    }
}
