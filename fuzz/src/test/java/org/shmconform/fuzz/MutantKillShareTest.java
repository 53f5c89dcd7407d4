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
        ScheduleGenerator oneIn16 = everyStep.mutantsKillOnOneStepIn(16);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(11), 32);
        int killsEveryStep = 0;
        int killsOneIn16 = 0;
        int steps = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Tape mutant = mutator.mutate(everyStep.generate(seed, null).tape(), everyStep.generate(seed + 5000, null).tape());
            killsEveryStep += kills(everyStep.generate(seed, mutant).schedule());
            Schedule m = oneIn16.generate(seed, mutant).schedule();
            assertEquals(List.of(), ScheduleValidation.problems(m, Set.of("sysv"), Set.of("local")), m.toString());
            killsOneIn16 += kills(m);
            steps += m.steps().size();
        }
        System.out.printf("400 mutants: %d kills with kills on every step, %d with one step in 16 (%d steps)%n",
                killsEveryStep, killsOneIn16, steps);
        assertTrue(killsEveryStep >= 200, "the mutants of kill-rich schedules kill: " + killsEveryStep);
        assertTrue(killsOneIn16 * 4 <= killsEveryStep, killsOneIn16 + " kills against " + killsEveryStep);
        assertTrue(killsOneIn16 > 0, "a mutant may still kill (at any moment, issue 13)");
    }

    @Test
    void aMutantSpawnsAChildOnOneStepInNWhereDescriptorsAreHandedOver() {
        ScheduleGenerator handsOver = new ScheduleGenerator("memfd-fd", Subjects.here().semantics("memfd-fd"), 3, 16);
        ScheduleGenerator oneIn16 = handsOver.mutantsKillOnOneStepIn(16);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(17), 32);
        int spawnsEveryStep = 0;
        int spawnsOneIn16 = 0;
        int freshSpawns = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Schedule fresh = handsOver.generate(seed);
            assertEquals(fresh, oneIn16.generate(seed), "seed " + seed);
            freshSpawns += count(fresh, "spawnChild");
            Tape mutant = mutator.mutate(handsOver.generate(seed, null).tape(), handsOver.generate(seed + 9000, null).tape());
            spawnsEveryStep += count(handsOver.generate(seed, mutant).schedule(), "spawnChild");
            Schedule m = oneIn16.generate(seed, mutant).schedule();
            assertEquals(List.of(), ScheduleValidation.problems(m, Set.of("memfd-fd"), Set.of("local")), m.toString());
            spawnsOneIn16 += count(m, "spawnChild");
        }
        System.out.printf("400 schedules of memfd-fd: %d spawns made from their seeds; 400 mutants: %d spawns with every step,"
                + " %d with one step in 16%n", freshSpawns, spawnsEveryStep, spawnsOneIn16);
        assertTrue(spawnsEveryStep >= 100, "the mutants of spawning schedules spawn: " + spawnsEveryStep);
        assertTrue(spawnsOneIn16 * 4 <= spawnsEveryStep, spawnsOneIn16 + " spawns against " + spawnsEveryStep);
        assertTrue(spawnsOneIn16 > 0, "a mutant may still spawn a child");
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
        assertEquals(16, FuzzCampaign.mutantKillShare(FuzzCampaign.Options.of("sysv")));
        assertEquals(16, FuzzCampaign.mutantKillShare(FuzzCampaign.Options.of("mmapfile")));
        assertEquals(4, FuzzCampaign.mutantKillShare(FuzzCampaign.Options.of("qt")));
        assertEquals(1, FuzzCampaign.mutantKillShare(FuzzCampaign.Options.of("sysv").mutantKillShare(1)), "asked for: taken as asked");
        assertThrows(IllegalArgumentException.class, () -> FuzzCampaign.Options.of("qt").mutantKillShare(-1));
    }

    private static int kills(Schedule s) {
        return count(s, "kill");
    }

    private static int count(Schedule s, String op) {
        return (int) s.steps().stream().map(Step::op).filter(op::equals).count();
    }
}
