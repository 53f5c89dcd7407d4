package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.kill;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * Spares (issue 13, "a killed worker is replaced by a spare started in the background") on real
 * processes: the worker a schedule SIGKILLs is replaced by a process started before the next schedule
 * asks; closing the pool kills and reaps every spare; a spare that died before use is never handed out.
 * Every assertion is on a fact (a pid, a /proc entry, a count), none on a duration.
 */
class WorkerPoolSpareTest {
    private static final String COLUMN = "sysv";

    private static Execution execute(RunContext run, Step... steps) throws InterruptedException {
        return WorkerPoolTest.execute(run, COLUMN, steps);
    }

    /** B is SIGKILLed by the schedule: the pool loses it. */
    private static Execution killingB(RunContext run) throws InterruptedException {
        return execute(run, create("A", "k", 64), attach("B", "k"), kill("B"), detach("A"));
    }

    private static Execution killingNone(RunContext run) throws InterruptedException {
        return execute(run, create("A", "k", 64), attach("B", "k"), detach("B"), detach("A"));
    }

    private static Set<Long> pids(Execution x) {
        return x.workers().values().stream().map(Execution.WorkerInfo::pid).collect(Collectors.toSet());
    }

    /** Reaped, not merely dead: a zombie still has its /proc entry. */
    /** A left process as /proc shows it: its state line and command line, for a failure to name what it was. */
    private static String described(long pid) {
        try {
            String status = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("State:") || l.startsWith("PPid:")).collect(Collectors.joining(", "));
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"))).replace('\0', ' ').trim();
            return pid + " (" + status.replace('\t', ' ') + ") " + cmdline;
        } catch (java.io.IOException e) {
            return pid + " (gone since)";
        }
    }

    private static boolean inProc(long pid) {
        return Files.exists(Path.of("/proc/" + pid));
    }

    /**
     * The spares: the idle workers besides the survivor {@code a}. The schedule used two workers, so the
     * pool keeps two plus the reserve: B's replacement and one more.
     */
    private static List<Long> sparesBesides(long a, List<Long> idle) {
        assertEquals(2 + SpareStarts.RESERVE, idle.size(), "the survivor and the spares are idle: " + idle);
        assertTrue(idle.contains(a), "the survivor " + a + " is idle: " + idle);
        return idle.stream().filter(p -> p != a).toList();
    }

    @Test
    void theNextScheduleGetsASpareThatWasStartedBeforeItAsked() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution x = killingB(run);
            long a = x.workers().get("A").pid();
            long b = x.workers().get("B").pid();
            List<Long> idle = run.workerPool().idlePidsOnceSparesStarted(COLUMN);
            List<Long> spares = sparesBesides(a, idle);
            assertFalse(spares.contains(b));
            assertTrue(spares.stream().allMatch(WorkerPoolSpareTest::inProc), "the spares exist before the next schedule asks");
            WorkerPool.Stats before = run.workerPool().stats();

            Execution next = killingNone(run);
            assertTrue(idle.containsAll(pids(next)), "processes that existed before it asked served it: " + pids(next)
                    + " of " + idle + "; notes: " + next.notes());
            WorkerPool.Stats after = run.workerPool().stats();
            assertEquals(before.started(), after.started(), "no process was started for the next schedule");
            assertTrue(after.fromSpares() > before.fromSpares(), "at least one borrow took a spare: " + after);
        }
    }

    @Test
    void aBorrowRightAfterTheLossTakesTheSpareInsteadOfStartingAnother() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution x = killingB(run);
            // No wait: the spare may still be starting; the borrow then waits for it rather than start a second one.
            Execution next = killingNone(run);
            WorkerPool.Stats s = run.workerPool().stats();
            assertFalse(pids(next).contains(x.workers().get("B").pid()));
            assertTrue(pids(next).contains(x.workers().get("A").pid()), next.notes().toString());
            assertEquals(1 + SpareStarts.RESERVE, s.spares(), "B's replacement and the reserve: " + s);
            assertEquals(2 + s.spares(), s.started(), "two workers, then only spares: " + s);
            assertTrue(s.fromSpares() >= 1, s.toString());
        }
    }

    /**
     * A runner of four lanes that share the key keeps four schedules' workers and the reserve: 2 x 4 + 1, more than the
     * idle set's usual room (6). Every one of them is parked once started, none ended for want of room. On the qt column,
     * whose workers are forked (nine of them are cheap).
     */
    @Test
    void theIdleSetHasRoomForEveryWorkerTheSparesWereStartedFor() throws InterruptedException {
        Assumptions.assumeTrue(Subjects.here().availability(QtReferenceWorker.IMPL).available(),
                "the Qt 6.4 worker is not built here");
        try (RunContext run = RunContext.create()) {
            Execution x = WorkerPoolTest.execute(run, QtReferenceWorker.IMPL, r -> r.inLanes(4),
                    create("A", "k", 64), attach("B", "k"), kill("B"), detach("A"));
            long a = x.workers().get("A").pid();
            List<Long> idle = run.workerPool().idlePidsOnceSparesStarted(QtReferenceWorker.IMPL);
            WorkerPool.Stats s = run.workerPool().stats();
            assertEquals(2 * 4 + SpareStarts.RESERVE, idle.size(), "the survivor and the spares are idle: " + idle + " " + s);
            assertTrue(idle.contains(a), "the survivor " + a + " is idle: " + idle);
            assertEquals(0, s.endedForWantOfRoom(), s.toString());
        }
    }

    @Test
    void aRunnerWithoutReserveReplacesTheLostWorkerAndStartsNoMore() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution x = WorkerPoolTest.execute(run, COLUMN, ScheduleRunner::withoutReserve,
                    create("A", "k", 64), attach("B", "k"), kill("B"), detach("A"));
            long a = x.workers().get("A").pid();
            List<Long> idle = run.workerPool().idlePidsOnceSparesStarted(COLUMN);
            WorkerPool.Stats s = run.workerPool().stats();
            assertEquals(1, s.spares(), "B's replacement only: " + s);
            assertEquals(2, idle.size(), "the survivor and B's replacement are idle: " + idle);
            assertTrue(idle.contains(a), "the survivor " + a + " is idle: " + idle);
        }
    }

    @Test
    void aRunnerWithoutSparesLeavesTheLostWorkerUnreplaced() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution x = WorkerPoolTest.execute(run, COLUMN, ScheduleRunner::withoutSpares,
                    create("A", "k", 64), attach("B", "k"), kill("B"), detach("A"));
            List<Long> idle = run.workerPool().idlePidsOnceSparesStarted(COLUMN);
            WorkerPool.Stats s = run.workerPool().stats();
            assertEquals(0, s.spares(), "no spare: nothing after the schedule borrows one: " + s);
            assertEquals(List.of(x.workers().get("A").pid()), idle, "only the survivor is idle");
            assertEquals(2, s.started(), "the schedule's two workers only: " + s);
        }
    }

    @Test
    void closeKillsAndReapsAnIdleSpare() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution x = killingB(run);
            long a = x.workers().get("A").pid();
            List<Long> spares = sparesBesides(a, run.workerPool().idlePidsOnceSparesStarted(COLUMN));
            run.workerPool().close(); // the pool itself, before the run's reaper could end anything
            assertTrue(spares.stream().noneMatch(WorkerPoolSpareTest::inProc), "the spares " + spares + " were killed and reaped");
            assertFalse(inProc(a), "the survivor " + a + " was killed and reaped");
        }
    }

    @Test
    void closeRightAfterTheLossLeavesNoProcessEvenOfASpareStillStarting() throws InterruptedException {
        Set<Long> childrenBefore = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
        try (RunContext run = RunContext.create()) {
            killingB(run);
            assertEquals(1 + SpareStarts.RESERVE, run.workerPool().stats().spares(), "spares were started for B");
            run.workerPool().close(); // whether the spare's JVM was still starting or had said hello
            Set<Long> left = ProcessHandle.current().children().map(ProcessHandle::pid)
                    .filter(p -> !childrenBefore.contains(p)).collect(Collectors.toSet());
            assertEquals(Set.of(), left, () -> "every process the pool started is reaped (a zombie would be listed): "
                    + left.stream().map(WorkerPoolSpareTest::described).toList());
        }
    }

    @Test
    void aSpareThatDiedBeforeUseIsReapedAndNotHandedOut() throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            Execution x = killingB(run);
            long a = x.workers().get("A").pid();
            List<Long> spares = sparesBesides(a, run.workerPool().idlePidsOnceSparesStarted(COLUMN));
            for (long spare : spares) {
                assertTrue(ProcessHandle.of(spare).orElseThrow().destroyForcibly(), "SIGKILL sent to the idle spare " + spare);
            }
            WorkerPool.Stats before = run.workerPool().stats();

            // Two borrows, one live idle worker (A): the other borrow meets every dead spare before it may start one.
            Execution next = killingNone(run);
            assertTrue(spares.stream().noneMatch(pids(next)::contains), "no dead spare was handed out: " + pids(next));
            assertTrue(pids(next).contains(a), next.notes().toString());
            assertTrue(spares.stream().noneMatch(WorkerPoolSpareTest::inProc), "the dead spares were reaped");
            WorkerPool.Stats after = run.workerPool().stats();
            assertEquals(before.replaced() + spares.size(), after.replaced(), "each dead spare counts as replaced: " + after);
            assertEquals(before.started() + 1, after.started(), "one worker was started in their place: " + after);
        }
    }
}
