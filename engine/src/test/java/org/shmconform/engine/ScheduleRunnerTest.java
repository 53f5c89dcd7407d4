package org.shmconform.engine;

import org.shmconform.history.Execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.read;
import static org.shmconform.schedule.Steps.size;
import static org.shmconform.schedule.Steps.unlock;
import static org.shmconform.schedule.Steps.write;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.EventType;
import org.shmconform.history.HistoryEvent;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * The engine on real Java sysv workers: a slow op is waited for whatever the schedule says, a
 * contended lock is left in flight only once the kernel shows it blocked, a step that cannot run is
 * a problem that makes the verdict UNKNOWN, and a reply deadline decides nothing but UNKNOWN.
 */
class ScheduleRunnerTest {
    private static RunContext run;

    @BeforeAll
    static void start() {
        run = RunContext.create();
    }

    @AfterAll
    static void stop() {
        run.close();
    }

    private static Execution execute(ScheduleRunner.Timing timing, Step... steps) throws InterruptedException {
        ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()), timing);
        Schedule s = new Schedule("engine-test", null, List.of(WorkerSpec.local("A", "sysv"), WorkerSpec.local("B", "sysv")),
                Arrays.asList(steps));
        String missing = runner.unavailableReason(s);
        assertEquals(null, missing, "sysv workers cannot run here");
        return runner.run(s);
    }

    private static Execution execute(Step... steps) throws InterruptedException {
        return execute(ScheduleRunner.Timing.defaults(), steps);
    }

    /** Index of the first event of {@code process} doing {@code f} with that type. */
    private static int at(Execution x, String process, String f, EventType type) {
        return x.history().events().stream().filter(e -> e.process().equals(process) && e.f().equals(f) && e.type() == type)
                .mapToInt(HistoryEvent::index).findFirst().orElseThrow(() -> new AssertionError(
                        "no " + type + " " + f + " by " + process + " in\n" + x.history().toJsonLines()));
    }

    private static List<PropertyResult> verdicts(Execution x, Property... properties) {
        return ScheduleChecker.check(x, "sysv", List.of(properties), Subjects.here()).results();
    }

    @Test
    void slowOpIsWaitedForEvenWhenAsyncAndTheHistoryKeepsTheScheduleOrder() throws InterruptedException {
        // A sleeps in nanosleep far longer than any old "blocked" bound: async only allows a lock WAIT to stay in flight.
        Execution x = execute(create("A", "k", 64), write("A", 0, "before"), Step.of("A", "sleep").ms(1500).async(),
                attach("B", "k"), read("B", 0, 6), detach("B"), detach("A"));
        assertEquals(List.of(), x.problems());
        assertTrue(at(x, "A", "sleep", EventType.ok) < at(x, "B", "attach", EventType.invoke), x.history().toJsonLines());
        verdicts(x, Property.DATA_SHARED).forEach(r -> assertEquals(Verdict.PASS, r.verdict(), r.toString()));
    }

    @Test
    void contendedAsyncLockStaysInFlightOnlyWhileTheKernelSeesItBlocked() throws InterruptedException {
        Execution x = execute(create("A", "k", 64), attach("B", "k"), lock("A"), lock("B").async(), write("A", 0, "held"),
                unlock("A"), read("B", 0, 4), unlock("B"), detach("B"), detach("A"));
        // No problem: the engine went on after B's lock because the kernel showed it in semop, not after a deadline.
        assertEquals(List.of(), x.problems());
        assertTrue(at(x, "A", "unlock", EventType.invoke) < at(x, "B", "lock", EventType.ok), x.history().toJsonLines());
        assertTrue(at(x, "B", "lock", EventType.invoke) < at(x, "A", "write", EventType.invoke), x.history().toJsonLines());
        verdicts(x, Property.LOCK_EXCLUSIVE).forEach(r -> assertEquals(Verdict.PASS, r.verdict(), r.toString()));
    }

    @Test
    void lockStillBlockedAtTheEndIsClosedAsKernelConfirmedBlocked() throws InterruptedException {
        Execution x = execute(create("A", "k", 64), attach("B", "k"), lock("A"), lock("B").async());
        assertEquals(List.of(), x.problems());
        HistoryEvent closed = x.history().events().get(at(x, "B", "lock", EventType.info));
        assertEquals("blocked", closed.note());
        verdicts(x, Property.LOCK_EXCLUSIVE).forEach(r -> assertEquals(Verdict.PASS, r.verdict(), r.toString()));
    }

    @Test
    void stepForADeadWorkerMakesTheScenarioUnknownWithTheReason() throws InterruptedException {
        Execution x = execute(create("A", "k", 64), kill("A"), size("A"), attach("B", "k"), detach("B"));
        assertEquals(1, x.problems().size(), x.problems().toString());
        assertTrue(x.problems().get(0).startsWith("step 3 (size by A) not performed: A was already gone"), x.problems().toString());
        for (PropertyResult r : verdicts(x, Property.CRASH_SURVIVES, Property.API_CONTRACT)) {
            assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
            assertTrue(r.why().contains("step 3 (size by A) not performed"), r.why());
        }
    }

    @Test
    void replyDeadlinePassedWithoutALockWaitIsUnknownNeverPass() throws InterruptedException {
        // The deadline is every step's: 10 s, so that the other steps (a fresh JVM's first create, B's steps while A is
        // killed) meet it on a busy machine too, and only the sleep, six times longer, passes it.
        Execution x = execute(new ScheduleRunner.Timing(Duration.ofSeconds(10), Duration.ofSeconds(120)),
                create("A", "k", 64), Step.of("A", "sleep").ms(60_000), attach("B", "k"), detach("B"));
        assertEquals(1, x.problems().size(), x.problems().toString());
        assertTrue(x.problems().get(0).startsWith(Execution.deadlinePassed("A", "sleep")), x.problems().toString());
        assertEquals("timeout", x.history().events().get(at(x, "A", "sleep", EventType.info)).note());
        for (PropertyResult r : verdicts(x, Property.DATA_SHARED)) {
            assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
        }
    }

    @Test
    void syncLockBlockedWhileNothingRunsIsRecordedAsBlockedAndJudgedByTheModel() throws InterruptedException {
        // B's lock is not async; with A idle nothing could release it, and the kernel shows it in semop:
        // blocked, without waiting for the deadline (the note says which way it was decided).
        Execution x = execute(create("A", "k", 64), attach("B", "k"), lock("A"), lock("B"), unlock("A"), unlock("B"),
                detach("B"), detach("A"));
        assertEquals(List.of(), x.problems());
        assertTrue(x.notes().stream().anyMatch(n -> n.contains("nothing running could release")), x.notes().toString());
        assertTrue(at(x, "A", "unlock", EventType.invoke) < at(x, "B", "lock", EventType.ok), x.history().toJsonLines());
        verdicts(x, Property.LOCK_EXCLUSIVE).forEach(r -> assertEquals(Verdict.PASS, r.verdict(), r.toString()));
    }

    @Test
    void aWorkersNextStepAfterItsLockNeverReturnsEndsItAsBlocked() throws InterruptedException {
        // B waits on A's lock and then has another step: A never unlocks, so B's lock is closed as blocked
        // (a legal wait: A holds the lock), and the step that could not run makes the scenario UNKNOWN.
        Execution x = execute(create("A", "k", 64), attach("B", "k"), lock("A"), lock("B").async(), read("B", 0, 4));
        assertEquals("blocked", x.history().events().get(at(x, "B", "lock", EventType.info)).note());
        assertEquals(1, x.problems().size(), x.problems().toString());
        assertTrue(x.problems().get(0).startsWith("step 5 (read by B) not performed"), x.problems().toString());
        verdicts(x, Property.LOCK_EXCLUSIVE).forEach(r -> assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString()));
    }

    @Test
    void workerStartsAreLimitedByTheCoresOrTheProperty() {
        String before = System.getProperty("shmconform.maxParallelStarts");
        try {
            System.clearProperty("shmconform.maxParallelStarts");
            assertEquals(Runtime.getRuntime().availableProcessors(), ScheduleRunner.maxParallelStarts());
            System.setProperty("shmconform.maxParallelStarts", "3");
            assertEquals(3, ScheduleRunner.maxParallelStarts());
            System.setProperty("shmconform.maxParallelStarts", "0");
            assertEquals(1, ScheduleRunner.maxParallelStarts());
        } finally {
            if (before == null) {
                System.clearProperty("shmconform.maxParallelStarts");
            } else {
                System.setProperty("shmconform.maxParallelStarts", before);
            }
        }
    }
}
