package org.shmconform.fuzz;

import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;
import org.shmconform.schedule.Steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The shrinker against pure oracles (no processes): what it keeps, and how it treats flaky failures. */
class ShrinkerTest {
    private static final Shrinker.Budget BUDGET = new Shrinker.Budget(500, Duration.ofSeconds(30), 3);

    private static Schedule big() {
        List<WorkerSpec> ws = List.of(WorkerSpec.local("A", "x"), WorkerSpec.local("B", "x"), WorkerSpec.local("C", "x"));
        List<Step> steps = new ArrayList<>();
        steps.add(Steps.create("A", "k", 100));
        for (int i = 0; i < 20; i++) {
            steps.add(Steps.write(i % 2 == 0 ? "B" : "C", i, "wXs" + i));
        }
        steps.add(Steps.lock("A"));
        steps.add(Steps.lock("B").async());
        steps.add(Steps.kill("C"));
        steps.add(Steps.read("B", 0, 4));
        return new Schedule("big", 1L, ws, steps);
    }

    /** Fails when A creates and B takes the lock, in that order. */
    private static boolean bug(Schedule s) {
        int create = -1;
        for (int i = 0; i < s.steps().size(); i++) {
            Step st = s.steps().get(i);
            if (st.op().equals("create") && st.worker().equals("A")) {
                create = i;
            }
            if (create >= 0 && st.op().equals("lock") && st.worker().equals("B")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void deterministicFailureShrinksToItsCause() throws InterruptedException {
        int[] runs = {0};
        Shrinker.Result<String> r = Shrinker.shrink(big(), "P", s -> {
            runs[0]++;
            return new Shrinker.Trial<>(bug(s), "P", "evidence");
        }, BUDGET);
        assertEquals(3, r.rerunFails());
        assertEquals(List.of(Steps.create("A", "k", 8), Steps.lock("B")), r.shrunk().steps());
        assertEquals(List.of("A", "B"), r.shrunk().workers().stream().map(WorkerSpec::id).toList());
        assertEquals(runs[0], r.runs());
        assertTrue(r.runs() < 80, "runs: " + r.runs());
    }

    @Test
    void anotherPropertyIsNotAccepted() throws InterruptedException {
        // Removing the kill makes it fail with Q instead: the shrinker must keep the kill.
        Shrinker.Result<String> r = Shrinker.shrink(big(), "P", s -> {
            boolean kill = s.steps().stream().anyMatch(st -> st.op().equals("kill"));
            return new Shrinker.Trial<>(bug(s), kill ? "P" : "Q", "e");
        }, BUDGET);
        assertEquals(3, r.shrunk().steps().size());
        assertTrue(r.shrunk().steps().contains(Steps.kill("C")));
    }

    @Test
    void flakyFailureIsReportedAndShrunkWithAtLeastOnceInK() throws InterruptedException {
        SplittableRandom random = new SplittableRandom(7);
        Shrinker.Result<Boolean> r = Shrinker.shrink(big(), "P", s -> {
            boolean failed = bug(s) && random.nextInt(2) == 0;
            return new Shrinker.Trial<>(failed, "P", failed);
        }, BUDGET);
        assertTrue(r.rerunFails() >= 0 && r.rerunFails() <= 3);
        if (r.shrunk() != null) {
            assertTrue(r.lastTrial().failed(), "the returned schedule's last run failed");
            assertTrue(bug(r.shrunk()));
        }
    }

    @Test
    void flakyFailureThatShrinksIntoADeterministicOneIsShrunkWithSingleRuns() throws InterruptedException {
        // Flaky while the kill of C is in the schedule (a race with it), deterministic without it.
        SplittableRandom random = new SplittableRandom(3);
        Shrinker.Result<String> r = Shrinker.shrink(big(), "P", s -> {
            boolean race = s.steps().stream().anyMatch(st -> st.op().equals("kill"));
            return new Shrinker.Trial<>(bug(s) && (!race || random.nextInt(3) == 0), "P", "e");
        }, new Shrinker.Budget(500, Duration.ofSeconds(30), 3));
        assertTrue(r.flaky(), r.rate());
        assertTrue(r.becameDeterministic());
        assertEquals(List.of(Steps.create("A", "k", 8), Steps.lock("B")), r.shrunk().steps());
        assertTrue(r.lastTrial().failed());
    }

    /**
     * A flaky original (fails, passes, fails, then keeps failing) whose first candidate, a prefix, fails on its first
     * run only: the prefix's re-measure and its last check pass, so the shrinker must fall back to the original, whose
     * last run failed, with that run as evidence, not to the prefix with its one old failing run.
     */
    @Test
    void aBestThatNeverFailsAgainFallsBackToTheLastScheduleWhoseLastRunFailed() throws InterruptedException {
        Schedule original = big();
        Map<Schedule, Integer> runsOf = new HashMap<>();
        Map<Schedule, Boolean> lastRunFailed = new HashMap<>();
        Schedule[] firstCandidate = {null};
        Shrinker.Result<Schedule> r = Shrinker.shrink(original, "P", s -> {
            int n = runsOf.merge(s, 1, Integer::sum);
            if (!s.equals(original) && firstCandidate[0] == null) {
                firstCandidate[0] = s;
            }
            boolean failed = s.equals(original) ? n != 2 : s.equals(firstCandidate[0]) && n == 1;
            lastRunFailed.put(s, failed);
            return new Shrinker.Trial<>(failed, "P", s);
        }, BUDGET);
        assertTrue(r.flaky(), r.rate());
        assertTrue(runsOf.get(firstCandidate[0]) > 1, "the prefix was run again: " + runsOf.get(firstCandidate[0]));
        assertEquals(true, lastRunFailed.get(r.shrunk()), "returned a schedule whose last run passed");
        assertEquals(original, r.shrunk());
        assertEquals(r.shrunk(), r.lastTrial().evidence(), "the evidence is a run of the schedule returned");
    }

    /** UNKNOWN is neither a pass nor a fail: left out of the original's rate, and no candidate is accepted on it. */
    @Test
    void unknownRunsAreNeitherPassesNorFails() throws InterruptedException {
        Schedule original = big();
        int[] runs = {0};
        Shrinker.Result<Schedule> r = Shrinker.shrink(original, "P", s -> {
            runs[0]++;
            if (!s.equals(original) || runs[0] == 1) {
                return Shrinker.Trial.unknown(s);
            }
            return new Shrinker.Trial<>(true, "P", s);
        }, BUDGET);
        assertEquals(2, r.rerunFails());
        assertEquals(1, r.rerunUnknown());
        assertFalse(r.flaky(), r.rate());
        assertEquals("2/2 (1 UNKNOWN)", r.rate());
        assertEquals(original, r.shrunk(), "a candidate whose runs were all UNKNOWN was accepted");
        assertEquals(original, r.lastTrial().evidence());
    }

    @Test
    void reRunsAllUnknownAreNotShrunk() throws InterruptedException {
        Shrinker.Result<String> r = Shrinker.shrink(big(), "P", s -> Shrinker.Trial.unknown("e"), BUDGET);
        assertNull(r.shrunk());
        assertEquals(0, r.rerunFails());
        assertEquals(3, r.rerunUnknown());
        assertEquals(3, r.runs());
    }

    @Test
    void neverReproducedIsNotShrunk() throws InterruptedException {
        Shrinker.Result<String> r = Shrinker.shrink(big(), "P", s -> new Shrinker.Trial<>(false, null, "e"), BUDGET);
        assertNull(r.shrunk());
        assertEquals(0, r.rerunFails());
        assertEquals(3, r.runs());
    }
}
