package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.kill;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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
 * A killed worker that has not ended by the reply deadline: its death is dated at the kill, but the kernel may release
 * what it held later, so the execution has a problem that no verdict, a FAIL included, stands on. A reply deadline of a
 * nanosecond stands in for a process that stays in uninterruptible sleep after its SIGKILL: the engine looks for its end
 * before the kernel can have run it (its exit and the JDK's reaping take microseconds).
 */
class UnconfirmedEndTest {
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    @Test
    void aKillWhoseEndIsNotSeenByTheDeadlineLeavesNoVerdict() throws Exception {
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                new ScheduleRunner.Timing(Duration.ofNanos(1), Duration.ofSeconds(120)));
        Schedule s = new Schedule("unconfirmed-end-test", null, List.of(WorkerSpec.local("A", "mmapfile")),
                List.of(kill("A")));
        assertEquals(null, runner.unavailableReason(s), "mmapfile workers cannot run here");
        int unconfirmed = 0;
        for (int i = 0; i < 5 && unconfirmed == 0; i++) {
            Execution x = runner.run(s);
            HistoryEvent killed = x.history().events().stream().filter(e -> "kill".equals(e.f()) && e.type() == EventType.ok)
                    .findFirst().orElseThrow(() -> new AssertionError("no kill in\n" + x.history().toJsonLines()));
            if (killed.exitStatus() != null) {
                continue; // reaped within the nanosecond after all: nothing to assert of this one
            }
            unconfirmed++;
            assertTrue(x.problems().stream().anyMatch(p -> p.startsWith(Execution.END_UNCONFIRMED + "A ")), x.problems().toString());
            assertTrue(x.metAnOutsideHand());
            List<PropertyResult> verdicts = ScheduleChecker.check(x, "mmapfile", List.of(Property.CRASH_SURVIVES), Subjects.here())
                    .results();
            assertEquals(Verdict.UNKNOWN, verdicts.get(0).verdict(), verdicts.toString());
        }
        assertTrue(unconfirmed > 0, "each of five kills was reaped within a nanosecond: the test saw no unconfirmed end");
    }
}
