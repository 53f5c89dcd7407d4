package org.shmconform.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The generator's decisions, one gene per step (gene 0 decides the workers' keys): each gene is the
 * raw numbers that step drew (which step of the menu, which size, offset, ...). The generator reads
 * a tape back and re-derives the schedule through its shadow state, so a tape mutated in any way
 * (genes spliced, inserted, deleted, a number changed, a kill forced) still gives a valid schedule
 * that makes sense: AFL's byte mutations, on decisions instead of bytes.
 *
 * @param genes the per-step draws; a gene shorter than its step needs is extended with fresh draws
 */
public record Tape(List<Gene> genes) {

    /**
     * One step's draws; {@code kill} makes the step a kill of a worker when the menu offers one and the step may kill
     * ({@link ScheduleGenerator#mutantsKillOnOneStepIn}).
     */
    public record Gene(long[] draws, boolean kill) {
    }

    public Tape {
        genes = List.copyOf(genes);
    }

    /** Reads a tape, drawing (and recording) fresh numbers from {@code fill} where it runs out. */
    static final class Reader {
        private final List<Gene> in;
        private final SplittableRandom fill;
        private final List<Gene> out = new ArrayList<>();
        private List<Long> current;
        private long[] recorded;
        private boolean kill;
        private int pos;

        Reader(Tape tape, SplittableRandom fill) {
            this.in = tape == null ? List.of() : tape.genes();
            this.fill = fill;
        }

        /** Starts gene {@code index}; whether the tape has one there. */
        boolean begin(int index) {
            finish();
            Gene g = index < in.size() ? in.get(index) : null;
            recorded = g == null ? new long[0] : g.draws();
            kill = g != null && g.kill();
            current = new ArrayList<>();
            pos = 0;
            return g != null;
        }

        boolean forcedKill() {
            return kill;
        }

        int nextInt(int bound) {
            long v = pos < recorded.length ? recorded[pos] : fill.nextLong() & Long.MAX_VALUE;
            pos++;
            current.add(v);
            return (int) Math.floorMod(v, (long) bound);
        }

        long nextLong(long bound) {
            long v = pos < recorded.length ? recorded[pos] : fill.nextLong() & Long.MAX_VALUE;
            pos++;
            current.add(v);
            return Math.floorMod(v, bound);
        }

        boolean nextBoolean() {
            return nextInt(2) == 1;
        }

        Tape tape() {
            finish();
            return new Tape(out);
        }

        private void finish() {
            if (current != null) {
                out.add(new Gene(current.stream().mapToLong(Long::longValue).toArray(), kill));
                current = null;
            }
        }
    }
}
