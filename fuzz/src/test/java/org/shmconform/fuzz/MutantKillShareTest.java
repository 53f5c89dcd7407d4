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
import org.shmconform.spi.BackendSemantics;

/**
 * A campaign's mutant may kill, spawn a child or crash a worker on one step in N (a kill or a crash costs the process it
 * ends, a spawn the one it
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

    /**
     * A step the shadow expects to crash its worker (a rawWrite into a read-only attach: SIGSEGV; a read or write after
     * its object was truncated to nothing: SIGBUS) ends the worker's process as a kill does, so the pool starts another (a
     * JVM on these columns): a mutant makes one on one step in N too, and stays valid. Its schedule made from the seed
     * alone is what it was.
     */
    @Test
    void aMutantCrashesAWorkerOnOneStepInN() {
        int everyStep = 0;
        int thinned = 0;
        for (String column : List.of("mmapfile", "posix")) {
            BackendSemantics semantics = Subjects.here().semantics(column);
            ScheduleGenerator base = new ScheduleGenerator(column, semantics, 3, 16);
            ScheduleGenerator oneIn16 = base.mutantsKillOnOneStepIn(16);
            TapeMutator mutator = new TapeMutator(new SplittableRandom(19), 32);
            for (long seed = 1; seed <= 1000; seed++) {
                ScheduleGenerator.Generated fresh = base.generate(seed, null);
                assertEquals(fresh.schedule(), oneIn16.generate(seed), "seed " + seed);
                Tape mutant = mutator.mutate(fresh.tape(), base.generate(seed + 3000, null).tape());
                everyStep += expectedCrashes(base.generate(seed, mutant), semantics);
                ScheduleGenerator.Generated m = oneIn16.generate(seed, mutant);
                assertEquals(List.of(), ScheduleValidation.problems(m.schedule(), Set.of(column), Set.of("local")), m.schedule().toString());
                thinned += expectedCrashes(m, semantics);
            }
        }
        System.out.printf("2,000 mutants of mmapfile and posix: %d expected crashes with every step, %d with one step in 16%n",
                everyStep, thinned);
        assertTrue(everyStep >= 100, "the mutants crash workers: " + everyStep);
        assertTrue(thinned * 4 <= everyStep, thinned + " crashes against " + everyStep);
        assertTrue(thinned > 0, "a mutant may still crash a worker");
    }

    /** The steps of a schedule (of a generator without a second object or hand-over) its shadow expects to crash their worker. */
    static int expectedCrashes(ScheduleGenerator.Generated g, BackendSemantics semantics) {
        ShadowState shadow = new ShadowState(semantics);
        long[] keys = g.tape().genes().get(0).draws();
        int n = g.schedule().workers().size();
        for (int i = 0; i < n; i++) {
            boolean other = i == n - 1 && i > 1 && Math.floorMod(keys[0], 4L) == 0;
            shadow.keyOf.put(g.schedule().workers().get(i).id(), other ? ScheduleGenerator.KEYS.get(1 + (int) Math.floorMod(keys[1], 3L)) : "k");
        }
        int crashes = 0;
        for (Step step : g.schedule().steps()) {
            boolean alive = !shadow.dead.contains(step.worker());
            shadow.apply(step);
            crashes += !"kill".equals(step.op()) && alive && shadow.dead.contains(step.worker()) ? 1 : 0;
        }
        return crashes;
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
    void aMutantThatKillsAndCrashesNobodyIsTheSameWhateverTheShare() {
        ScheduleGenerator oneIn16 = everyStep.mutantsKillOnOneStepIn(16);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(13), 32);
        int compared = 0;
        for (long seed = 1; seed <= 400; seed++) {
            Tape mutant = mutator.mutate(everyStep.generate(seed, null).tape(), everyStep.generate(seed + 7000, null).tape());
            ScheduleGenerator.Generated every = everyStep.generate(seed, mutant);
            Schedule withKills = every.schedule();
            if (kills(withKills) == 0 && expectedCrashes(every, Subjects.here().semantics("sysv")) == 0) {
                // Its draws never landed on a kill or a crash: thinning them must not move any of its choices.
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
