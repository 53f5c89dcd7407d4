package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.attachReadOnly;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.lock;
import static org.shmconform.schedule.Steps.rawWrite;
import static org.shmconform.schedule.Steps.unlock;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.Execution;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * Real Qt 6.4: a lock holder that crashes (a raw store into its read-only mapping) releases the System V lock in its
 * exit, before its stdout closes, so the waiter's reply may be read before the engine has seen the crash. The verdict
 * must not hang on which came first (HistoryOps places the death within the crashing op's interval): before that,
 * LOCK-EXCLUSIVE FAIL in 5 of 6 replays of this schedule.
 */
class CrashedHolderReleasesTest {
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    @Test
    void aWaiterLetInByTheCrashOfTheHolderPassesHoweverTheRepliesFell() throws InterruptedException {
        Assumptions.assumeTrue(Subjects.here().availability("qt").available(), "the Qt 6.4 worker is not built here");
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        Schedule s = new Schedule("crashed-holder-releases", null, List.of(WorkerSpec.local("A", "qt"), WorkerSpec.local("B", "qt"),
                WorkerSpec.local("C", "qt")), List.of(create("C", "k", 64), attachReadOnly("A", "k"), attach("B", "k"), lock("A"),
                lock("B").async(), rawWrite("A", 0, "x"), unlock("B"), detach("B"), detach("C")));
        for (int i = 0; i < 4; i++) {
            Execution x = runner.run(s);
            assertEquals(List.of(), x.problems(), x.history().toJsonLines());
            ScheduleChecker.check(x, "qt", List.of(Property.LOCK_EXCLUSIVE), Subjects.here()).results()
                    .forEach(r -> assertEquals(Verdict.PASS, r.verdict(), r + "\n" + x.history().toJsonLines()));
        }
    }
}
