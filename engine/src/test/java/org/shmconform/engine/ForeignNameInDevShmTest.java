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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.shmconform.schedule.WorkerSpec;

/**
 * Another user's file at the /dev/shm name of an execution's key (nobody read the run's first name there and made the
 * next): B's create meets it and answers AlreadyExists, which the checker, told nothing, judged a FAIL of CREATE-SIZE
 * against the posix backend. The execution now has a problem ({@link ForeignNames}), so no verdict stands on it, and
 * the reaper leaves the file, which is not the run's.
 *
 * <p>No clock orders the plant: the test takes the next execution's prefix before the run ({@link
 * RunContext#reserveNextExecutionPrefix}) and plants nobody's file at B's name first, so B's create meets it however
 * slow the machine is. (A's name appearing, then a plant while A slept 5 s, run again when late, was a test that passed
 * only on a machine that did not keep its thread off the CPU that long.)
 */
class ForeignNameInDevShmTest {
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    private static final int NOBODY = 65534;

    /** Nobody's file at B's name, made before the run: B's create meets it. */
    @Test
    void aCreateThatMeetsAnotherUsersFileAtItsNameHasNoVerdictAndTheFileIsLeft() throws Exception {
        Assumptions.assumeTrue(HostIds.uid() == 0, "needs root to make another user's file");
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        Schedule s = new Schedule("foreign-name-test", null, List.of(WorkerSpec.local("A", "posix"), WorkerSpec.local("B", "posix")),
                List.of(create("A", "k", 64), create("B", "j", 64)));
        String prefix = RUN.context().reserveNextExecutionPrefix();
        Path file = bsName(prefix);
        try {
            Execution x = runWhereBMeetsAPlant(runner, s, prefix, file);
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
            assertEquals(List.of(file), namesOf(prefix), "the run's own names of the execution are gone, nobody's is left");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * A pooled worker that locked in an execution that met another program's object is not reused (WorkerPool#readmit):
     * what it may hold there (a SEM_UNDO adjustment on a System V set, which the ledger writes {@code foreign} and no
     * reaper removes) would otherwise live on in the pool: it is ended, while the worker that did not lock stays in the
     * pool, as ever. The object is nobody's file at B's name, planted before the run as in the test above.
     */
    @Test
    void aPooledWorkerThatLockedInAnExecutionThatMetAForeignObjectIsNotReused() throws Exception {
        Assumptions.assumeTrue(HostIds.uid() == 0, "needs root to make another user's file");
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults()).reusingWorkers();
        Schedule s = new Schedule("foreign-name-pool-test", null, List.of(new WorkerSpec("A", "posix", LocalEnvironment.NAME, "g", null),
                new WorkerSpec("B", "posix", LocalEnvironment.NAME, "g", null)),
                List.of(create("A", "k", 64), lock("A"), unlock("A"), create("B", "j", 64)));
        String prefix = RUN.context().reserveNextExecutionPrefix();
        Path file = bsName(prefix);
        try {
            Execution met = runWhereBMeetsAPlant(runner, s, prefix, file);
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
            Files.deleteIfExists(file);
        }
    }

    /**
     * Plants nobody's file at {@code file} (B's name in the execution {@code prefix}, reserved and not run yet), then
     * runs {@code s} once: its execution is the one of {@code prefix}, and B's create met the file (AlreadyExists).
     */
    private static Execution runWhereBMeetsAPlant(ScheduleRunner runner, Schedule s, String prefix, Path file) throws Exception {
        assertEquals(null, runner.unavailableReason(s), "posix workers cannot run here");
        plantNobodysFile(file);
        Execution x = runner.run(s);
        assertEquals(prefix, x.keyPrefix(), "the run took the reserved execution prefix");
        HistoryEvent bCreate = x.history().events().stream()
                .filter(e -> "B".equals(e.process()) && "create".equals(e.f()) && e.type() != EventType.invoke)
                .findFirst().orElseThrow(() -> new AssertionError("B's create has no answer:\n" + x.history().toJsonLines()));
        assertEquals("AlreadyExists", bCreate.error(), x.history().toJsonLines());
        return x;
    }

    /** B's segment name in /dev/shm in the execution {@code prefix} ({@code qipc_sharedmemory_<prefix>j<sha1>}). */
    private static Path bsName(String prefix) {
        return ForeignNames.DEV_SHM.resolve(QtKeys.platformSafeName(prefix + "j", QtKeys.SHARED_MEMORY_PREFIX));
    }

    /** Makes nobody's file at {@code b}, as another user who read a name of the run can: made by root, then given to nobody. */
    private static void plantNobodysFile(Path b) throws Exception {
        Files.createFile(b);
        Files.setAttribute(b, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
    }

    private static List<Path> namesOf(String prefix) throws Exception {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> names = Files.newDirectoryStream(ForeignNames.DEV_SHM, f -> f.getFileName().toString().contains(prefix))) {
            names.forEach(found::add);
        }
        return found;
    }
}
