package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.Trial;
import org.shmconform.history.Execution;
import org.shmconform.history.History;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Steps;
import org.shmconform.schedule.WorkerSpec;

/**
 * What the campaign does with one schedule's result, on trials made by the test (no worker processes): re-runs that
 * could not be judged (UNKNOWN) are neither passes nor fails.
 */
class FindingsTest {
    private static final Schedule SCHEDULE = new Schedule("fuzz-sysv-5", 5L,
            List.of(WorkerSpec.local("A", "sysv"), WorkerSpec.local("B", "sysv")),
            List.of(Steps.create("A", "k", 64), Steps.lock("A"), Steps.lock("B"), Steps.unlock("A")));

    static Trial trial(Schedule s, Verdict verdict) {
        Execution x = new Execution(s.name(), "shmcfx", new History(), Map.of(), List.of(), List.of());
        String property = verdict == Verdict.UNKNOWN ? "HARNESS" : "LOCK-EXCLUSIVE";
        return new Trial(s, x, new ScheduleChecker.Outcome(null, null,
                List.of(new PropertyResult(property, verdict, verdict + " of the test", null, List.of())), null));
    }

    static FuzzCampaign.Options options(Path out) {
        return FuzzCampaign.Options.of("sysv").outDir(out).shrink(new Shrinker.Budget(40, Duration.ofSeconds(30), 3));
    }

    @Test
    void aFailureWhoseReRunsWereAllUnknownIsNotAPassButAnUnknown(@TempDir Path out) throws Exception {
        List<String> lines = new ArrayList<>();
        Findings found = new Findings(options(out), s -> trial(s, Verdict.UNKNOWN), lines::add, () -> false);

        boolean reproduced = found.add(5, "seed 5", trial(SCHEDULE, Verdict.FAIL), " (4 ops)", 1.0, 1);

        assertFalse(reproduced);
        assertEquals(1, found.failures.size());
        FuzzResult.Failure f = found.failures.get(0);
        assertEquals(0, f.rerunFails());
        assertEquals(3, f.rerunUnknown(), f.rate());
        assertTrue(f.rate().contains("3 UNKNOWN"), f.rate());
        assertEquals(1, found.unknown.size(), "not judged again: the campaign must not pass: " + found.unknown);
        assertTrue(found.unknown.get(0).startsWith("seed 5: "), found.unknown.get(0));
        assertTrue(lines.get(1).contains("3 UNKNOWN"), lines.get(1));
    }

    @Test
    void unknownReRunsAreLeftOutOfTheRate(@TempDir Path out) throws Exception {
        // Re-runs: FAIL, UNKNOWN, FAIL: reproduced 2 of the 2 judged, not FLAKY 2/3.
        int[] runs = {0};
        Findings found = new Findings(options(out), s -> trial(s, runs[0]++ == 1 ? Verdict.UNKNOWN : Verdict.FAIL), line -> { }, () -> false);

        assertTrue(found.add(5, "seed 5", trial(SCHEDULE, Verdict.FAIL), " (4 ops)", 1.0, 1));

        FuzzResult.Failure f = found.failures.get(0);
        assertEquals(2, f.rerunFails());
        assertEquals(1, f.rerunUnknown());
        assertFalse(f.flaky(), f.rate());
        assertEquals(List.of(), found.unknown);
    }
}
