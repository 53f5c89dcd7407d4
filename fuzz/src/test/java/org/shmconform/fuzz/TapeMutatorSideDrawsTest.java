package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.schedule.Step;

/**
 * The mutator's havoc reaches a step's side draws ({@link Tape.Gene#side}, which make it a rawWrite, truncate or
 * nativeKey): no mutation drops them (a step whose decision was changed kept its draws but lost its side draws, so the
 * generator drew new ones from the mutant's seed), and a mutant turns a step into and out of one of those operations
 * while its other draws choose what they chose. Checked on many mutants without running anything.
 */
class TapeMutatorSideDrawsTest {
    private static final Set<String> SIDE_OPS = Set.of("rawWrite", "truncate", "nativeKey");

    @Test
    void noMutationDropsAStepsSideDraws() {
        SplittableRandom r = new SplittableRandom(21);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(23), 32);
        for (int n = 0; n < 2000; n++) {
            Tape parent = synthetic(r, 2 + r.nextInt(20));
            Tape other = synthetic(r, 2 + r.nextInt(20));
            Tape mutant = mutator.mutate(parent, other);
            for (int i = 1; i < mutant.genes().size(); i++) {
                Tape.Gene g = mutant.genes().get(i);
                assertTrue(g.side().length > 0, "gene " + i + " of mutant " + n + " lost its side draws: " + Arrays.toString(g.draws()));
            }
        }
    }

    /** A tape whose every step has its draws and its side draws. */
    private static Tape synthetic(SplittableRandom r, int genes) {
        List<Tape.Gene> g = new ArrayList<>();
        for (int i = 0; i < genes; i++) {
            g.add(new Tape.Gene(r.longs(8, 0, Long.MAX_VALUE).toArray(), r.nextInt(8) == 0, r.longs(1 + r.nextInt(3), 0, Long.MAX_VALUE).toArray()));
        }
        return new Tape(g);
    }

    /**
     * A side flip: the first step in which a mutant's schedule differs from its parent's is a rawWrite, truncate or
     * nativeKey in one and not in the other, while every gene up to that step's has the parent's draws and kill (so the
     * menu, and what the draws chose from it, are the parent's: only the side draws made the difference).
     */
    @Test
    void aMutantTurnsAStepIntoAndOutOfARawWriteTruncateOrNativeKey() {
        ScheduleGenerator g = new ScheduleGenerator("mmapfile", Subjects.here().semantics("mmapfile"), 3, 16);
        TapeMutator mutator = new TapeMutator(new SplittableRandom(31), 32);
        int into = 0;
        int outOf = 0;
        for (long seed = 1; seed <= 3000; seed++) {
            Tape parentTape = g.generate(seed, null).tape();
            Tape mutant = mutator.mutate(parentTape, g.generate(seed + 5000, null).tape());
            Schedule parent = g.generate(seed, parentTape).schedule();
            Schedule m = g.generate(seed, mutant).schedule();
            assertEquals(List.of(), ScheduleValidation.problems(m, Set.of("mmapfile"), Set.of("local")), m.toString());
            int i = 0;
            while (i < parent.steps().size() && i < m.steps().size() && parent.steps().get(i).equals(m.steps().get(i))) {
                i++;
            }
            if (i == parent.steps().size() || i == m.steps().size() || !sameDraws(parentTape, mutant, i + 2)) {
                continue;
            }
            Step was = parent.steps().get(i);
            Step now = m.steps().get(i);
            into += !SIDE_OPS.contains(was.op()) && SIDE_OPS.contains(now.op()) ? 1 : 0;
            outOf += SIDE_OPS.contains(was.op()) && !SIDE_OPS.contains(now.op()) ? 1 : 0;
        }
        System.out.printf("3000 mutants of mmapfile: %d steps turned into a rawWrite, truncate or nativeKey, %d out of one%n", into, outOf);
        assertTrue(into >= 60, "turned into: " + into);
        assertTrue(outOf >= 5, "turned out of: " + outOf);
    }

    /** Every mutant stays a schedule ScheduleValidation lets run, with a second object and a child worker too, kills thinned or not. */
    @Test
    void everyMutantStaysValid() {
        for (String column : List.of("sysv", "posix", "mmapfile", "memfd-fd")) {
            ScheduleGenerator g = new ScheduleGenerator(column, Subjects.here().semantics(column), 3, 16).secondObjectOnOneSeedIn(2);
            TapeMutator mutator = new TapeMutator(new SplittableRandom(37), 32);
            for (long seed = 1; seed <= 300; seed++) {
                Tape mutant = mutator.mutate(g.generate(seed, null).tape(), g.generate(seed + 7000, null).tape());
                for (ScheduleGenerator generator : List.of(g, g.mutantsKillOnOneStepIn(16))) {
                    Schedule m = generator.generate(seed, mutant).schedule();
                    assertEquals(List.of(), ScheduleValidation.problems(m, Set.of(column), Set.of("local")), m.toString());
                }
            }
        }
    }

    /** Whether the first {@code n} genes of both tapes have the same draws and kill (their side draws may differ). */
    private static boolean sameDraws(Tape a, Tape b, int n) {
        if (a.genes().size() < n || b.genes().size() < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            Tape.Gene x = a.genes().get(i);
            Tape.Gene y = b.genes().get(i);
            if (!Arrays.equals(x.draws(), y.draws()) || x.kill() != y.kill()) {
                return false;
            }
        }
        return true;
    }
}
