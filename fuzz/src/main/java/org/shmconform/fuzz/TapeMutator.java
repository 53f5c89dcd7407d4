package org.shmconform.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * AFL's havoc stage on a schedule's decisions ({@link Tape}): one to three of splice (the start of
 * one corpus schedule, the end of another), insert a fresh step, delete a step, duplicate a step,
 * change one decision of a step (another op, another argument), or force a kill. Gene 0 (the
 * workers' keys) is kept or changed, never moved. The generator re-derives the schedule from the
 * mutated tape, so every mutant is valid and runnable.
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
            switch (random.nextInt(6)) {
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
                    g.set(i, new Tape.Gene(d, g.get(i).kill()));
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

    /** A step whose decisions are all fresh (the generator draws them from the seed). */
    private Tape.Gene fresh(boolean kill) {
        long[] d = new long[8];
        for (int i = 0; i < d.length; i++) {
            d[i] = random.nextLong() & Long.MAX_VALUE;
        }
        return new Tape.Gene(d, kill);
    }
}
