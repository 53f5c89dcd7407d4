package org.shmconform.engine;

import org.shmconform.backends.host.KernelWait;
import org.shmconform.history.Execution;

import java.time.Duration;
import java.util.Map;
import org.shmconform.spi.Availability;
import org.shmconform.engine.env.Environment;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * Runs a schedule on real worker processes and records the history. Each step is issued in order
 * and waited for: no silence is ever taken for a blocked operation. Only a step the schedule marks
 * {@code async} (a lock that may have to wait) is left in flight, and only once the kernel confirms
 * that the worker's op thread sleeps in a lock wait ({@link KernelWait}); the worker's next step
 * first waits for it. Any other step waits for its reply, or until the kernel shows it asleep in a
 * lock wait while every other op in flight is too (nothing running could release it), then it stays
 * in flight as blocked and the model judges it. An op that is merely slow is waited for up to
 * {@link Timing#replyDeadline}; past it an op the kernel does not see blocked is killed and makes the
 * execution a problem (UNKNOWN, never PASS). At the end every op
 * still in flight is answered, or confirmed blocked and closed as {@code info} "blocked", or closed
 * as "timeout" with a problem. A step that cannot be performed is a problem, never a silent skip.
 */
public final class ScheduleRunner {
    /**
     * Deadlines after which the engine stops waiting. Neither decides what a history means: a reply
     * deadline passed without kernel-confirmed blocking makes the execution UNKNOWN.
     */
    public record Timing(Duration replyDeadline, Duration startDeadline) {
        public static Timing defaults() {
            return new Timing(Duration.ofSeconds(60), Duration.ofSeconds(120));
        }
    }

    private final RunContext run;
    private final WorkerCommands commands;
    private final Map<String, Environment> environments;
    private final Timing timing;
    private final boolean reuseWorkers;
    private final int lanes;
    private final boolean spares;
    private final int reserve;
    /** This runner's own: a runner built from it by reusingWorkers(), inLanes() and the like counts from nothing. */
    private final TurnStalls turnStalls = new TurnStalls(System::nanoTime);

    public ScheduleRunner(RunContext run, Map<String, Environment> environments, Timing timing) {
        this(run, environments, timing, false, 1, true, SpareStarts.RESERVE);
    }

    private ScheduleRunner(RunContext run, Map<String, Environment> environments, Timing timing, boolean reuseWorkers, int lanes,
                           boolean spares, int reserve) {
        this.run = run;
        this.commands = new WorkerCommands(run);
        this.environments = environments;
        this.timing = timing;
        this.reuseWorkers = reuseWorkers;
        this.lanes = lanes;
        this.spares = spares;
        this.reserve = reserve;
    }

    /**
     * The same runner, but its workers in environments that pool them (local, ipcns, ipcns+shm and the Docker ones:
     * {@link WorkerPool#serves}) come from the run's {@link WorkerPool} and go back to it when they prove clean after a
     * schedule.
     */
    public ScheduleRunner reusingWorkers() {
        return new ScheduleRunner(run, environments, timing, true, lanes, spares, reserve);
    }

    /**
     * The same runner, called by {@code lanes} threads at once (a fuzz campaign's lanes): its pool keeps workers for
     * that many schedules, not one. Schedules that must take turns ({@link #mayRunSideBySide}) still do.
     */
    public ScheduleRunner inLanes(int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
        }
        return new ScheduleRunner(run, environments, timing, reuseWorkers, lanes, spares, reserve);
    }

    /**
     * The same runner for a schedule after which none uses the same workers (the last scenario of a column in a lane of
     * the named suite, whose idle workers are ended before the next): a worker it loses is not replaced by a spare in the
     * background, since nothing would borrow the spare. Measured in a default run's named suite, its two lanes: 333 spares
     * started, 121 of them borrowed by no scenario (each a JVM start, about 0.3 s of CPU, on a machine the run keeps
     * busy); 318 and 105 with this alone; 207 and 38 with {@link #withoutReserve} too.
     */
    public ScheduleRunner withoutSpares() {
        return new ScheduleRunner(run, environments, timing, reuseWorkers, lanes, false, reserve);
    }

    /**
     * The same runner, but the pool keeps no spare ready beyond the workers a schedule uses: one is started only in place
     * of a worker lost. For the named suite, whose scenarios of a column use different numbers of workers and whose two
     * lanes keep both cores busy: a reserve start there is CPU taken from the other lane, and most reserves served no
     * scenario. Measured, the named suite alone ({@code run --fuzz-schedules 0}), alternated: 117.6, 114.8, 120.0 and
     * 120.5 s with the reserve against 102.1, 98.4 and 101.1 s without (658 against 572 workers started). The fuzzer keeps
     * it: alone, {@code fuzz -b sysv} ran 96.4 and 106.5 checked ops/s with it against 73.4 and 96.4 without.
     */
    public ScheduleRunner withoutReserve() {
        return new ScheduleRunner(run, environments, timing, reuseWorkers, lanes, spares, 0);
    }

    /**
     * Whether schedules like this one (of the same columns: a fuzz campaign's lanes) run side by side in one run, or wait
     * for each other's end: a schedule whose sets are keyed by files that Qt unlinks while the sets live takes a turn
     * ({@link KeyFileTurns}), so two of them never overlap. Any other schedule's objects carry its own execution prefix
     * (disjoint keys), its workers are its own processes, and the reaper after it removes what its prefix names and the
     * System V objects the run's ledger recorded, which only schedules of such columns make. Not for schedules of
     * different columns side by side: the reaper after a schedule that takes no turn would remove the recorded sets
     * of one that holds its turn and still runs.
     */
    public static boolean mayRunSideBySide(Schedule schedule) {
        return !KeyFileTurns.needsTurn(schedule);
    }

    /** Whether this runner borrows workers from the run's pool. */
    public boolean reusesWorkers() {
        return reuseWorkers;
    }

    /**
     * How many workers may be starting at once: a JVM start is CPU-bound, so more starts than cores
     * only make each slower. {@code -Dshmconform.maxParallelStarts=N} overrides it.
     */
    public static int maxParallelStarts() {
        int n = Integer.getInteger("shmconform.maxParallelStarts", Runtime.getRuntime().availableProcessors());
        return Math.max(1, n);
    }

    /**
     * Ends the pooled idle workers (and spares) of a column whose schedules are over, and of every column whose workers
     * are of the same program ({@link WorkerPool#sameProgram}); nothing if none are pooled.
     */
    public void retireIdle(String column) {
        if (reuseWorkers) {
            run.workerPool().retireIdle(column);
        }
    }

    /** Why this schedule cannot run here (a backend, the Qt worker or an environment is missing or undecided), or null. */
    public String unavailableReason(Schedule schedule) {
        Availability a = availability(schedule);
        return a.available() ? null : a.reason();
    }

    /**
     * Whether this schedule can run here: NOT_AVAILABLE when a column, an environment or root is missing for one of its
     * workers; else UNDECIDED when a probe it needs did not finish (its cells are then UNKNOWN: nothing says the
     * capability is missing); else available.
     */
    public Availability availability(Schedule schedule) {
        Availability undecided = null;
        for (WorkerSpec w : schedule.workers()) {
            if (w.user() != null && !isRoot()) { // first: making its command would chown a directory to that user
                return Availability.no("running a worker as " + w.user() + " needs root");
            }
            Availability impl = Subjects.here().availability(w.impl());
            if (impl.undecided()) {
                undecided = undecided != null ? undecided : impl.because(w.impl() + ": " + impl.reason());
            } else if (!impl.available()) {
                return Availability.no(w.impl() + ": " + impl.reason());
            }
            Environment env = environments.get(w.env());
            if (env == null) {
                return Availability.no("environment '" + w.env() + "' is not configured");
            }
            Availability envAvailability = env.availability();
            if (envAvailability.undecided()) {
                undecided = undecided != null ? undecided
                        : envAvailability.because("environment " + w.env() + ": " + envAvailability.reason());
            } else if (!envAvailability.available()) {
                return Availability.no("environment " + w.env() + ": " + envAvailability.reason());
            }
            // What the environment can run is known without its probe (a container image's Java runtime only); the
            // command of an undecided column cannot be made, but whether its worker is a JVM is known.
            String cannot = impl.available() ? env.cannotRun(commands.command(w.impl(), w.user(), w.tmpdir()))
                    : Subjects.here().jvmWorker(w.impl(), true) ? null : env.cannotRunNativeWorkers();
            if (cannot != null) {
                return Availability.no("environment " + w.env() + ": " + cannot);
            }
        }
        return undecided != null ? undecided : Availability.yes();
    }

    public Execution run(Schedule schedule) throws InterruptedException {
        // Its turn covers the workers' start, the steps and the reaper's pass after them (KeyFileTurns).
        try (KeyFileTurns.Turn turn = KeyFileTurns.take(schedule, turnStalls)) {
            return new ScheduleAttempt(run, commands, environments, timing, schedule, run.nextExecutionPrefix(),
                    reuseWorkers ? run.workerPool() : null, spares ? lanes : 0, reserve).execute();
        }
    }

    /**
     * Nanoseconds in which this runner's schedules stood still behind a System V key-file turn none of them held (another
     * run's or test's, or another runner's): for a time budget that counts the runner's own time only ({@link TurnStalls}).
     */
    public long nanosStalledByAnothersTurn() {
        return turnStalls.nanos();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
