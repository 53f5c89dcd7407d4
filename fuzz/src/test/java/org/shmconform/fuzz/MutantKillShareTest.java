package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.schedule.Step;

/**
 * A campaign's mutant may kill or spawn a child on one step in N (a kill costs the process it ends, a spawn the one it
 * starts: a JVM start on a Java column), and its other draws choose what they chose; a schedule made from its seed alone
 * is what it always was, kills and spawns possible on every step: checked on many seeds and mutants without running
 * anything.
 */
class MutantKillShareTest {
    private final ScheduleGenerator everyStep = new ScheduleGenerator("sysv", Subjects.here().semantics("sysv"), 3, 16);

    @Test
    void aScheduleMadeFromItsSeedAloneIsTheSameWhateverTheMutantsShare() {
        ScheduleGenerator oneIn16 = everyStep.mutantsKillOnOneStepIn(16);
        for (long seed = 1; seed <= 200; seed++) {
            assertEquals(everyStep.generate(seed), oneIn16.generate(seed), "seed " + seed);
        }
    }

    @Test
    void aMutantKillsOnOneStepInNAndStaysValid() {
        Counts kills = inMutants(everyStep, "sysv", "kill", 11, 5000);
        System.out.printf("400 mutants: %d kills with kills on every step, %d with one step in 16%n", kills.everyStep(), kills.oneIn16());
        assertTrue(kills.everyStep() >= 200, "the mutants of kill-rich schedules kill: " + kills.everyStep());
        assertTrue(kills.oneIn16() * 4 <= kills.everyStep(), kills.oneIn16() + " kills against " + kills.everyStep());
        assertTrue(kills.oneIn16() > 0, "a mutant may still kill (at any moment, issue 13)");
    }

    @Test
    void aMutantSpawnsAChildOnOneStepInNWhereDescriptorsAreHandedOver() {
        ScheduleGenerator handsOver = new ScheduleGenerator("memfd-fd", Subjects.here().semantics("memfd-fd"), 3, 16);
        int freshSpawns = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Schedule fresh = handsOver.generate(seed);
            assertEquals(fresh, handsOver.mutantsKillOnOneStepIn(16).generate(seed), "seed " + seed);
            freshSpawns += count(fresh, "spawnChild");
        }
        Counts spawns = inMutants(handsOver, "memfd-fd", "spawnChild", 17, 9000);
        System.out.printf("400 schedules of memfd-fd: %d spawns made from their seeds; 400 mutants: %d spawns with every step,"
                + " %d with one step in 16%n", freshSpawns, spawns.everyStep(), spawns.oneIn16());
        assertTrue(spawns.everyStep() >= 100, "the mutants of spawning schedules spawn: " + spawns.everyStep());
        assertTrue(spawns.oneIn16() * 4 <= spawns.everyStep(), spawns.oneIn16() + " spawns against " + spawns.everyStep());
        assertTrue(spawns.oneIn16() > 0, "a mutant may still spawn a child");
    }

    /** How many {@code op} steps 400 mutants made with every step open, and with one step in 16. */
    private record Counts(int everyStep, int oneIn16) {
    }

    /** Mutates 400 of {@code base}'s schedules and counts their {@code op} steps both ways; every thinned mutant must be valid. */
    private static Counts inMutants(ScheduleGenerator base, String impl, String op, long mutatorSeed, long partnerOffset) {
        ScheduleGenerator oneIn16 = base.mutantsKillOnOneStepIn(16);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(mutatorSeed), 32);
        int everyStep = 0;
        int thinned = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Tape mutant = mutator.mutate(base.generate(seed, null).tape(), base.generate(seed + partnerOffset, null).tape());
            everyStep += count(base.generate(seed, mutant).schedule(), op);
            Schedule m = oneIn16.generate(seed, mutant).schedule();
            assertEquals(List.of(), ScheduleValidation.problems(m, Set.of(impl), Set.of("local")), m.toString());
            thinned += count(m, op);
        }
        return new Counts(everyStep, thinned);
    }

    @Test
    void aMutantThatKillsNobodyIsTheSameWhateverTheShare() {
        ScheduleGenerator oneIn16 = everyStep.mutantsKillOnOneStepIn(16);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(13), 32);
        int compared = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Tape mutant = mutator.mutate(everyStep.generate(seed, null).tape(), everyStep.generate(seed + 7000, null).tape());
            Schedule withKills = everyStep.generate(seed, mutant).schedule();
            if (kills(withKills) == 0) {
                // Its draws never landed on a kill: thinning the kills must not move any of its choices.
                assertEquals(withKills, oneIn16.generate(seed, mutant).schedule(), "seed " + seed);
                compared++;
            }
        }
        assertTrue(compared >= 20, "mutants without a kill: " + compared);
    }

    @Test
    void aMutantIsTheSameForTheSameSeedAndTape() {
        ScheduleGenerator oneIn4 = everyStep.mutantsKillOnOneStepIn(4);
        Tape mutant = new TapeMutator(new SplittableRandom(3), 32).mutate(everyStep.generate(9, null).tape(), everyStep.generate(10, null).tape());
        assertEquals(oneIn4.generate(77, mutant).schedule(), oneIn4.generate(77, mutant).schedule());
    }

    @Test
    void aShareOfOneIsTheGeneratorAsItWas() {
        ScheduleGenerator oneInOne = everyStep.mutantsKillOnOneStepIn(1);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(5), 32);
        for (long seed = 1; seed <= 100; seed++) {
            Tape mutant = mutator.mutate(everyStep.generate(seed, null).tape(), everyStep.generate(seed + 1, null).tape());
            assertEquals(everyStep.generate(seed, mutant).schedule(), oneInOne.generate(seed, mutant).schedule());
        }
        assertThrows(IllegalArgumentException.class, () -> everyStep.mutantsKillOnOneStepIn(0));
    }

    @Test
    void aKillCostsAJvmStartOnAJavaColumnAndAForkOnQts() {
        assertEquals(16, FuzzCampaign.settled(FuzzCampaign.Options.of("sysv")).mutantKillShare());
        assertEquals(16, FuzzCampaign.settled(FuzzCampaign.Options.of("mmapfile")).mutantKillShare());
        assertEquals(4, FuzzCampaign.settled(FuzzCampaign.Options.of("qt")).mutantKillShare());
        assertEquals(1, FuzzCampaign.settled(FuzzCampaign.Options.of("sysv").mutantKillShare(1)).mutantKillShare(),
                "asked for: taken as asked");
        assertThrows(IllegalArgumentException.class, () -> FuzzCampaign.Options.of("qt").mutantKillShare(-1));
    }

    private static int kills(Schedule s) {
        return count(s, "kill");
    }

    private static int count(Schedule s, String op) {
        return (int) s.steps().stream().map(Step::op).filter(op::equals).count();
    }
}
