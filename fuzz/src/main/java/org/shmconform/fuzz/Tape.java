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
     * ({@link ScheduleGenerator#mutantsKillOnOneStepIn}); {@code side} the draws that decide whether the step is one of
     * the operations added to the menu later (rawWrite, truncate, nativeKey), drawn from a stream of their own so that
     * a seed's draws for every other step stay what they were (ScheduleGenerator#extraOrChosen).
     */
    public record Gene(long[] draws, boolean kill, long[] side) {
        public Gene(long[] draws, boolean kill) {
            this(draws, kill, new long[0]);
        }
    }

    public Tape {
        genes = List.copyOf(genes);
    }

    /** Reads a tape, drawing (and recording) fresh numbers from {@code fill} where it runs out. */
    static final class Reader {
        private final List<Gene> in;
        private final SplittableRandom fill;
        private final SplittableRandom sideFill;
        private final List<Gene> out = new ArrayList<>();
        private List<Long> current;
        private List<Long> currentSide;
        private long[] recorded;
        private long[] recordedSide;
        private boolean kill;
        private int pos;
        private int sidePos;

        /** @param sideFill where {@link #nextSide} draws once the tape's side draws run out */
        Reader(Tape tape, SplittableRandom fill, SplittableRandom sideFill) {
            this.in = tape == null ? List.of() : tape.genes();
            this.fill = fill;
            this.sideFill = sideFill;
        }

        /** Starts gene {@code index}; whether the tape has one there. */
        boolean begin(int index) {
            finish();
            Gene g = index < in.size() ? in.get(index) : null;
            recorded = g == null ? new long[0] : g.draws();
            recordedSide = g == null ? new long[0] : g.side();
            kill = g != null && g.kill();
            current = new ArrayList<>();
            currentSide = new ArrayList<>();
            pos = 0;
            sidePos = 0;
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

        /** A draw of the step's side stream ({@link Gene#side}): it moves none of the step's other draws. */
        int nextSide(int bound) {
            long v = sidePos < recordedSide.length ? recordedSide[sidePos] : sideFill.nextLong() & Long.MAX_VALUE;
            sidePos++;
            currentSide.add(v);
            return (int) Math.floorMod(v, (long) bound);
        }

        Tape tape() {
            finish();
            return new Tape(out);
        }

        private void finish() {
            if (current != null) {
                out.add(new Gene(current.stream().mapToLong(Long::longValue).toArray(), kill,
                        currentSide.stream().mapToLong(Long::longValue).toArray()));
                current = null;
            }
        }
    }
}
