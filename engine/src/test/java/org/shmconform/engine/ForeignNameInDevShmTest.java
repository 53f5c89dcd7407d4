package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.unlock;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.host.HostIds;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.history.HistoryEvent;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * Another user's file at the /dev/shm name of an execution's key (nobody read the run's first name there and made the
 * next): B's create meets it and answers AlreadyExists, which the checker, told nothing, judged a FAIL of CREATE-SIZE
 * against the posix backend. The execution now has a problem ({@link ForeignNames}), so no verdict stands on it, and
 * the reaper leaves the file, which is not the run's.
 */
class ForeignNameInDevShmTest {
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    /** Long enough for this test's thread to see A's name and plant B's on a busy machine; a late plant is run again. */
    private static final long SLEEP_MS = 5_000;
    private static final int NOBODY = 65534;

    @Test
    void aCreateThatMeetsAnotherUsersFileAtItsNameHasNoVerdictAndTheFileIsLeft() throws Exception {
        Assumptions.assumeTrue(HostIds.uid() == 0, "needs root to make another user's file");
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        Schedule s = new Schedule("foreign-name-test", null, List.of(WorkerSpec.local("A", "posix"), WorkerSpec.local("B", "posix")),
                List.of(create("A", "k", 64), Step.of("A", "sleep").ms(SLEEP_MS), create("B", "j", 64)));
        List<Path> planted = new ArrayList<>();
        try {
            Execution x = runWhereBMeetsAPlant(runner, s, planted);
            Path file = planted.get(planted.size() - 1);
            String expected = Execution.FOREIGN_OBJECT + file + " (a regular file owned by uid " + NOBODY + ")";
            assertTrue(x.problems().stream().anyMatch(p -> p.startsWith(expected)), x.problems().toString());
            assertTrue(x.metAnOutsideHand());
            List<PropertyResult> verdicts = ScheduleChecker.check(x, "posix", List.of(Property.CREATE_SIZE), Subjects.here())
                    .results();
            assertEquals(Verdict.UNKNOWN, verdicts.get(0).verdict(), verdicts.toString());
            assertTrue(Files.exists(file, LinkOption.NOFOLLOW_LINKS), "the reaper left nobody's file: " + x.notes());
            assertEquals(NOBODY, Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS));
            assertTrue(x.notes().stream().anyMatch(n -> n.contains("posix: left " + file + ": a regular file owned by uid "
                    + NOBODY)), x.notes().toString());
            String prefix = prefixIn(file.getFileName().toString());
            assertEquals(List.of(file), namesOf(prefix), "the run's own names of the execution are gone, nobody's is left");
        } finally {
            for (Path p : planted) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * A pooled worker that locked in an execution that met another program's object is not reused (WorkerPool#readmit):
     * what it may hold there (a SEM_UNDO adjustment on a System V set, which the ledger writes {@code foreign} and no
     * reaper removes) would otherwise live on in the pool: it is ended, while the worker that did not lock stays in the
     * pool, as ever.
     */
    @Test
    void aPooledWorkerThatLockedInAnExecutionThatMetAForeignObjectIsNotReused() throws Exception {
        Assumptions.assumeTrue(HostIds.uid() == 0, "needs root to make another user's file");
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults()).reusingWorkers();
        Schedule s = new Schedule("foreign-name-pool-test", null, List.of(new WorkerSpec("A", "posix", LocalEnvironment.NAME, "g", null),
                new WorkerSpec("B", "posix", LocalEnvironment.NAME, "g", null)),
                List.of(create("A", "k", 64), lock("A"), unlock("A"), Step.of("A", "sleep").ms(SLEEP_MS), create("B", "j", 64)));
        List<Path> planted = new ArrayList<>();
        try {
            Execution met = runWhereBMeetsAPlant(runner, s, planted);
            assertTrue(met.metAForeignObject(), met.problems().toString());
            long lockerPid = met.workers().get("A").pid();
            assertTrue(met.notes().stream().anyMatch(n -> n.startsWith("worker A (pid " + lockerPid + ") not reused")
                    && n.contains("another program's object")), met.notes().toString());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> ProcessHandle.of(lockerPid).map(ProcessHandle::isAlive).orElse(false) == false);
            long otherPid = met.workers().get("B").pid();
            assertTrue(ProcessHandle.of(otherPid).map(ProcessHandle::isAlive).orElse(false), "B, which did not lock, was ended too");
            assertTrue(met.notes().stream().noneMatch(n -> n.startsWith("worker B ")), met.notes().toString());
        } finally {
            for (Path p : planted) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Runs {@code s} until B's create meets nobody's file, planted at its name once A's name appeared (three times at
     * most: a plant after B's create, on a machine that kept this test's thread off the CPU for {@value #SLEEP_MS} ms,
     * runs it again); every file planted is added to {@code planted}.
     */
    private static Execution runWhereBMeetsAPlant(ScheduleRunner runner, Schedule s, List<Path> planted) throws Exception {
        assertEquals(null, runner.unavailableReason(s), "posix workers cannot run here");
        ExecutorService planter = Executors.newSingleThreadExecutor();
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                Future<Path> plant = planter.submit(ForeignNameInDevShmTest::plantBsNameOnceAsNameAppears);
                Execution x = runner.run(s);
                planted.add(plant.get(60, TimeUnit.SECONDS));
                HistoryEvent bCreate = x.history().events().stream()
                        .filter(e -> "B".equals(e.process()) && "create".equals(e.f()) && e.type() != EventType.invoke)
                        .findFirst().orElseThrow(() -> new AssertionError("B's create has no answer:\n" + x.history().toJsonLines()));
                if (bCreate.type() != EventType.ok) {
                    assertEquals("AlreadyExists", bCreate.error(), x.history().toJsonLines());
                    return x;
                }
            }
            throw new AssertionError("in three runs, B's create came before this test's plant: a thread of this JVM was "
                    + "kept off the CPU for " + SLEEP_MS + " ms each time");
        } finally {
            planter.shutdownNow();
        }
    }

    /**
     * Waits for A's segment name ({@code qipc_sharedmemory_<execution prefix>k<sha1>}), then makes nobody's file at B's
     * ({@code ...j<sha1>}), as another user who read the first can: made by root, then given to nobody.
     */
    private static Path plantBsNameOnceAsNameAppears() throws Exception {
        String start = QtKeys.SHARED_MEMORY_PREFIX + RUN.context().keyPrefix();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try (DirectoryStream<Path> names = Files.newDirectoryStream(ForeignNames.DEV_SHM,
                    f -> f.getFileName().toString().startsWith(start))) {
                for (Path a : names) {
                    String prefix = prefixIn(a.getFileName().toString());
                    if (a.getFileName().toString().startsWith(QtKeys.platformSafeName(prefix + "k", QtKeys.SHARED_MEMORY_PREFIX))) {
                        Path b = ForeignNames.DEV_SHM.resolve(QtKeys.platformSafeName(prefix + "j", QtKeys.SHARED_MEMORY_PREFIX));
                        Files.createFile(b);
                        Files.setAttribute(b, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
                        return b;
                    }
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError("A's segment never appeared in /dev/shm");
    }

    /** The execution prefix in a name of the run: the run's prefix and the execution's id. */
    private static String prefixIn(String name) {
        String run = RUN.context().keyPrefix();
        int at = name.indexOf(run);
        return name.substring(at, at + run.length() + RunContext.EXECUTION_ID_LENGTH);
    }

    private static List<Path> namesOf(String prefix) throws Exception {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> names = Files.newDirectoryStream(ForeignNames.DEV_SHM, f -> f.getFileName().toString().contains(prefix))) {
            names.forEach(found::add);
        }
        return found;
    }
}
