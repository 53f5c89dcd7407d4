package org.shmconform.fuzz;

import org.shmconform.schedule.Step;
import org.shmconform.schedule.Steps;

import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.shmconform.spi.BackendSemantics;

/**
 * Generates a random multi-process schedule from a seed: the same (impl, semantics, workers,
 * length, seed) always gives the same schedule, so a seed is a complete bug report.
 *
 * <p>Each step is drawn for a random worker from the steps that make sense in the {@link ShadowState}
 * (create then attach, lock then unlock by the holder, reads and writes inside the segment), plus a
 * few deliberately wrong calls whose failure the model also checks (a second create, create(0),
 * attach to a missing key, detach when not attached, unlock without holding, lock before any key,
 * a read past the end, a write through a read-only attach). It also makes the interesting
 * interleavings: a lock while another worker holds it (issued {@code async} so the holder can go
 * on and unlock), kills of holders and attachers, and reads of what another worker wrote.
 *
 * <p>Rules that keep every generated schedule runnable without the shadow guessing: a worker uses
 * one logical key for the whole schedule; nobody creates, attaches or detaches a key while its lock
 * is held or awaited (Qt's QSharedMemoryLocker would block them, and a holder's own create/detach
 * releases its lock, which the model cannot see); at most one worker waits per lock; a killed
 * worker takes no further steps; the schedule ends with the holders unlocking. Writes carry unique tags ("wBs7" = worker B, step 7) so a read of
 * stale or foreign bytes is provable.
 */
public final class ScheduleGenerator {
    private static final long[] SIZES = {16, 24, 40, 64, 100, 200};

    private final String impl;
    private final BackendSemantics semantics;
    private final int workers;
    private final int length;

    /**
     * @param semantics the backend's declared semantics: what the shadow expects after a kill or last detach
     * @param workers   2 to 4
     * @param length    number of steps (kills included)
     */
    public ScheduleGenerator(String impl, BackendSemantics semantics, int workers, int length) {
        if (workers < 2 || workers > 4) {
            throw new IllegalArgumentException("workers must be 2..4, not " + workers);
        }
        this.impl = impl;
        this.semantics = semantics;
        this.workers = workers;
        this.length = length;
    }

    public Schedule generate(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ShadowState shadow = new ShadowState(semantics);
        List<WorkerSpec> specs = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            String id = String.valueOf((char) ('A' + i));
            specs.add(WorkerSpec.local(id, impl));
            // Most workers share "k"; now and then the last one lives on its own key "j".
            shadow.keyOf.put(id, i == workers - 1 && i > 1 && random.nextInt(4) == 0 ? "j" : "k");
        }
        List<Step> steps = new ArrayList<>();
        while (steps.size() < length) {
            List<String> able = specs.stream().map(WorkerSpec::id).filter(shadow::canAct).toList();
            if (able.isEmpty()) {
                break;
            }
            int alive = (int) specs.stream().map(WorkerSpec::id)
                    .filter(id -> !shadow.dead.contains(id) && !shadow.stuck.contains(id)).count();
            // One menu for all workers that can act, so a worker with only pointless steps (not attached
            // while the lock is busy) is rarely picked.
            Choices menu = new Choices(random, shadow, steps.size(), alive);
            able.forEach(menu::offer);
            Step step = menu.choose();
            shadow.apply(step);
            steps.add(step);
        }
        // Epilogue: holders let go, so waiters get their turn and no worker's exit (whose detach takes
        // the lock, as Qt's destructor does) waits on a lock nobody will release.
        while (!shadow.holder.isEmpty()) {
            Step unlock = Steps.unlock(shadow.holder.values().iterator().next());
            shadow.apply(unlock);
            steps.add(unlock);
        }
        return new Schedule("fuzz-" + impl + "-" + seed, seed, specs, steps);
    }

    /** The weighted menu of steps for the workers that can act, in the current shadow state. */
    private static final class Choices {
        private final SplittableRandom random;
        private final ShadowState s;
        private String w;
        private final int index;
        private final int alive;
        private final List<Step> menu = new ArrayList<>();
        private final List<Integer> weights = new ArrayList<>();

        Choices(SplittableRandom random, ShadowState s, int index, int alive) {
            this.random = random;
            this.s = s;
            this.index = index;
            this.alive = alive;
        }

        /** Adds the worker's steps to the menu. */
        void offer(String worker) {
            w = worker;
            String key = s.key(w);
            ShadowState.Segment seg = s.segment(w);
            boolean free = !s.lockBusy(w);
            if (!s.attached(w)) {
                if (free) {
                    add(12, seg == null ? Steps.create(w, key, SIZES[random.nextInt(SIZES.length)]) : attach(key));
                    add(1, seg == null ? attach(key) : Steps.create(w, key, 64)); // wrong: missing key / second create
                    add(1, Steps.create(w, key, 0)); // wrong: InvalidSize
                }
                if (!s.keyed.contains(w)) {
                    add(1, Steps.lock(w)); // wrong: lock before any key
                }
                add(1, Steps.detach(w)); // wrong: not attached
                add(1, random.nextBoolean() ? Steps.size(w) : Steps.isAttached(w));
            } else {
                accessSteps(seg);
                lockSteps(key, free);
                if (free && !s.holds(w)) {
                    add(3, Steps.detach(w));
                }
                add(1, Steps.size(w));
            }
            if (index >= 2 && alive >= 2 && s.attached(w)) {
                // Holders die more often, above all with a waiter: that is where the lock rules bite.
                add(s.holds(w) ? (s.waiter.containsKey(s.key(w)) ? 6 : 3) : 1, Steps.kill(w));
            }
        }

        private Step attach(String key) {
            return random.nextInt(5) == 0 ? Steps.attachReadOnly(w, key) : Steps.attach(w, key);
        }

        private void accessSteps(ShadowState.Segment seg) {
            String tag = "w" + w + "s" + index;
            long off = random.nextLong(seg.size - tag.length() + 1);
            add(s.readOnly.contains(w) ? 1 : 4, Steps.write(w, off, tag)); // on a read-only attach: wrong, PermissionDenied
            if (seg.lastWriteOffset >= 0 && random.nextBoolean()) {
                add(4, Steps.read(w, seg.lastWriteOffset, seg.lastWriteLength)); // read back the last write: stale reads show
            } else {
                long at = random.nextLong(seg.size);
                add(3, Steps.read(w, at, 1 + random.nextInt((int) Math.min(16, seg.size - at))));
            }
            add(1, Steps.read(w, seg.size - 2, 4)); // wrong: past the end
        }

        private void lockSteps(String key, boolean free) {
            if (s.holds(w)) {
                add(6, Steps.unlock(w));
                add(1, Steps.lock(w)); // a second lock() on one object returns true
            } else if (free) {
                add(6, Steps.lock(w));
                add(1, Steps.unlock(w)); // wrong: not holding
            } else if (s.holder.containsKey(key) && !s.waiter.containsKey(key)) {
                add(8, Steps.lock(w).async()); // blocks until the holder unlocks or dies
            }
        }

        private void add(int weight, Step step) {
            menu.add(step);
            weights.add(weight);
        }

        Step choose() {
            int total = weights.stream().mapToInt(Integer::intValue).sum();
            int r = random.nextInt(total);
            for (int i = 0; i < menu.size(); i++) {
                r -= weights.get(i);
                if (r < 0) {
                    return menu.get(i);
                }
            }
            throw new AssertionError("weights");
        }
    }
}
