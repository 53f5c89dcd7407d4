package org.shmconform.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * AFL's havoc stage on a schedule's decisions ({@link Tape}): one to three of splice (the start of
 * one corpus schedule, the end of another), insert a fresh step, delete a step, duplicate a step,
 * change one decision of a step (another op, another argument), force a kill, or change a step's
 * side draws ({@link Tape.Gene#side}: turn it into or out of a rawWrite, truncate or nativeKey, or
 * change that operation's argument). A step keeps its side draws wherever it goes (spliced, duplicated,
 * a decision changed). Gene 0 (the workers' keys) is kept or changed, never moved. The generator
 * re-derives the schedule from the mutated tape, so every mutant is valid and runnable.
 */
final class TapeMutator {
    private final SplittableRandom random;
    private final int maxGenes;

    /** @param maxSteps mutants never grow past this many steps */
    TapeMutator(SplittableRandom random, int maxSteps) {
        this.random = random;
        this.maxGenes = maxSteps + 1;
    }

    Tape mutate(Tape parent, Tape other) {
        List<Tape.Gene> g = new ArrayList<>(parent.genes());
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            int at = g.size() <= 1 ? 1 : 1 + random.nextInt(g.size() - 1);
            switch (random.nextInt(7)) {
                case 0 -> { // splice
                    List<Tape.Gene> o = other.genes();
                    int from = o.size() <= 1 ? 1 : 1 + random.nextInt(o.size() - 1);
                    g = new ArrayList<>(g.subList(0, Math.min(at, g.size())));
                    g.addAll(o.subList(Math.min(from, o.size()), o.size()));
                }
                case 1 -> g.add(Math.min(at, g.size()), fresh(false));
                case 2 -> {
                    if (g.size() > 2) {
                        g.remove(Math.min(at, g.size() - 1));
                    }
                }
                case 3 -> {
                    if (at < g.size()) {
                        g.add(at, g.get(at));
                    }
                }
                case 4 -> {
                    int i = random.nextInt(g.size());
                    long[] d = g.get(i).draws().clone();
                    if (d.length > 0) {
                        d[random.nextInt(d.length)] = random.nextLong() & Long.MAX_VALUE;
                    }
                    g.set(i, new Tape.Gene(d, g.get(i).kill(), g.get(i).side()));
                }
                case 5 -> {
                    if (g.size() > 1) {
                        int i = 1 + random.nextInt(g.size() - 1);
                        g.set(i, new Tape.Gene(g.get(i).draws(), g.get(i).kill(), side(g.get(i).side())));
                    }
                }
                default -> g.add(Math.min(at, g.size()), fresh(true));
            }
        }
        if (g.isEmpty()) {
            g.add(fresh(false));
        }
        while (g.size() > maxGenes) {
            g.remove(g.size() - 1);
        }
        return new Tape(g);
    }

    /**
     * A step's side draws changed: one that looks like a rawWrite, truncate or nativeKey (its first draw on one of the
     * {@link ScheduleGenerator#EXTRA_SLOTS} lowest of {@link ScheduleGenerator#EXTRA_ONE_IN}) is turned out of it, or half
     * the time keeps it with another argument (the offset of a rawWrite, the length of a truncate); another step is turned
     * into one of them (which one, by the weights the generator gives them then; where fewer are on offer, a draw may land
     * on none). A side draw is a raw number like the others: whichever it is, the generator makes a valid step of it.
     */
    private long[] side(long[] was) {
        long[] side = Arrays.copyOf(was, Math.max(was.length, SIDE_DRAWS));
        for (int i = was.length; i < side.length; i++) {
            side[i] = random.nextLong() & Long.MAX_VALUE;
        }
        boolean extra = was.length > 0 && Math.floorMod(was[0], (long) ScheduleGenerator.EXTRA_ONE_IN) < ScheduleGenerator.EXTRA_SLOTS;
        if (!extra) {
            side[0] = random.nextInt(ScheduleGenerator.EXTRA_SLOTS);
        } else if (random.nextBoolean()) {
            side[0] = ScheduleGenerator.EXTRA_SLOTS + random.nextInt(ScheduleGenerator.EXTRA_ONE_IN - ScheduleGenerator.EXTRA_SLOTS);
        } else {
            side[1 + random.nextInt(side.length - 1)] = random.nextLong() & Long.MAX_VALUE;
        }
        return side;
    }

    /** The most side draws a step makes: whether it is one of the side operations, then a truncate's two (a rawWrite's one). */
    private static final int SIDE_DRAWS = 3;

    /** A step whose decisions are all fresh, its side draws too (the generator draws any further ones from the seed). */
    private Tape.Gene fresh(boolean kill) {
        long[] d = new long[8];
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextLong() & Long.MAX_VALUE;
        }
        long[] side = new long[SIDE_DRAWS];
        for (int i = 0; i < side.length; i++) {
            side[i] = random.nextLong() & Long.MAX_VALUE;
        }
        return new Tape.Gene(d, kill, side);
    }
}
