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
 * length, seed) always gives the same schedule, so a seed is a complete bug report. A schedule can
 * also be re-derived from a {@link Tape} of decisions, which is what the coverage-guided campaign
 * mutates.
 *
 * <p>Each step is drawn for a random worker from a menu of what the {@link ShadowState} says makes
 * sense (create then attach, lock then unlock by the holder, reads and writes inside the segment),
 * plus deliberately wrong calls whose failure the model also checks (a second create, create(0),
 * attach to a missing key, detach when not attached, unlock by a non-holder, lock before any key or
 * by a detached object, a read past the end, a write through a read-only attach, a raw store into a read-only mapping,
 * which ends its worker with SIGSEGV). Now and then a worker's step is a rawWrite, a nativeKey() or, where the column
 * says a peer can resize the object, a truncate (to 0 half the time: an access after it ends its worker with SIGBUS),
 * drawn apart from the other steps' draws ({@code Choices#extraOrChosen}). Every operation
 * is offered in every state the shadow tracks, including the states lock bugs live in: create,
 * attach (read-only too) and detach while another worker holds the lock or waits for it, a lock
 * while another holds it, a re-key to another of several keys (some that Qt mangles to similar
 * names), and kills at any moment, of holders, waiters and workers blocked behind a lock.
 *
 * <p>What keeps every schedule runnable: a step that may wait on a lock is issued {@code async}
 * (the engine then waits until it returns or the kernel confirms it asleep in a lock wait), and its
 * worker gets no step until the shadow thinks the lock was let go; at most one worker waits in
 * lock() per key; a killed worker takes no further steps; the schedule ends with every holder (and
 * every worker that may hold) unlocking. A lock nobody can release any more ends with the schedule:
 * the engine kills a worker still blocked at the end. Writes carry unique tags ("wBs7" = worker B,
 * step 7) so a read of stale or foreign bytes is provable. A holder does not create, attach or
 * detach (its own locker would release the lock, which the model cannot see).
 *
 * <p>Where the column declares {@code handsOverDescriptor} (seed L5), the menu also hands segments
 * over: an attached worker serves its descriptor (serveFd) or starts a child worker that inherits it
 * (spawnChild; the child is one more worker, declared only if the schedule spawns it, and acts only
 * after); a detached one attaches through a served descriptor (attachFd), also deliberately wrong
 * (nobody serves at that name, a descriptor of another key, a spawn with nothing to inherit). An
 * attachFd is offered only while its key's lock is free: it takes the lock around its attach.
 *
 * <p>With {@link #secondObjectOnOneSeedIn}, some schedules also have {@value #SECOND_OBJECT}, a second segment object in
 * A's process ({@link WorkerSpec#objectOf}), with the same menu as any worker: its lock while A holds is A's process
 * waiting on itself, which only a kill of A or {@value #SECOND_OBJECT} ends. Since a worker process does one op at a
 * time, neither object gets a step while the other's async step may be in flight (until that object's own next step), but
 * a kill; a kill of either ends both.
 */
public final class ScheduleGenerator {
    private static final long[] SIZES = {16, 24, 40, 64, 100, 200};
    /** The keys a worker may use: two distinct ones, and two that Qt mangles to the same readable prefix. */
    static final List<String> KEYS = List.of("k", "j", "k-1", "k_1");

    private final String impl;
    private final BackendSemantics semantics;
    private final int workers;
    private final int length;
    /**
     * A mutant (a schedule re-derived from a mutated tape) may kill or spawn a child on one step in this many:
     * {@link #mutantsKillOnOneStepIn}.
     */
    private final int mutantKillShare;
    /** Salts the seed of a mutant's steps that may kill or spawn apart from its draws, which its tape holds. */
    private static final long KILL_STEPS_SALT = 0x6B696C6C73L;
    /** The second object's name: it lives in A's process. */
    static final String SECOND_OBJECT = "A2";
    /** Salts the seed's draw of whether its schedule has {@link #SECOND_OBJECT}, apart from its tape. */
    private static final long SECOND_OBJECT_SALT = 0x326E644F626AL;
    /** A schedule made from a seed has {@link #SECOND_OBJECT} for one seed in this many; 0: none does. */
    private final int secondObjectShare;
    /** Salts the seed of the side draws that make a step a rawWrite, truncate or nativeKey ({@link Choices#extraOrChosen}). */
    private static final long EXTRA_STEPS_SALT = 0x6578747261L;

    /** A schedule and the decisions it was made of (to be mutated). */
    public record Generated(Schedule schedule, Tape tape) {
    }

    /**
     * @param semantics the backend's declared semantics: what the shadow expects after a kill or last detach
     * @param workers   2 to 4
     * @param length    number of steps (kills included) of a schedule made from a seed alone
     */
    public ScheduleGenerator(String impl, BackendSemantics semantics, int workers, int length) {
        this(impl, semantics, workers, length, 1, 0);
    }

    private ScheduleGenerator(String impl, BackendSemantics semantics, int workers, int length, int mutantKillShare,
                              int secondObjectShare) {
        if (workers < 2 || workers > 4) {
            throw new IllegalArgumentException("workers must be 2..4, not " + workers);
        }
        if (mutantKillShare < 1) {
            throw new IllegalArgumentException("a mutant may kill or spawn on one step in 1 or more, not " + mutantKillShare);
        }
        this.impl = impl;
        this.semantics = semantics;
        this.workers = workers;
        this.length = length;
        this.mutantKillShare = mutantKillShare;
        if (secondObjectShare < 0) {
            throw new IllegalArgumentException("one seed in " + secondObjectShare + " cannot have a second object");
        }
        this.secondObjectShare = secondObjectShare;
    }

    /**
     * This generator, except that the schedule of one seed in {@code n} (drawn from the seed, apart from its tape, so a
     * mutant keeps its schedule's workers) has {@link #SECOND_OBJECT}, a second object in A's process; 0: none has.
     */
    public ScheduleGenerator secondObjectOnOneSeedIn(int n) {
        return new ScheduleGenerator(impl, semantics, workers, length, mutantKillShare, n);
    }

    /**
     * This generator, except that a mutant's step may start or end a process (a kill, drawn from the menu or forced by
     * its tape, a spawnChild, or a step the shadow expects to crash its worker, {@link ShadowState#expectsCrash}) on one
     * step in {@code n}, those steps chosen from the mutant's seed; on the others a draw that lands on such a step takes
     * the next step of the menu instead (a side draw that lands on a crashing rawWrite leaves the step the menu's), so
     * every other draw chooses what it chose in the schedule the genes come from (a mutant that makes no kill, no spawn
     * and no expected crash with 1 is the same with any {@code n}). A schedule made from a seed alone (no tape) may kill,
     * spawn or crash on every step, as with 1. A kill or a crash ends a worker process, so the pool starts another (it
     * never reuses a worker that crashed, WorkerPool), and a spawnChild starts one more worker: a JVM start costs about a
     * hundred other steps' CPU, a forked Qt worker's about ten to fifteen ({@code FuzzCampaign#defaultMutantKillShare}
     * has the measurements). AFL gives an input that runs fast more mutants than a slow one; here a mutant spends fewer
     * process starts, and the fresh schedules keep the kill-rich search that reaches a killed holder or waiter
     * (FaultBudgetReachTest counts those) and the spawns that hand a descriptor to a child.
     */
    public ScheduleGenerator mutantsKillOnOneStepIn(int n) {
        return new ScheduleGenerator(impl, semantics, workers, length, n, secondObjectShare);
    }

    public Schedule generate(long seed) {
        return generate(seed, null).schedule();
    }

    /**
     * The schedule the tape's decisions make; where the tape runs out (or is null), the decisions
     * are drawn from the seed. A tape gives as many steps as it has genes (less the first).
     */
    public Generated generate(long seed, Tape tape) {
        Tape.Reader random = new Tape.Reader(tape, new SplittableRandom(seed), new SplittableRandom(seed ^ EXTRA_STEPS_SALT));
        int steps0 = tape == null ? length : Math.max(1, tape.genes().size() - 1);
        // Not drawn from the tape: a mutant's genes keep meaning what they meant in the schedule they come from.
        SplittableRandom killSteps = tape == null || mutantKillShare == 1 ? null : new SplittableRandom(seed ^ KILL_STEPS_SALT);
        ShadowState shadow = new ShadowState(semantics);
        List<WorkerSpec> specs = new ArrayList<>();
        random.begin(0);
        for (int i = 0; i < workers; i++) {
            String id = String.valueOf((char) ('A' + i));
            specs.add(WorkerSpec.local(id, impl));
            // Most workers start on "k"; now and then the last one lives on another key.
            shadow.keyOf.put(id, i == workers - 1 && i > 1 && random.nextInt(4) == 0 ? KEYS.get(1 + random.nextInt(3)) : "k");
        }
        boolean secondObject = secondObjectShare > 0 && new SplittableRandom(seed ^ SECOND_OBJECT_SALT).nextInt(secondObjectShare) == 0;
        if (secondObject) {
            specs.add(WorkerSpec.objectOf(specs.get(0), SECOND_OBJECT));
            shadow.keyOf.put(SECOND_OBJECT, "k");
            shadow.oneProcess.addAll(List.of("A", SECOND_OBJECT));
        }
        List<String> process = secondObject ? List.of("A", SECOND_OBJECT) : List.of(); // A's process's objects
        String busyWith = null; // the object of A's process whose async step may still be in flight
        String child = shadow.handsOver() ? String.valueOf((char) ('A' + workers)) : null;
        if (child != null) {
            shadow.unborn.add(child);
            shadow.keyOf.put(child, "k");
        }
        List<Step> steps = new ArrayList<>();
        while (steps.size() < steps0) {
            random.begin(steps.size() + 1);
            List<String> all = new ArrayList<>(specs.stream().map(WorkerSpec::id).toList());
            if (child != null && !shadow.unborn.contains(child)) {
                all.add(child); // spawned: a worker like the others from now on
            }
            int alive = (int) all.stream().filter(id -> !shadow.dead.contains(id)).count();
            Choices menu = new Choices(random, shadow, steps.size(), alive, killSteps == null || killSteps.nextInt(mutantKillShare) == 0);
            for (String w : all) {
                // While one object's async step may be in flight, its process takes no other object's step but a kill.
                menu.offer(w, busyWith != null && process.contains(w) && !busyWith.equals(w));
            }
            if (menu.isEmpty()) {
                break;
            }
            Step step = menu.choose(steps.isEmpty() ? null : steps.get(steps.size() - 1).worker());
            if (shadow.mayBlock(step)) {
                step = step.async();
            }
            shadow.apply(step);
            steps.add(step);
            if (process.contains(step.worker())) {
                if ("kill".equals(step.op())) {
                    process.stream().filter(o -> !shadow.dead.contains(o)).forEach(o -> shadow.apply(Steps.kill(o))); // one death
                    busyWith = null;
                } else {
                    busyWith = step.noWait() ? step.worker() : step.worker().equals(busyWith) ? null : busyWith;
                }
            }
        }
        epilogue(shadow, steps, process, busyWith);
        if (child != null && !shadow.unborn.contains(child)) {
            specs.add(WorkerSpec.local(child, impl)); // declared where its parent runs: local, the same column
        }
        Tape used = random.tape();
        return new Generated(new Schedule("fuzz-" + impl + "-" + seed, seed, specs, steps), used);
    }

    /**
     * Holders let go, so waiters get their turn and no worker's exit (whose detach takes the lock, as
     * Qt's destructor does) waits on a lock nobody will release; a worker that may hold unlocks too.
     */
    private static void epilogue(ShadowState shadow, List<Step> steps, List<String> process, String busyWith) {
        for (int guard = 0; guard < 16; guard++) {
            String w = !shadow.holder.isEmpty() ? shadow.holder.values().iterator().next()
                    : shadow.maybeHolders.stream().filter(shadow::canAct).sorted().findFirst().orElse(null);
            if (w == null) {
                return;
            }
            Step unlock = Steps.unlock(w);
            if (busyWith != null && process.contains(w) && !busyWith.equals(w)) {
                // Its process waits in its other object's step (on this holder's own lock, maybe): only a kill ends it.
                Step kill = Steps.kill(w);
                shadow.apply(kill);
                process.stream().filter(o -> !shadow.dead.contains(o)).forEach(o -> shadow.apply(Steps.kill(o)));
                steps.add(kill);
                busyWith = null;
                continue;
            }
            if (!shadow.canAct(w)) {
                shadow.maybeHolders.remove(w);
                continue;
            }
            shadow.apply(unlock);
            shadow.maybeHolders.remove(w);
            steps.add(unlock);
        }
    }

    /**
     * A worker's step becomes a rawWrite, a truncate or a nativeKey() with their weights (2 or 1, 1, 1) out of this
     * many: on an attached worker of a resizable column one step in eight, elsewhere fewer.
     */
    static final int EXTRA_ONE_IN = 32;
    /**
     * The most of {@link #EXTRA_ONE_IN} the rawWrite, truncate and nativeKey take (their weights' sum, at the bottom):
     * a step's first side draw below it makes one of them where all three are on offer, below 1 wherever any is.
     */
    static final int EXTRA_SLOTS = 4;

    /** The weighted menu of steps for the workers that can act, in the current shadow state. */
    private static final class Choices {
        private final Tape.Reader random;
        private final ShadowState s;
        private String w;
        private final int index;
        private final int alive;
        /**
         * Whether this step may start or end a process, a kill, a spawnChild or a step expected to crash its worker
         * ({@link #mutantsKillOnOneStepIn}). When not, those steps stay on the menu with their weights, so that a mutant's
         * draws choose what they chose in the schedule its genes come from, and a draw that lands on one takes the next
         * step of the menu that starts or ends no process (a kill the tape forces is not made; a side draw that lands on
         * a rawWrite that would crash leaves the step the menu's).
         */
        private final boolean processStepsOffered;
        private final List<Step> menu = new ArrayList<>();
        private final List<Integer> weights = new ArrayList<>();
        private final List<Step> kills = new ArrayList<>();

        Choices(Tape.Reader random, ShadowState s, int index, int alive, boolean processStepsOffered) {
            this.random = random;
            this.s = s;
            this.index = index;
            this.alive = alive;
            this.processStepsOffered = processStepsOffered;
        }

        /** Adds the worker's steps to the menu; with {@code killOnly} (its process is busy with another object) its kill only. */
        void offer(String worker, boolean killOnly) {
            w = worker;
            if (s.dead.contains(w)) {
                return;
            }
            if (index >= 1 && alive >= 2) {
                // Holders and waiters die more often: that is where the lock rules bite (FaultBudgetReachTest). A holder
                // whose lock another live object could take next dies as often as one with a waiter: only then does a
                // lock() come to test what its death let go (fault-nosemundo's fresh seeds: 8.9% reached that situation,
                // 12.4% with this and the first lock() after a death offered twice as often, of 2,000).
                int weight = s.holds(w) ? (s.hasWaiter(s.key(w)) || s.anotherMayTakeIt(w) ? 8 : 5) : s.waiting(w) ? 3 : s.attached(w) ? 1 : 0;
                if (weight > 0) {
                    add(weight, Steps.kill(w));
                    kills.add(Steps.kill(w));
                }
            }
            if (!s.canAct(w) || killOnly) {
                return;
            }
            String key = s.key(w);
            ShadowState.Segment seg = s.segment(w);
            boolean busy = s.lockBusy(key);
            if (s.handsOver() && !SECOND_OBJECT.equals(w)) { // a second object spawns no child (ScheduleValidation)
                handOverSteps();
            }
            if (!s.attached(w)) {
                if (!s.holds(w) && !s.maybeHolders.contains(w)) {
                    // Busy or not: create and attach while another holds the lock is where lock bugs live.
                    String k = random.nextInt(6) == 0 ? KEYS.get(random.nextInt(KEYS.size())) : key;
                    ShadowState.Segment target = s.segments.get(k);
                    add(busy ? 6 : 12, target == null ? Steps.create(w, k, SIZES[random.nextInt(SIZES.length)]) : attach(k));
                    // wrong: missing key / second create. A second create while another holds the lock is where Qt 6.4
                    // loses exclusion (its Create mode re-initialises the held semaphore): offered more than an attach.
                    add(target != null && busy ? 10 : 2, target == null ? attach(k) : Steps.create(w, k, 64));
                    add(1, Steps.create(w, k, 0)); // wrong: InvalidSize
                }
                if (!s.keyed.contains(w)) {
                    add(1, Steps.lock(w)); // wrong: lock before any key
                } else if (!busy && !s.maybeHolders.contains(w)) {
                    add(2, Steps.lock(w)); // a detached object's lock: refused, or taken through the key alone
                } else if (busy && !s.maybeHolders.contains(w) && !s.hasWaiter(key) && !s.lockLost(key)) {
                    // A detached object's lock while another holds it (issued async): after a failed create, where
                    // Qt 6.4 lets it in (lock-survives-failed-create); FailedCreateUnderHeldLockTest counts the seeds.
                    add(12, Steps.lock(w));
                } else if (s.maybeHolders.contains(w)) {
                    add(4, Steps.unlock(w));
                }
                add(1, Steps.detach(w)); // wrong: not attached
                add(1, random.nextBoolean() ? Steps.size(w) : Steps.isAttached(w));
            } else {
                accessSteps(seg);
                lockSteps(key, busy);
                if (!s.holds(w) && !s.maybeHolders.contains(w)) {
                    add(busy ? 4 : 3, Steps.detach(w));
                }
                add(1, Steps.size(w));
            }
        }

        /** serveFd, attachFd and spawnChild for a column that hands descriptors over (seed L5), right and wrong. */
        private void handOverSteps() {
            String child = s.unborn.isEmpty() ? null : s.unborn.iterator().next();
            if (s.attached(w)) {
                if (!s.serving(w) && !s.servers.containsKey("h" + w)) {
                    add(2, Steps.serveFd(w, "h" + w, null));
                }
                if (child != null) {
                    add(3, Steps.spawnChild(w, child)); // the child inherits the descriptor, whoever holds the lock
                }
                return;
            }
            if (s.holds(w) || s.maybeHolders.contains(w)) {
                return; // a holder's attach would go through its own locker
            }
            for (java.util.Map.Entry<String, String> served : new java.util.TreeMap<>(s.servers).entrySet()) {
                String k = s.key(served.getValue());
                if (!s.lockBusy(k)) {
                    add(4, Steps.attachFd(w, k, served.getKey()));
                }
            }
            String other = KEYS.get(random.nextInt(KEYS.size()));
            String name = "h" + (char) ('A' + random.nextInt(4));
            if (!s.lockBusy(other) && !(s.servers.containsKey(name) && other.equals(s.key(s.servers.get(name))))) {
                add(1, Steps.attachFd(w, other, name)); // wrong: nobody serves there, or a descriptor of another key
            }
            if (child != null) {
                add(1, Steps.spawnChild(w, child)); // wrong: nothing to inherit, the child starts fresh
            }
        }

        private Step attach(String key) {
            return random.nextInt(5) == 0 ? Steps.attachReadOnly(w, key) : Steps.attach(w, key);
        }

        private void accessSteps(ShadowState.Segment seg) {
            if (seg.objectSize == 0 && s.mayHoldALock(w)) {
                // Truncated to nothing: any access crashes, and a holder's crash may not come where the shadow thinks
                // (it cannot be sure the truncate went through): its lock would stay held while the shadow lets others
                // lock as if free. Only the refused read past the end.
                add(1, readPastTheEnd(seg));
                return;
            }
            long size = seg.mapped(w);
            String tag = "w" + w + "s" + index;
            long off = random.nextLong(size - tag.length() + 1);
            add(s.readOnly.contains(w) ? 1 : 4, Steps.write(w, off, tag)); // on a read-only attach: wrong, PermissionDenied
            if (seg.lastWriteOffset >= 0 && random.nextBoolean()) {
                add(4, Steps.read(w, seg.lastWriteOffset, seg.lastWriteLength)); // read back the last write: stale reads show
            } else {
                long at = random.nextLong(size);
                add(3, Steps.read(w, at, 1 + random.nextInt((int) Math.min(16, size - at))));
            }
            add(1, readPastTheEnd(seg)); // wrong: past the end
        }

        /**
         * A read the worker's range check refuses: past the longest the object ever was, not only past the length the
         * shadow thinks w mapped, which may be wrong. An attach the shadow held pending behind a lock may have gone
         * through at once, through a semaphore a POSIX create re-made, and mapped the object as it was then (fuzz
         * qt68-posix-native seeds 425575 and 425643, mutants, UNKNOWN: C mapped 200 bytes, not the 35 the shadow
         * thought; after C's truncate to 0 its read at 33 crashed it holding the lock, and a peer waited for ever).
         */
        private Step readPastTheEnd(ShadowState.Segment seg) {
            return Steps.read(w, Math.max(seg.mapped(w), seg.longest) - 2, 4);
        }

        private void lockSteps(String key, boolean busy) {
            if (s.holds(w)) {
                add(6, Steps.unlock(w));
                add(1, Steps.lock(w)); // a second lock() on one object returns true
            } else if (s.maybeHolders.contains(w)) {
                add(6, Steps.unlock(w));
            } else if (!busy) {
                add(s.freedByADeath.contains(s.lockOf(key)) ? 12 : 6, Steps.lock(w)); // the first since a holder died: more
                add(1, Steps.unlock(w)); // wrong: not holding
            } else {
                add(1, Steps.unlock(w)); // wrong: unlock by a non-holder while another holds it
                if (!s.hasWaiter(key) && !s.lockLost(key)) {
                    add(8, Steps.lock(w)); // blocks until the holder unlocks or dies (issued async)
                }
            }
        }

        private void add(int weight, Step step) {
            menu.add(step);
            weights.add(weight);
        }

        boolean isEmpty() {
            return menu.isEmpty();
        }

        /**
         * @param last the worker of the previous step, or null: half the time its next step is drawn from that
         *             worker's own menu, so one process's sequences (a failed create, then its lock) come often,
         *             as in real programs, while another still holds what it held.
         */
        Step choose(String last) {
            return extraOrChosen(chooseFromTheMenu(last));
        }

        /**
         * The chosen step, or now and then (by the step's side draws, {@link Tape.Gene#side}) one of the operations that
         * came to the menu later, for the same worker: a nativeKey(), a rawWrite (a store that skips the read-only check:
         * into a read-only mapping, a SIGSEGV that ends the worker) or, where the column says a peer can resize the
         * object ({@code Resize.SHRINKABLE}), a truncate (to 0 half the time: every access after it is a SIGBUS). They
         * come from draws of their own so that what a seed drew for every other step stays what it drew before they
         * came (a seed's schedule is the same up to its first such step). A step the shadow expects to crash its worker
         * is never given to a holder, or to a worker that may hold: if the crash did not come (a truncate that did not
         * go through, a mapping that was writable), the lock would stay held while the shadow offered it as free.
         */
        private Step extraOrChosen(Step chosen) {
            String who = chosen.worker();
            if (isKill(chosen) || !s.canAct(who)) {
                return chosen;
            }
            String wasW = w;
            w = who;
            try {
                ShadowState.Segment seg = s.attached(w) ? s.segment(w) : null;
                boolean mayHold = s.mayHoldALock(w);
                String tag = "w" + w + "s" + index;
                // Where attachments are uncertain a rawWrite may crash or not, which the shadow could not follow.
                boolean raw = seg != null && seg.mapped(w) >= tag.length() && !s.attachmentsUncertain();
                boolean rawCrashes = raw && (s.readOnly.contains(w) || seg.objectSize == 0);
                raw &= !(rawCrashes && mayHold);
                boolean truncate = seg != null && !s.readOnly.contains(w) && s.resizable();
                int rawWeight = raw ? (rawCrashes ? 1 : 2) : 0;
                int truncateWeight = truncate ? 1 : 0;
                int r = random.nextSide(EXTRA_ONE_IN);
                if (r < rawWeight) {
                    // A crash ends the worker's process as a kill does: where a mutant's step may not, the chosen step.
                    return rawCrashes && !processStepsOffered ? chosen
                            : Steps.rawWrite(w, random.nextSide((int) (seg.mapped(w) - tag.length() + 1)), tag);
                }
                r -= rawWeight;
                if (r < truncateWeight) {
                    int half = random.nextSide(4);
                    long to = half < 2 ? 0 : half == 2 ? 8 + random.nextSide((int) seg.size - 8) : seg.size + 1 + random.nextSide((int) seg.size);
                    return Steps.truncate(w, (int) to);
                }
                r -= truncateWeight;
                return r < 1 ? Step.of(w, "nativeKey") : chosen;
            } finally {
                w = wasW;
            }
        }

        private Step chooseFromTheMenu(String last) {
            if (random.forcedKill() && processStepsOffered && !kills.isEmpty()) {
                return kills.get(random.nextInt(kills.size()));
            }
            boolean followOn = last != null && menu.stream().anyMatch(st -> isOwn(st, last)) && random.nextBoolean();
            int total = 0;
            for (int i = 0; i < menu.size(); i++) {
                total += !followOn || isOwn(menu.get(i), last) ? weights.get(i) : 0;
            }
            int r = random.nextInt(total);
            for (int i = 0; i < menu.size(); i++) {
                r -= !followOn || isOwn(menu.get(i), last) ? weights.get(i) : 0;
                if (r < 0) {
                    return processStepsOffered || !startsOrEndsAProcess(menu.get(i)) ? menu.get(i)
                            : nextThatStartsOrEndsNoProcess(i);
                }
            }
            throw new AssertionError("weights");
        }

        /**
         * The first step after menu item {@code from} (wrapping) that starts or ends no process; the item itself if every
         * step of the menu does.
         */
        private Step nextThatStartsOrEndsNoProcess(int from) {
            for (int k = 1; k < menu.size(); k++) {
                Step st = menu.get((from + k) % menu.size());
                if (!startsOrEndsAProcess(st)) {
                    return st;
                }
            }
            return menu.get(from); // nothing else can happen now: a kill at any moment stays possible
        }

        private static boolean isKill(Step step) {
            return "kill".equals(step.op());
        }

        /**
         * A kill (the pool starts a worker in its place), a spawnChild (its worker starts a child worker), or a step the
         * shadow expects to crash its worker ({@link ShadowState#expectsCrash}: the pool starts one in its place too).
         */
        private boolean startsOrEndsAProcess(Step step) {
            return isKill(step) || "spawnChild".equals(step.op()) || s.expectsCrash(step);
        }

        /** A step the worker takes itself (a kill is the engine's step on the worker, not the worker's own). */
        private static boolean isOwn(Step step, String worker) {
            return worker.equals(step.worker()) && !isKill(step);
        }
    }
}
