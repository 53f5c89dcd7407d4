package org.shmconform.fuzz.faults;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.shmconform.engine.Subjects;
import org.shmconform.fuzz.FuzzCampaign;
import org.shmconform.fuzz.ScheduleFacts;
import org.shmconform.fuzz.ScheduleGenerator;
import org.shmconform.schedule.Steps;

/**
 * {@link FaultFuzzIT}'s small budget (96 schedules, 34 of them fresh) finds each injected fault on every machine because its fresh
 * seeds, which do not depend on coverage feedback, reach the situation the fault breaks; mutants may find it sooner.
 * Checked here without running anything, so a generator change that loses one shows here, not as a flaky IT.
 */
class FaultBudgetReachTest {

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("fault-nosemundo", (Predicate<ScheduleFacts>) f -> f.lockLostWithItsKilledHolder),
                Arguments.of("fault-neverdestroy", (Predicate<ScheduleFacts>) f -> f.createAfterTheLastDetach),
                Arguments.of("fault-createexisting", (Predicate<ScheduleFacts>) f -> f.secondCreateOnALiveSegment),
                Arguments.of("fault-wrongerror", (Predicate<ScheduleFacts>) f -> f.attachToAMissingKey),
                Arguments.of("fault-nonexclusive", (Predicate<ScheduleFacts>) f -> f.lockWhileAnotherHolds));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void aFreshSeedOfTheBudgetReachesWhatTheFaultBreaks(String fault, Predicate<ScheduleFacts> reaches) {
        FuzzCampaign.Options o = FaultFuzzIT.budget(fault);
        ScheduleGenerator generator = new ScheduleGenerator(fault, Subjects.here().semantics(fault), o.workers(), o.length());
        List<Long> fresh = FuzzCampaign.freshSeeds(o);
        List<Long> reaching = fresh.stream().filter(seed -> reaches.test(ScheduleFacts.of(generator.generate(seed)))).toList();
        System.out.println(fault + ": fresh seeds " + fresh + ", reaching " + reaching);
        assertFalse(reaching.isEmpty(), fault + ": no fresh seed of " + fresh + " reaches it");
    }

    /**
     * The budget holds for the campaign, not for one lucky first seed: from campaign seeds 1000 apart (no schedule seed
     * shared), fault-nosemundo's situation, the rarest (12% of fresh schedules), is reached by the fresh seeds of nearly
     * every campaign (a miss has odds of about 0.88^34, 1%). With 24 schedules it was reached from 12 of these 21 and not
     * from FaultFuzzIT's own seed 1, where only a mutant found it, at schedule 23 of 24.
     */
    @org.junit.jupiter.api.Test
    void theLockHolderDeathBudgetHoldsForManyCampaignSeeds() {
        String fault = "fault-nosemundo";
        FuzzCampaign.Options o = FaultFuzzIT.budget(fault);
        ScheduleGenerator generator = new ScheduleGenerator(fault, Subjects.here().semantics(fault), o.workers(), o.length());
        List<Long> missed = new java.util.ArrayList<>();
        int campaigns = 0;
        for (long seed = o.seed(); seed <= o.seed() + 20_000; seed += 1000, campaigns++) {
            boolean reached = FuzzCampaign.freshSeeds(o.seed(seed)).stream()
                    .anyMatch(s -> ScheduleFacts.of(generator.generate(s)).lockLostWithItsKilledHolder);
            if (!reached) {
                missed.add(seed);
            }
        }
        System.out.println(fault + ": campaign seeds whose fresh schedules miss it: " + missed + " of " + campaigns);
        assertFalse(missed.contains(o.seed()), "FaultFuzzIT's own campaign misses it");
        org.junit.jupiter.api.Assertions.assertTrue(missed.size() <= 2, "missed from " + missed);
    }

    /** The fact is what the checker rules on: a lock a keying re-initialised is not counted (the model allows any outcome). */
    @org.junit.jupiter.api.Test
    void aLockReInitialisedByAKeyingIsNotCountedAsLost() {
        org.junit.jupiter.api.Assertions.assertTrue(lost(Steps.attach("B", "k"), Steps.create("A", "k", 40), Steps.lock("A"),
                Steps.lock("B").async(), Steps.kill("A")), "a waiter when its holder dies");
        org.junit.jupiter.api.Assertions.assertTrue(lost(Steps.create("A", "k", 40), Steps.attach("B", "k"), Steps.lock("A"),
                Steps.kill("A"), Steps.lock("B")), "a lock after its holder died");
        // FaultFuzzIT seed 3: B's create while A holds re-initialises the lock (Qt 6.4's System V), so B's later lock may block.
        assertFalse(lost(Steps.detach("B"), Steps.create("A", "k", 24), Steps.lock("A"), Steps.create("B", "k", 64),
                Steps.kill("A"), Steps.attach("B", "k"), Steps.lock("B")));
        // fault-nosemundo seed 152: the owner's second keying while another has the key may split the set.
        assertFalse(lost(Steps.create("B", "k", 24), Steps.attach("A", "k"), Steps.detach("B"), Steps.attachReadOnly("B", "k"),
                Steps.lock("B"), Steps.lock("A").async(), Steps.kill("B")));
    }

    private static boolean lost(org.shmconform.schedule.Step... steps) {
        return ScheduleFacts.of(new org.shmconform.schedule.Schedule("t", 1L, List.of(org.shmconform.schedule.WorkerSpec.local("A",
                "fault-nosemundo"), org.shmconform.schedule.WorkerSpec.local("B", "fault-nosemundo")),
                new java.util.ArrayList<>(List.of(steps)))).lockLostWithItsKilledHolder;
    }
}
