package org.shmconform.fuzz;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.shmconform.history.ReportLayout;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.Trial;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.IpcNamespaceEnvironment;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.schedule.Schedule;

/**
 * Property-based fuzzing of one backend: runs the generated schedules of seeds seed, seed+1, ...
 * on real workers until the count or the time budget is spent, checks each against the backend's
 * declared semantics, and shrinks the first failure (or every failure, if asked) by re-execution.
 * The original and the shrunk schedule are saved with their histories in the campaign folder
 * {@code outDir} as {@link ReportLayout} lays it out ({@code seed-N/}), so {@code shmconform replay} can run them again without the seed.
 * Schedule i is fresh (generated from seed + i) or a mutant of the coverage corpus by a plan drawn from the first seed
 * alone ({@link #freshSeeds}): what the fresh schedules reach is the same on every machine, what the mutants add is not.
 */
public final class FuzzCampaign {

    /**
     * @param seed               the first seed; schedule i uses seed + i
     * @param count              at most this many schedules
     * @param time               and at most this long for generating and running them (shrinking is budgeted apart)
     * @param workers            2 to 4 worker processes per schedule
     * @param length             steps per schedule made from a seed alone, or 0 for {@link #defaultLength}
     * @param stopAtFirstFailure stop fuzzing after the first failure that reproduced has been shrunk
     * @param lanes              schedules run side by side (each on keys of its own), or 0 for {@link #defaultLanes}
     * @param mutantKillShare    a mutant may kill or spawn a child on one step in this many, or 0 for
     *                           {@link #defaultMutantKillShare}
     * @param ownIpcNamespaces   a System V Qt column's lanes each in an IPC namespace of their own where one can be made,
     *                           taking no key-file turn ({@link OwnNamespaceLanes}; the default, false keeps the host's)
     */
    public record Options(String backend, long seed, int count, Duration time, int workers, int length, Path outDir,
                          Shrinker.Budget shrink, ScheduleRunner.Timing timing, boolean stopAtFirstFailure, int lanes,
                          int mutantKillShare, boolean ownIpcNamespaces) {

        public static Options of(String backend) {
            return new Options(backend, 1, 100, Duration.ofSeconds(60), 3, 0, Path.of("shmconform-fuzz"),
                    Shrinker.Budget.defaults(), fuzzTiming(), true, 0, 0, true);
        }

        public Options seed(long s) {
            return new Options(backend, s, count, time, workers, length, outDir, shrink, timing, stopAtFirstFailure, lanes, mutantKillShare, ownIpcNamespaces);
        }

        public Options count(int n) {
            return new Options(backend, seed, n, time, workers, length, outDir, shrink, timing, stopAtFirstFailure, lanes, mutantKillShare, ownIpcNamespaces);
        }

        public Options time(Duration d) {
            return new Options(backend, seed, count, d, workers, length, outDir, shrink, timing, stopAtFirstFailure, lanes, mutantKillShare, ownIpcNamespaces);
        }

        public Options workers(int n) {
            return new Options(backend, seed, count, time, n, length, outDir, shrink, timing, stopAtFirstFailure, lanes, mutantKillShare, ownIpcNamespaces);
        }

        /** @param n steps per schedule made from a seed alone, at least 1; 0 for {@link #defaultLength} */
        public Options length(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("length must be 0 (automatic) or more: " + n);
            }
            return new Options(backend, seed, count, time, workers, n, outDir, shrink, timing, stopAtFirstFailure, lanes, mutantKillShare, ownIpcNamespaces);
        }

        public Options outDir(Path dir) {
            return new Options(backend, seed, count, time, workers, length, dir, shrink, timing, stopAtFirstFailure, lanes, mutantKillShare, ownIpcNamespaces);
        }

        public Options shrink(Shrinker.Budget b) {
            return new Options(backend, seed, count, time, workers, length, outDir, b, timing, stopAtFirstFailure, lanes, mutantKillShare, ownIpcNamespaces);
        }

        public Options timing(ScheduleRunner.Timing t) {
            return new Options(backend, seed, count, time, workers, length, outDir, shrink, t, stopAtFirstFailure, lanes, mutantKillShare, ownIpcNamespaces);
        }

        public Options stopAtFirstFailure(boolean stop) {
            return new Options(backend, seed, count, time, workers, length, outDir, shrink, timing, stop, lanes, mutantKillShare, ownIpcNamespaces);
        }

        /** @param n schedules side by side, at least 1; 0 for {@link #defaultLanes} */
        public Options lanes(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("lanes must be 0 (automatic) or more: " + n);
            }
            return new Options(backend, seed, count, time, workers, length, outDir, shrink, timing, stopAtFirstFailure, n, mutantKillShare, ownIpcNamespaces);
        }

        /**
         * @param n a mutant may kill or spawn a child on one step in n, at least 1 (1: on every step, as a fresh
         *          schedule); 0 for {@link #defaultMutantKillShare}
         */
        public Options mutantKillShare(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("a mutant's kill share must be 0 (automatic) or more: " + n);
            }
            return new Options(backend, seed, count, time, workers, length, outDir, shrink, timing, stopAtFirstFailure, lanes, n, ownIpcNamespaces);
        }

        /** @param own a System V Qt column's lanes each in an IPC namespace of their own where one can be made ({@link OwnNamespaceLanes}) */
        public Options ownIpcNamespaces(boolean own) {
            return new Options(backend, seed, count, time, workers, length, outDir, shrink, timing, stopAtFirstFailure, lanes, mutantKillShare, own);
        }
    }

    /**
     * The engine's defaults: a lock that stays held after its holder died is confirmed blocked by the
     * kernel at once, so shrinking re-runs cost no waiting, and no shorter deadline may decide anything.
     */
    public static ScheduleRunner.Timing fuzzTiming() {
        return ScheduleRunner.Timing.defaults();
    }

    private FuzzCampaign() {
    }

    public static FuzzResult run(Options o) throws InterruptedException {
        return run(o, line -> { });
    }

    /** @param progress told one line per schedule run and per shrinking result */
    public static FuzzResult run(Options o, Consumer<String> progress) throws InterruptedException {
        try (RunContext run = RunContext.create()) {
            return run(o, run, progress);
        }
    }

    public static FuzzResult run(Options o, RunContext run, Consumer<String> progress) throws InterruptedException {
        return run(o, run, progress, c -> { });
    }

    /** @param executions told of every execution, the shrinker's re-runs included (for evidence and clean-up checks) */
    public static FuzzResult run(Options o, RunContext run, Consumer<String> progress, Consumer<Trial> executions)
            throws InterruptedException {
        return run(o, run, progress, executions, () -> false);
    }

    /**
     * @param progress      told one line per schedule run and per shrinking result, each once what it tells of is saved:
     *                      it may throw to stop the campaign
     * @param stopRequested whether a stop was asked for: a shrink under way then ends early and saves its best so far,
     *                      before its line is told
     */
    public static FuzzResult run(Options o, RunContext run, Consumer<String> progress, Consumer<Trial> executions,
                                 BooleanSupplier stopRequested) throws InterruptedException {
        try {
            return campaign(o, run, progress, executions, stopRequested);
        } finally {
            run.workerPool().retireIdle(o.backend()); // the next column's campaign needs the memory, not these JVMs
        }
    }

    private static FuzzResult campaign(Options asked, RunContext run, Consumer<String> progress, Consumer<Trial> executions,
                                       BooleanSupplier stopRequested) throws InterruptedException {
        Options o = withLength(asked);
        ScheduleGenerator fresh = freshGenerator(o);
        Schedule generated = fresh.generate(o.seed());
        Schedule first = placed(o, generated);
        String noFileSystem = first != generated ? OwnNamespaceLanes.keyFileSystems(run, settled(o, first).lanes()) : null;
        if (noFileSystem != null) {
            progress.accept(o.backend() + ": one lane in the host's IPC namespace, taking the key-file turn, not in namespaces of"
                    + " their own (each lane's key files need a file system of their own: " + noFileSystem + ")");
            first = generated;
        }
        IpcNamespaceEnvironment ownNamespaces = first != generated ? IpcNamespaceEnvironment.forkingWorkers() : null;
        try {
            return campaign(o, fresh, generated, first, ownNamespaces, run, progress, executions, stopRequested);
        } finally {
            if (ownNamespaces != null) {
                run.workerPool().retire(ownNamespaces); // its workers and fork servers, before its namespaces' holders go
                ownNamespaces.close();
            }
        }
    }

    /** @param first the campaign's first schedule as it runs ({@link #placed}), {@code generated} as made */
    private static FuzzResult campaign(Options o, ScheduleGenerator fresh, Schedule generated, Schedule first,
                                       IpcNamespaceEnvironment ownNamespaces, RunContext run, Consumer<String> progress,
                                       Consumer<Trial> executions, BooleanSupplier stopRequested) throws InterruptedException {
        Options settled = settled(o, first);
        int lanes = settled.lanes();
        ScheduleGenerator generator = fresh.mutantsKillOnOneStepIn(settled.mutantKillShare());
        // Workers are reused across schedules, each proving itself clean in between (WorkerPool).
        Map<String, Environment> environments = new HashMap<>();
        environments.put(LocalEnvironment.NAME, new LocalEnvironment());
        if (ownNamespaces != null) {
            environments.put(ownNamespaces.name(), ownNamespaces);
            progress.accept(o.backend() + ": " + lanes + " lane(s), each in an IPC namespace of its own (" + ownNamespaces.name()
                    + ", its workers forked there, its key files on an ext4 of its own): no key-file turn to wait for");
        } else if (o.ownIpcNamespaces()) {
            String missed = OwnNamespaceLanes.missedHere(generated, !javaWorkers(generated));
            if (missed != null) {
                progress.accept(o.backend() + ": one lane in the host's IPC namespace, taking the key-file turn, not in namespaces"
                        + " of their own (" + missed + ")");
            }
        }
        // The pool keeps, of each key, the workers of as many schedules as borrow that key at once. Lanes in namespaces of
        // their own each borrow workers of their own group (a key of its own), so one schedule's: counting every lane there
        // made each lane's pool twice too big, and a qt fuzz (two lanes, 64 steps) ended about 0.6 clean workers a
        // schedule for want of room in the idle set, each one started for nothing (WorkerPool.Stats#endedForWantOfRoom).
        ScheduleRunner plain = new ScheduleRunner(run, Map.copyOf(environments), o.timing())
                .reusingWorkers().inLanes(ownNamespaces != null ? 1 : lanes);
        Lanes.Runner runner = s -> {
            Trial c = Trial.run(plain, s, o.backend(), List.of());
            executions.accept(c);
            return c;
        };
        org.shmconform.spi.Availability here = plain.availability(first);
        if (here.undecided()) {
            throw new Replay.ProbeUndecided("fuzz " + o.backend() + ": a probe it needs did not finish: " + here.reason());
        }
        if (!here.available()) {
            throw new IllegalStateException("cannot fuzz " + o.backend() + " here: " + here.reason());
        }
        long start = System.nanoTime();
        BusyTime fuzzTime = new BusyTime();
        int schedules = 0;
        long operations = 0;
        Findings found = new Findings(o, runner, progress, stopRequested);
        Set<String> covered = new TreeSet<>();
        List<Tape> corpus = new ArrayList<>();
        int mutants = 0;
        // The mutation stream is the campaign's own, from its first seed: a campaign's choices repeat
        // as far as its coverage feedback does (which depends on what the backends did).
        SplittableRandom mutation = new SplittableRandom(o.seed() ^ 0x5DEECE66DL);
        TapeMutator mutator = new TapeMutator(mutation, Math.max(2 * o.length(), 24));
        // Which schedules are fresh does not depend on the feedback: every machine runs the same fresh seeds.
        SplittableRandom freshPlan = freshPlan(o.seed());
        long deadline = start + o.time().toNanos();
        ThroughputSeries throughput = new ThroughputSeries();
        throughput.add(new FuzzResult.Sample(0, 0, 0, 0));
        boolean stopping = false;
        int next = 0;
        long stallCredited = 0;
        try (Lanes running = new Lanes(lanes, s -> Trial.run(plain, s, o.backend(), List.of()))) {
            while (true) {
                // Time the schedules stood still behind a key-file turn held elsewhere (a run or a test beside this
                // one) is not the campaign's: budgeted apart, as shrinking is (TurnStalls).
                long stalled = plain.nanosStalledByAnothersTurn();
                deadline += stalled - stallCredited;
                stallCredited = stalled;
                // Each lane takes the next schedule as soon as it is free; results are taken in the order the
                // schedules were made, so progress, corpus and failures read as they would with one lane.
                while (!stopping && running.hasRoom() && next < o.count() && System.nanoTime() < deadline) {
                    long seed = o.seed() + next;
                    // Fresh schedules from their seed first and now and then; otherwise a mutant of the corpus.
                    boolean mutate = !isFresh(freshPlan, next) && !corpus.isEmpty();
                    Tape tape = mutate ? mutator.mutate(corpus.get(mutation.nextInt(corpus.size())),
                            corpus.get(mutation.nextInt(corpus.size()))) : null;
                    ScheduleGenerator.Generated g = generator.generate(seed, tape);
                    Schedule schedule = mutate ? new Schedule(g.schedule().name() + "-m", seed, g.schedule().workers(), g.schedule().steps())
                            : g.schedule();
                    if (ownNamespaces != null) {
                        // The schedules running at once are consecutive ones, at most one per lane: never two in a group.
                        schedule = OwnNamespaceLanes.inLane(schedule, next % lanes);
                    }
                    mutants += mutate ? 1 : 0;
                    running.submit(new Lanes.Job(seed, mutate, g.tape(), schedule));
                    next++;
                }
                Lanes.Done done = running.takeOldest();
                if (done == null) {
                    break;
                }
                Trial c = done.trial();
                long seed = done.job().seed();
                executions.accept(c);
                fuzzTime.add(done.startNanos(), done.endNanos());
                schedules++;
                operations += c.operations();
                throughput.add(new FuzzResult.Sample((System.nanoTime() - start) / 1_000_000, fuzzTime.nanos() / 1_000_000, schedules, operations));
                Set<String> reached = TransitionCoverage.of(c.execution(), o.backend(), Subjects.here());
                int before = covered.size();
                covered.addAll(reached);
                if (covered.size() > before) {
                    corpus.add(done.job().tape());
                }
                long credited = found.differenceShrinkNanos;
                long stalledBeforeShrinking = plain.nanosStalledByAnothersTurn();
                // A one-off that never failed again in k re-runs is kept in the result, but does not end the campaign;
                // one that did ends it once the schedules already running in the other lanes are judged too.
                stopping |= found.add(seed, "seed " + seed + (done.job().mutant() ? " (mutant)" : ""), c, " (" + c.operations()
                        + " ops, " + (covered.size() - before) + " new transitions, " + covered.size() + " in all)",
                        fuzzTime.nanos() / 1e9, schedules) && o.stopAtFirstFailure();
                // Shrinking is budgeted apart: the search keeps its time. Less what stood still behind another's turn
                // meanwhile, which the stall credit above gives back already (were a failure re-run in the same add, its
                // stalls would be taken off too: the budget is then given back less, never twice).
                long shrank = found.differenceShrinkNanos - credited;
                deadline += shrank - (shrank > 0 ? plain.nanosStalledByAnothersTurn() - stalledBeforeShrinking : 0);
            }
        }
        long stalledInAll = plain.nanosStalledByAnothersTurn();
        if (stalledInAll >= 100_000_000L) {
            progress.accept(String.format(java.util.Locale.ROOT, "%s: %.1f s waiting for the System V key-file turn, held by another"
                    + " run or test: not counted in the time budget", o.backend(), stalledInAll / 1e9));
        }
        FuzzResult.Coverage coverage = new FuzzResult.Coverage(covered.size(), corpus.size(), mutants, found.differences,
                Collections.unmodifiableSet(covered));
        return new FuzzResult(o.backend(), o.seed(), schedules, operations, (System.nanoTime() - start) / 1e9,
                fuzzTime.nanos() / 1e9, found.failures, found.unknown, o.outDir(), coverage, throughput.samples());
    }

    /**
     * Whether the column's schedules take the machine-wide key-file turn ({@link ScheduleRunner#mayRunSideBySide}): its
     * campaign and another such column's would only wait for each other's turns, so a run fuzzes such columns one at a
     * time, beside the others.
     */
    public static boolean takesTurns(String backend) {
        Options o = Options.of(backend);
        return !ScheduleRunner.mayRunSideBySide(placed(o, freshGenerator(o).generate(o.seed())));
    }

    /** The generator of the campaign's schedules made from their seed alone (its first one says what the column needs). */
    private static ScheduleGenerator freshGenerator(Options o) {
        return new ScheduleGenerator(o.backend(), Subjects.here().semantics(o.backend()), o.workers(), o.length())
                .secondObjectOnOneSeedIn(SECOND_OBJECT_SHARE);
    }

    /**
     * One seed in this many has a second object in A's process (issue 13 point 1; ScheduleGenerator.SECOND_OBJECT): often
     * enough to reach its self-wait and its shared death in a short campaign, rarely enough to leave the other schedules
     * what they were.
     */
    static final int SECOND_OBJECT_SHARE = 4;

    /**
     * Two lanes on 2 cores or more for a column whose schedules need not take turns ({@link ScheduleRunner#mayRunSideBySide}),
     * whatever its worker, measured with {@code fuzz --lanes 1} and {@code --lanes 2} run alternately on a 2-core
     * machine: a native worker's column (qt68-posix, 12 s each, nine rounds on 2026-12-05) checked 0.99 to 1.62 times the
     * operations, 1.15 typically. A Java column then checked 0.70 to 1.12 times (mmapfile, three rounds), and kept one
     * lane; since its workers start for less CPU (docs/fuzz-notes.md, "Worker starts"), two pay there too: on
     * 2026-12-07 (15 s each, seeds 7 and 99, two rounds) mmapfile checked 1.08-1.18 times the operations, posix
     * 1.05-1.08, memfd 1.04-1.28, mmapfile-robust 1.00-1.12, 16 pairs of 16 at or above one lane, and as many model
     * transitions or more in 13 of them. A second lane overlaps one schedule's waits (a spare's start, a reply, the
     * reaper's pass) with another's work. One lane on a single core, and where schedules take turns (the System V
     * columns in the host's namespace).
     */
    static int defaultLanes(Schedule schedule) {
        return ScheduleRunner.mayRunSideBySide(schedule) && Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
    }

    /** Whether a worker of the schedule is a JVM (or of a column this machine does not know, counted as the dearer kind). */
    private static boolean javaWorkers(Schedule schedule) {
        return schedule.workers().stream().anyMatch(w -> javaColumn(w.impl()));
    }

    /** Whether the column's worker is a JVM (or the column is one this machine does not know, counted as the dearer kind). */
    private static boolean javaColumn(String column) {
        return Subjects.here().jvmWorker(column, true);
    }

    /**
     * Steps in a schedule made from a seed alone (a mutant's tape may grow to twice as many): 16 on a column whose worker
     * is a JVM, 64 on a column whose worker is a native program. What a schedule costs besides its steps (borrowing its
     * workers, their resets and clean proofs, the reaper's pass, the checker's start) is then paid for four times the
     * steps on the columns where it is most of a schedule's time (docs/fuzz-notes.md, "Where a System V Qt column's
     * time goes": 28-32 % of the key-file turn outside the steps with 16). Measured on this 2-core machine on
     * 2026-12-06, {@code fuzz --seconds 10} with {@code --length} 16, 32, 48, 64 and 96 in turn, seeds 7 and 99
     * (checked ops/s; model transitions in the 10 s): qt 1,210.9 and 936.9 with 16, 1,388.4 and 1,387.0 with 64; 358
     * and 325, 401 and 370; qt68-sysv 1,007.3 and 1,428.4, 1,971.9 and 2,120.4; 392 and 379, 458 and 455; qt68-posix
     * (two lanes) 1,999.8 and 2,081.7, 2,362.8 and 2,520.9; 310 and 318, 327 and 324. 96 checked as much or more but
     * reached fewer transitions on 3 of the 6. On a Java column the JVM starts that replace killed workers bound the
     * campaign, and a schedule's kills grow with its steps (a schedule made from its seed may kill on every step): 16
     * and 64 alternated twice, seeds 7 and 99, mmapfile 254.1, 234.1 / 261.2, 304.9 and 322.7, 399.0 / 271.1, 287.8
     * ops/s, sysv 214.6, 211.7 / 265.8, 229.4 and 292.9, 381.8 / 266.7, 265.3, no gain through this machine's noise
     * (transitions 3 to 15 more with 64 in 7 of 8 pairs), so the Java columns keep the length the fault proofs and
     * {@code FaultBudgetReachTest}'s counts were measured with. So do the columns whose lock shares the segment's key
     * file (qt68-sysv-safe and -native, {@code BackendSemantics#lockSharesKeyFile}): their longer schedules reach real
     * Qt 6.8 histories, through freed inodes of unlinked key files, that the model does not follow yet
     * (docs/fuzz-notes.md, "Longer schedules where a schedule costs more than its steps"), and a FAIL there tells of
     * the model, not of Qt. 12 s campaigns with 64 steps passed 22 of 22 on 2026-12-06 13:20-13:35 (1.27-1.63 times the
     * checked operations of 16 steps), but 60 s ones then met such histories again: qt68-sysv-safe seed 31860
     * (LOCK-EXCLUSIVE 3/3, shrunk to 9 steps: A and its second object A2 both granted the lock of k-1 after A2's attach
     * had reached a killed worker's nameless segment and detached from it). That one is modelled since; then twelve
     * more 60 s campaigns with 64 steps met another (seed 6452, CRASH-SURVIVES, modelled too) in 31,851 schedules, and
     * sixteen more (17:19-17:40) none in 34,346; but at one such history in 35,000 schedules a default run's 400-700 on
     * each column would still FAIL on the model about one run in 30.
     */
    static int defaultLength(String column) {
        return javaColumn(column) || Subjects.here().semantics(column).lockSharesKeyFile() ? 16 : 64;
    }

    /** These options with their length as asked, or {@link #defaultLength} where asked for automatically (0). */
    private static Options withLength(Options o) {
        return o.length() > 0 ? o : o.length(defaultLength(o.backend()));
    }

    /**
     * A mutant may kill on one step in 16 on a column whose worker is a JVM, on one in 4 on a column whose worker is a
     * native program; a schedule made from its seed alone, on every step ({@link ScheduleGenerator#mutantsKillOnOneStepIn}).
     * A kill costs the worker process it ends: the pool starts another, which on this 2-core machine is about 200 ms of
     * CPU for a Java worker ({@code perf stat} over a worker's start, seven operations and exit: 195-209 ms, against 90 ms
     * for {@code java -version}) and a few ms for a forked Qt worker, against well under a millisecond for another step.
     * Every worker the pool replaced in a fuzz campaign was a killed one (counted: 69 of 69 in 61 mmapfile schedules, 716
     * of 717 in 659 qt schedules, the other one blocked at the end), 1.1 a schedule. Without kills, {@code fuzz} checked
     * 943 operations a second on mmapfile against 98 with them, 1,627 on qt against 910. Measured on 2026-12-05, the
     * commit before and after, alternated, {@code fuzz --seconds 12 --seed 7} and {@code --seed 99} (checked ops/s; model
     * transitions): sysv 78.4 → 214.0 and 119.5 → 285.6; 139 → 206 and 147 → 200; mmapfile 91.5 → 209.7 and 107.0 →
     * 285.6; 105 → 127 and 97 → 115; memfd 74.5 → 126.1 and 81.4 → 163.9; 85 → 106 and 77 → 91; qt (one step in 4)
     * 1,048.1 → 1,343.0 and 951.7 → 1,034.1; 328 → 328 and 303 → 286; qt68-sysv 1,002.9 → 1,324.8 and 756.5 → 1,147.3;
     * 328 → 384 and 313 → 342 (docs/fuzz-notes.md, "Mutants kill less where a kill is dear", has the rest and what it
     * costs: findings that need a kill come mostly from fresh schedules now). Fresh schedules are unchanged, so a
     * budget's fresh seeds reach what they reached (FaultBudgetReachTest); had fresh schedules been thinned too (one
     * step in 4), fault-nosemundo's situation (a lock after its holder was killed) would come in 13 of 300 fresh seeds
     * instead of 34. The same steps are a mutant's only ones to spawn a child worker (one more JVM on memfd-fd):
     * memfd-fd, seeds 7, 99 and 3, 29.8 → 65.4, 40.7 → 63.9 and 38.9 → 80.4 ops/s; 99 → 114, 96 → 120 and 103 → 137
     * transitions. They are also its only ones to make a step the shadow expects to crash its worker (a crashed worker
     * is replaced as a killed one is: docs/fuzz-notes.md, "A mutant's expected crashes are thinned the same way", has
     * the measurements). One in 16 on the native columns traded transitions for speed (qt and qt68-sysv, seeds 7 and
     * 99: 5 to 13 fewer transitions each, -3% to +26% ops/s), so they keep one in 4.
     */
    static int defaultMutantKillShare(Schedule schedule) {
        return javaWorkers(schedule) ? 16 : 4;
    }

    /**
     * The campaign's schedule as its first lane runs it: in lane 0's IPC namespace of its own where asked and where that
     * applies ({@link OwnNamespaceLanes}), else as generated (the same object).
     */
    private static Schedule placed(Options o, Schedule generated) {
        return o.ownIpcNamespaces() && OwnNamespaceLanes.suit(generated, !javaWorkers(generated)) ? OwnNamespaceLanes.inLane(generated, 0)
                : generated;
    }

    /**
     * These options as the campaign runs them: its length, lanes and mutants' kill share as asked, or, where asked for
     * automatically (0), {@link #defaultLength}, {@link #defaultLanes} and {@link #defaultMutantKillShare} for the column.
     */
    public static Options settled(Options asked) {
        Options o = withLength(asked);
        return o.lanes() > 0 && o.mutantKillShare() > 0 ? o : settled(o, placed(o, freshGenerator(o).generate(o.seed())));
    }

    /** As {@link #settled(Options)}, the column and its place told by the campaign's {@code first} schedule as it runs. */
    private static Options settled(Options o, Schedule first) {
        return o.lanes(o.lanes() > 0 ? o.lanes() : defaultLanes(first))
                .mutantKillShare(o.mutantKillShare() > 0 ? o.mutantKillShare() : defaultMutantKillShare(first));
    }

    /**
     * Saves a schedule that could not be judged where a failing one's original goes, so that it can be replayed without
     * the campaign (a mutant's steps come from the corpus, not from its seed alone). Not shrunk: what broke is the
     * harness, and the shrinker only keeps candidates that fail a property.
     *
     * @return "replay: shmconform replay FILE", for the UNKNOWN's line
     */
    static String keepUnknown(Path outDir, long seed, Trial c) {
        ReportLayout.Evidence files = ReportLayout.at(outDir).fuzzOriginal(seed);
        c.keep(files);
        return "replay: shmconform replay " + files.scheduleFile();
    }

    /** Schedules generated from their seed before the campaign starts mutating its corpus. */
    private static final int WARM_UP = 4;

    /**
     * The seeds the campaign generates fresh (not mutated) among its first {@code count} schedules: the same on every
     * machine (a mutant is also run fresh while the corpus is still empty, which adds to these).
     */
    public static List<Long> freshSeeds(Options o) {
        SplittableRandom plan = freshPlan(o.seed());
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < o.count(); i++) {
            if (isFresh(plan, i)) {
                seeds.add(o.seed() + i);
            }
        }
        return seeds;
    }

    /** The stream that decides which schedules of a campaign are fresh ({@link #isFresh}), from its first seed alone. */
    static SplittableRandom freshPlan(long firstSeed) {
        return new SplittableRandom(firstSeed ^ 0xF2E5L);
    }

    /**
     * Whether schedule {@code i} (asked in order 0, 1, 2, ...) is generated from its seed rather than mutated from the
     * corpus: the first {@link #WARM_UP}, then one in four. The plan is the same on every machine, so the fresh seeds a
     * campaign runs, and what they reach, do not depend on what the backends did; the mutants add to them.
     */
    static boolean isFresh(SplittableRandom plan, int i) {
        return i < WARM_UP || plan.nextInt(4) == 0;
    }

    /**
     * The property the documentation forbids but the column's declaration allows (DEVIATES), or null:
     * a difference from the documentation, which the fuzzer reports without calling it a failure.
     */
    static String deviation(Trial c) {
        var documented = c.outcome().documented();
        var declared = c.outcome().declared();
        if (c.fails() || documented == null || declared == null
                || documented.status() != org.shmconform.checker.CheckResult.Status.VIOLATION
                || declared.status() != org.shmconform.checker.CheckResult.Status.LINEARIZABLE) {
            return null;
        }
        return documented.violated() == null ? "UNNAMED" : documented.violated().id();
    }

    static int kills(Schedule s) {
        return (int) s.steps().stream().filter(st -> "kill".equals(st.op())).count();
    }
}
