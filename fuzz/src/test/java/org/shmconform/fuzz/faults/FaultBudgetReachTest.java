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

/**
 * {@link FaultFuzzIT}'s small budget (24 schedules, 9 of them fresh) finds each injected fault on every machine because its fresh
 * seeds, which do not depend on coverage feedback, reach the situation the fault breaks; mutants may find it sooner.
 * Checked here without running anything, so a generator change that loses one shows here, not as a flaky IT.
 */
class FaultBudgetReachTest {

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of("fault-nosemundo", (Predicate<ScheduleFacts>) f -> f.lockAfterItsHolderWasKilled),
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
}
