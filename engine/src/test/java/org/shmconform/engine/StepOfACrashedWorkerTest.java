package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attachReadOnly;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.rawWrite;
import static org.shmconform.schedule.Steps.size;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * A step given to a worker whose own op crashed it (a raw store into its read-only mapping: SIGSEGV, in the history as
 * that op's outcome) is not performed and makes no problem: a process that no longer exists takes no step, and the
 * history is whole. It made the schedule UNKNOWN, and a run's summary FAIL, where the generator had taken the attach for
 * a read-write one (Qt 6.8's attach of a key nobody had made succeeded, read-only, ATTACH-EXISTING) and gave that worker
 * steps after its rawWrite. A step of a worker the engine killed stays a problem (ScheduleRunnerTest).
 */
class StepOfACrashedWorkerTest {
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    @ParameterizedTest
    @ValueSource(strings = {"qt", "mmapfile"})
    void aStepAfterTheWorkersOwnCrashIsNotPerformedAndLeavesTheVerdictsStanding(String column) throws InterruptedException {
        Assumptions.assumeTrue(Subjects.here().availability(column).available(), column + " is not available here");
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        Schedule s = new Schedule("step-of-a-crashed-worker", null, List.of(WorkerSpec.local("A", column), WorkerSpec.local("C", column)),
                List.of(create("C", "k", 64), attachReadOnly("A", "k"), rawWrite("A", 0, "x"), size("A"), detach("A"), detach("C")));
        Execution x = runner.run(s);
        String history = x.history().toJsonLines();
        assertEquals(List.of(), x.problems(), history);
        assertTrue(history.contains("\"note\":\"crashed\""), "A's rawWrite crashed it: " + history);
        assertTrue(x.notes().stream().anyMatch(n -> n.startsWith("step 4 (size by A) not performed: A had crashed in an op of its own")),
                x.notes().toString());
        assertTrue(x.notes().stream().anyMatch(n -> n.startsWith("step 5 (detach by A) not performed: A had crashed")), x.notes().toString());
        List<PropertyResult> results = ScheduleChecker.check(x, column, List.of(Property.READ_ONLY, Property.API_CONTRACT), Subjects.here()).results();
        for (PropertyResult r : results) {
            assertNotEquals(Verdict.UNKNOWN, r.verdict(), r + "\n" + history);
            assertNotEquals(Verdict.FAIL, r.verdict(), r + "\n" + history);
        }
    }
}
