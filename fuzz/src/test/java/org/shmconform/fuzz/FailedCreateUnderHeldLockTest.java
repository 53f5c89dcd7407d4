package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.Steps;
import org.shmconform.schedule.WorkerSpec;

/**
 * The state Qt 6.4's lock bug lives in ({@code lock-survives-failed-create}) is one the default campaign's fresh
 * schedules reach on every machine: a worker's create() fails on a segment whose lock another worker holds, and the
 * same worker then calls lock() while that holder still holds it. Which schedules are fresh does not depend on
 * coverage feedback ({@link FuzzCampaign#freshSeeds}), so this, checked without running anything, is what makes
 * {@code QtDifferenceFuzzIT} find the difference within the default budget on a fast machine and on a loaded one
 * (CI, which ran 100 schedules in less than the budget, once found it in none: then only mutants could reach it).
 */
class FailedCreateUnderHeldLockTest {

    /**
     * The default campaign's fresh schedules (28 of its 100) reach the pattern, early from its own first seed (found
     * within seconds even on a loaded machine), and from nearly every other first seed: about one fresh schedule in seven
     * of the campaign's length on qt reaches it (280 of seeds 1-2,000 with 64 steps; 206 with 16, 266 with 32). Counted
     * among the first 40 schedules only, as this test first did, it held by the luck of seed 1: of 21
     * first seeds 1000 apart, 8 had the two reaching seeds it asked for there, and the same generator with rawWrite,
     * truncate and nativeKey on the menu (a seed's draws unchanged up to its first such step) had one. Since an owner's
     * second create of its key makes the shadow give a worker whose lock may meet a nameless set no further step
     * (ShadowState.ownerRemakesTheKeyFile, 2026-12-07), first seeds 2001 and 12001 miss it (none before) and seed 1's
     * fresh schedules reach it at 1 and 99 (1, 82 and 99 before): two misses of 20 are allowed.
     */
    @Test
    void theDefaultCampaignsFreshSchedulesReachAFailedCreateUnderAHeldLockThenALock() {
        FuzzCampaign.Options o = FuzzCampaign.settled(FuzzCampaign.Options.of("qt")); // its length as the campaign's
        ScheduleGenerator generator = new ScheduleGenerator("qt", Subjects.here().semantics("qt"), o.workers(), o.length());
        List<Long> reaching = reaching(generator, o);
        System.out.println("fresh seeds of the first " + o.count() + " schedules: " + FuzzCampaign.freshSeeds(o) + "; reaching: " + reaching);
        assertTrue(reaching.size() >= 2 && reaching.get(0) <= o.seed() + 10, "reaching " + reaching);
        List<Long> missed = new ArrayList<>();
        for (long seed = o.seed() + 1000; seed <= o.seed() + 20_000; seed += 1000) {
            if (reaching(generator, o.seed(seed)).isEmpty()) {
                missed.add(seed);
            }
        }
        assertTrue(missed.size() <= 2, "first seeds whose fresh schedules miss it: " + missed);
    }

    private static List<Long> reaching(ScheduleGenerator generator, FuzzCampaign.Options o) {
        return FuzzCampaign.freshSeeds(o).stream()
                .filter(seed -> ScheduleFacts.of(generator.generate(seed)).lockAfterAFailedCreateUnderAHeldLock).toList();
    }

    @Test
    void theFactIsThePatternAndNothingElse() {
        assertTrue(reaches(Steps.create("A", "k", 64), Steps.lock("A"), Steps.create("B", "k", 64), Steps.lock("B")));
        assertFalse(reaches(Steps.create("A", "k", 64), Steps.lock("A"), Steps.create("B", "k", 64), Steps.unlock("A"),
                Steps.lock("B")));
        assertFalse(reaches(Steps.create("A", "k", 64), Steps.lock("A"), Steps.attach("B", "k"), Steps.lock("B")));
        assertFalse(reaches(Steps.create("A", "k", 64), Steps.lock("A"), Steps.kill("A"), Steps.create("B", "k", 64),
                Steps.lock("B")));
    }

    private static boolean reaches(Step... steps) {
        Schedule s = new Schedule("t", 1L, List.of(WorkerSpec.local("A", "qt"), WorkerSpec.local("B", "qt")),
                new ArrayList<>(List.of(steps)));
        return ScheduleFacts.of(s).lockAfterAFailedCreateUnderAHeldLock;
    }
}
