package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
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
     * after the listing before it, and removed once the create's key file is there and the create had time to meet one,
     * while a sleep keeps the execution going; no worker uses them. Before the look at the create's answer the execution
     * FAILed CREATE-SIZE with nothing said.
     */
    @Test
    void aCreateThatMetASegmentGoneByTheEndIsToldNeverAFailure() throws Exception {
        PlantedSegments.inAStateDirectoryOnTmpfs(ForeignObjectGoneByTheEndTest::plantWhileItRuns);
    }

    private static void plantWhileItRuns() throws Exception {
        java.util.concurrent.ExecutorService trialThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.atomic.AtomicReference<PlantedSegments> planted = new java.util.concurrent.atomic.AtomicReference<>();
        try (RunContext run = RunContext.create()) {
            Path tmp = run.workerTmp();
            ScheduleRunner runner = new ScheduleRunner(run, java.util.Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults());
            Schedule schedule = new Schedule("foreign-gone-by-the-end", null, List.of(WorkerSpec.local("A", "sysv"),
                    WorkerSpec.local("B", "sysv")), List.of(org.shmconform.schedule.Steps.attach("B", "j"), Step.of("A", "sleep").ms(700),
                    org.shmconform.schedule.Steps.create("A", "k", 64), Step.of("A", "sleep").ms(1500),
                    org.shmconform.schedule.Steps.detach("A")));
            // The turn held by the thread that runs the trial, from before the segments until they are gone.
            java.util.concurrent.CountDownLatch removed = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.Future<Trial> trial = trialThread.submit(() -> {
                try (KeyFileTurns.Turn turn = KeyFileTurns.hold()) {
                    Trial done = Trial.run(runner, schedule, "sysv", List.of());
                    removed.await(60, java.util.concurrent.TimeUnit.SECONDS);
                    return done;
                }
            });
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (Ledger.read(run.runDir()).stream().noneMatch(e -> e.kind().equals("intent")) && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            planted.set(PlantedSegments.afterAProbe());
            Path keyFile = null;
            while (keyFile == null && System.nanoTime() < deadline) {
                try (java.util.stream.Stream<Path> files = Files.list(tmp)) {
                    keyFile = files.filter(f -> f.getFileName().toString().startsWith(QtKeys.SHARED_MEMORY_PREFIX)).findFirst().orElse(null);
                }
                Thread.sleep(2);
            }
            Integer keyOfFile = null;
            try {
                keyOfFile = keyFile == null ? null : QtKeyFile.lstat(keyFile).map(QtKeyFile::key).orElse(null);
            } catch (java.io.IOException e) {
                // gone already: told by the execution or not, below
            }
            Thread.sleep(300); // the create's shmget follows its key file
            planted.get().close();
            removed.countDown();
            Trial t = trial.get(60, java.util.concurrent.TimeUnit.SECONDS);
            boolean met = keyOfFile != null && planted.get().keys().contains(keyOfFile);
            Execution x = t.execution();
            String told = String.join("\n", x.problems()) + "\n" + String.join("\n", x.notes());
            Assumptions.assumeTrue(met || told.contains(Execution.FOREIGN_OBJECT), "the create's key file took none of the inodes planted for");
            PlantedSegments.assertToldAndNeverAFailure(t);
        } finally {
            if (planted.get() != null) {
                planted.get().close();
            }
            trialThread.shutdownNow();
        }
    }
}
