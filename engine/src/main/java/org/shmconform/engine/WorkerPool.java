package org.shmconform.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.Environments;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;
import org.shmconform.schedule.WorkerSpec;

/**
 * Worker processes reused across schedules, per run ({@link RunContext#workerPool}), per column and environment
 * (issue 13: "a pool per column and environment"): local workers, workers in an environment's unshared namespaces
 * (ipcns, ipcns+shm) and workers in a Docker environment's containers, whose /proc the harness reads from the host by
 * their host pid as a local worker's (an image's runtime counts as code: {@link Environment#codeDirectories}) and whose
 * group's namespaces or container live as long as the environment ({@link Environment#poolsWorkers}). Idle workers are kept per
 * (program, user, TMPDIR, environment and group), the program being the column's own for a Qt worker and one for every
 * Java column ({@link #programOf}: a Java worker serves the column its last reset named); a schedule borrows one per worker
 * name, and its history records the real pid as ever.
 *
 * <p>After the schedule a borrowed worker goes back only if it PROVES it is clean, else it is killed and
 * a spare is started in the background in its place:
 * <ol>
 * <li>never a worker the schedule killed, that crashed, was still blocked or in flight, passed a
 *     deadline, or wrote anything on stdout that is not the protocol;</li>
 * <li>it answers the protocol's {@code reset} (its segment object dropped as the destructor drops it,
 *     a fresh one made) with no object left;</li>
 * <li>the harness's own look through /proc finds no mapping, descriptor, lock, child or changed
 *     environment ({@link WorkerCleanCheck});</li>
 * <li>System V semaphore adjustments (SEM_UNDO) are invisible in /proc. A worker that did a lock or
 *     unlock may carry one, but only on a semaphore set it operated on, and every set a schedule can
 *     reach carries that schedule's own key prefix: no later schedule uses it. When the set is removed
 *     (IPC_RMID, by its last Qt detach or by the reaper after the schedule) the kernel invalidates every
 *     process's adjustment of it (ipc/sem.c, freeary). So such a worker goes back only when, after the
 *     reaper's pass, no semaphore set the run's ledger recorded still exists; otherwise it is replaced. In an IPC
 *     namespace its environment made the ledger reads nothing and the reaper removes nothing: there such a worker goes
 *     back only once every semaphore set of the namespace has been removed from inside it and none is listed any more
 *     ({@link OwnNamespaceReaper}); otherwise it is replaced.</li>
 * </ol>
 * <p>Spares (issue 13: "a killed worker is replaced by a spare started in the background"): a worker lost
 * this way is replaced at once by a process of the same command started on a background thread
 * ({@link SpareStarts}), so that the next schedule's borrow takes a ready process instead of waiting for a
 * JVM to start; a borrow that finds the spare still starting waits for that start rather than making a
 * second one. The pool keeps at most as many workers of a key as the last schedule of that key used, plus
 * one in reserve unless the schedule's runner keeps none (a spare is a JVM's memory; {@link SpareStarts} says why the
 * reserve). A spare is like any fresh worker: it said hello and its baseline was taken
 * after it; like an idle worker, it is handed out only after it answered {@code reset}, so one that died
 * meanwhile is reaped and never given to a schedule. {@link #retireIdle} (a column's campaign is over)
 * ends that column's spares too.
 *
 * <p>The pool never decides a verdict: a schedule on pooled workers is judged exactly as on fresh ones. At
 * the run's end (also after a failure or an interruption) every pooled worker, spares included, is
 * SIGKILLed and reaped; a harness killed with SIGKILL takes them with it (pdeathsig), and the next run's
 * reaper ends what is left ({@link LeftoverWorkers}: they carry the run's id and TMPDIR like any worker).
 *
 * <p>Thread-safety: the schedule's start threads borrow concurrently, spare threads park, the engine's
 * thread gives back; the idle set, the owned set and {@link SpareStarts} are guarded by this object's
 * monitor, and no process is started, waited for or killed while holding it.
 */
public final class WorkerPool implements AutoCloseable {
    /**
     * Idle workers kept per key, or the key's demand for spares if that is more ({@link SpareStarts#demand}: two lanes'
     * schedules and the reserve, 7 for a qt68-posix fuzz); more would only hold memory, fewer would end workers started
     * for that demand (a qt68-posix fuzz with 6 ended 0.13 clean workers a schedule).
     */
    private static final int MAX_IDLE_PER_KEY = 6;
    /**
     * A worker that does not answer reset in time is replaced: this decides reuse, never a verdict. 60 s, not 10: a
     * cold JVM's first reset, or one that loads another column's backend, can take seconds on a busy machine, and the
     * tests that count reuses then saw a replacement (a helper's read, 2026-12-08); only a hung worker takes a minute.
     */
    private static final Duration RESET_DEADLINE = Duration.ofSeconds(60);
    private static final long RESET_SEQ = Long.MAX_VALUE - 1;
    /** How long a kill waits for the reaping; a SIGKILLed process is reaped in far less. */
    private static final Duration REAP = Duration.ofSeconds(10);

    /** The program of every Java column's worker: one JVM serves any of them ({@link #programOf}). */
    static final String JAVA_WORKER = "java-worker";

    /**
     * What makes two workers interchangeable: the program ({@link #programOf}), the user, the TMPDIR (null: the run's), and
     * where they run: a local worker's environment and group are null (the pool starts it itself, or its fork server forks
     * it); a worker in namespaces of its own is of that environment's instance and group, whose namespaces it joined.
     */
    record Key(String program, String user, String tmpdir, Environment environment, String group) {
        static Key of(WorkerSpec spec, Environment environment) {
            return environment instanceof LocalEnvironment ? new Key(programOf(spec.impl()), spec.user(), spec.tmpdir(), null, null)
                    : new Key(programOf(spec.impl()), spec.user(), spec.tmpdir(), environment, spec.group());
        }

        /**
         * Whether the System V objects its workers reach are the host's, which the run's ledger reads and its reaper
         * removes: not in an IPC namespace of the environment's own.
         */
        boolean inTheHostsIpcNamespace() {
            return environment == null || Environments.sharesTheHostsIpcNamespace(environment.name());
        }
    }

    /**
     * The program a column's worker runs: {@link #JAVA_WORKER} for every Java column, whose worker JVM has every backend
     * on its class path and serves the one its last reset named ("Between schedules: reset"), so that a clean worker of
     * one Java column serves the next column's schedule instead of a JVM started for it; the column itself for any
     * other (a Qt worker is built for its column).
     */
    static String programOf(String column) {
        return Subjects.here().jvmWorker(column, false) ? JAVA_WORKER : column;
    }

    /** Whether a worker of one column may serve the other's schedules (the same {@link #programOf program}). */
    public static boolean sameProgram(String column, String other) {
        return programOf(column).equals(programOf(other));
    }

    /** A worker process the pool owns, with what it was at its start. */
    public static final class Pooled {
        private final Key key;
        /** The column it serves: the one it was started for, or the one its last reset named. */
        private volatile String column;
        private final WorkerProcess process;
        private final Path idleLog;
        /** Taken right after its hello; null while it has said none (or never did). */
        private volatile WorkerCleanCheck.Baseline baseline;
        /** Started in the background to replace a lost worker, and not borrowed yet. */
        private volatile boolean spare;
        /** Killed or dead: it no longer counts among the workers a spare would add to. */
        private volatile boolean lost;
        private int schedules;

        private Pooled(Key key, String column, WorkerProcess process, Path idleLog) {
            this.key = key;
            this.column = column;
            this.process = process;
            this.idleLog = idleLog;
        }

        public WorkerProcess process() {
            return process;
        }

        /** Schedules it served before the current one. */
        public int schedules() {
            return schedules;
        }
    }

    /**
     * Counts for the bench and the tests: processes started (spares included), borrows served by a process
     * that served before, workers replaced (killed, dead, or not proven clean), spares started in the
     * background, borrows served by a spare (parked or still starting when the borrow came), and workers ended because
     * the idle set of their key was full (proven clean after a schedule, or a spare that said hello with no borrow
     * waiting): each a start that a smaller demand for spares would have saved.
     */
    public record Stats(long started, long reused, long replaced, long spares, long fromSpares, long endedForWantOfRoom) {
    }

    private final RunContext run;
    private final WorkerCommands commands;
    private final LocalEnvironment local = new LocalEnvironment();
    /** Workers of a program that forks them (the Qt workers) are forked, not exec'd ({@link ForkServers}). */
    private final ForkServers forks;
    private final Map<Key, Deque<Pooled>> idle = new HashMap<>();
    /** Every live process of the pool, idle, borrowed or just started: close() ends them all. */
    private final Set<Pooled> owned = new HashSet<>();
    private final SpareStarts spares = new SpareStarts(ScheduleRunner.maxParallelStarts());
    private final AtomicInteger serial = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private final AtomicLong spareStarts = new AtomicLong();
    private final AtomicLong fromSpares = new AtomicLong();
    private final AtomicLong endedForWantOfRoom = new AtomicLong();
    private boolean closed;

    WorkerPool(RunContext run) {
        this.run = run;
        this.commands = new WorkerCommands(run);
        this.forks = new ForkServers(run);
    }

    /** Whether a worker in this environment is pooled: local, namespace and container ones ({@link Environment#poolsWorkers}). */
    static boolean serves(Environment environment) {
        return environment != null && environment.poolsWorkers();
    }

    /** The pids of the pool's live fork servers (their forked workers' CPU is counted in theirs once reaped). */
    public List<Long> forkServerPids() {
        return forks.pids();
    }

    public Stats stats() {
        return new Stats(started.get(), reused.get(), replaced.get(), spareStarts.get(), fromSpares.get(), endedForWantOfRoom.get());
    }

    /**
     * Before a schedule borrows: the pooled workers it uses, per key, times the {@code lanes} of schedules that run
     * side by side like it, and {@code reserve} more. That many is what the pool keeps of each key by starting spares
     * (never more, for memory), until the next schedule says otherwise.
     */
    synchronized void expect(Map<WorkerSpec, Environment> pooledSpecs, int lanes, int reserve) {
        Map<Key, Integer> workers = new HashMap<>();
        Map<Key, String> columns = new HashMap<>();
        pooledSpecs.forEach((s, environment) -> {
            Key key = Key.of(s, environment);
            workers.merge(key, lanes, Integer::sum);
            columns.put(key, s.impl());
        });
        workers.forEach((key, n) -> spares.expect(key, columns.get(key), n, reserve));
    }

    /**
     * A worker for the spec, its log pointed at {@code log}: an idle one, else a spare that was started in
     * the background (waited for if it is still starting), else one started now. An idle worker or a spare
     * is handed out only after it answered {@code reset} (a process that died meanwhile cannot), one of another Java
     * column a reset that names the spec's column; one that does not answer it as asked is killed, reaped and replaced.
     * A worker started now is returned with its hello awaited, also when it said none: the schedule reports it.
     */
    Pooled borrow(WorkerSpec spec, Environment environment, Path log, Duration startDeadline) throws IOException, InterruptedException {
        Key key = Key.of(spec, environment);
        String column = spec.impl();
        while (true) {
            Pooled p;
            SpareStarts.Spare spare = null;
            synchronized (this) {
                if (closed) {
                    throw new IOException("the worker pool of run " + run.runId() + " is closed");
                }
                Deque<Pooled> free = idle.get(key);
                p = free == null ? null : free.poll();
                if (p == null) {
                    spare = spares.claim(key);
                }
            }
            if (p == null && spare == null) {
                Pooled fresh = start(key, column, log, startDeadline, null);
                if (fresh == null) {
                    throw new IOException("the worker pool of run " + run.runId() + " is closed");
                }
                return fresh;
            }
            if (p == null && (p = awaitClaimed(spare)) == null) {
                continue; // its start failed: the next idle worker, spare or a start now
            }
            // A second reset after giveBack's, on purpose: only an answer proves the process lives now. A worker
            // SIGKILLed a moment ago can still look alive (Process.isAlive, /proc) until the kernel has torn it
            // down, which is what WorkerPoolSpareTest does to idle spares before it borrows; an answer cannot lie.
            String serve = column.equals(p.column) ? null : column;
            String why = p.baseline == null ? "it said no hello" : p.process.reset(RESET_SEQ, RESET_DEADLINE, serve);
            if (why == null) {
                p.column = column;
                p.process.logTo(log);
                (p.spare ? fromSpares : reused).incrementAndGet();
                p.spare = false;
                return p;
            }
            replaced.incrementAndGet(); // e.g. it died while idle: reaped, never handed out
            kill(p);
        }
    }

    /** Waits for a claimed spare; interrupted, it gives the spare back (parked when it is ready) and rethrows. */
    private Pooled awaitClaimed(SpareStarts.Spare spare) throws InterruptedException {
        try {
            return spare.await();
        } catch (InterruptedException e) {
            Pooled ready;
            synchronized (this) {
                spare.claimed = false; // a start still under way parks it itself
                ready = spare.resultNow();
            }
            if (ready != null) {
                keepOrEnd(ready);
            }
            throw e;
        }
    }

    /**
     * Starts a worker of the key and waits for its hello; its baseline is taken after the hello.
     *
     * @param column the column it serves first
     * @param spare  the background start it serves, or null for a start a borrow waits for
     * @return the worker (with no baseline if it said no hello); null if the pool closed meanwhile
     */
    private Pooled start(Key key, String column, Path log, Duration startDeadline, SpareStarts.Spare spare)
            throws IOException, InterruptedException {
        WorkerCommand command = commands.command(column, key.user(), key.tmpdir());
        int n = serial.incrementAndGet();
        WorkerHandle handle;
        if (key.environment() != null) {
            // Forked there by a server in the group's namespaces where the environment offers one, else started by it.
            WorkerHandle forked = forks.fork(command, key.environment(), key.group());
            handle = forked != null ? forked : key.environment().start(command, key.group());
        } else {
            WorkerHandle forked = forks.fork(command);
            handle = forked != null ? forked : local.start(command, null);
        }
        // Its start log is made only if it writes there before a borrow moves its stderr (a pooled worker nearly never
        // does): an empty file made per start on an ext4 state directory was 4.6 % of the machine's CPU in a qt fuzz
        // (perf: the pool's thread in ext4_create, allocating the inode), where a schedule starts 2-3 workers.
        WorkerProcess wp = new WorkerProcess("pool-" + n, handle, log, false);
        wp.recordOrphansIn(run.ledger());
        Pooled p = new Pooled(key, column, wp, run.logs().resolve("pool-" + column + "-" + n + ".stderr.log"));
        boolean refused;
        synchronized (this) {
            started.incrementAndGet();
            refused = closed;
            if (!refused) {
                owned.add(p);
                if (spare != null) {
                    spare.registered = true;
                }
            }
        }
        if (refused) {
            killAndReapNow(wp); // close() took its list already: this process is ours to end
            return null;
        }
        try {
            if (wp.awaitHello(startDeadline) == null || wp.hostPid().isEmpty()) {
                return p; // a borrow's schedule reports the missing hello; a spare's is ended
            }
        } catch (InterruptedException e) {
            kill(p); // the SIGKILL goes first, then the reaping, whatever interrupts it
            throw e;
        }
        wp.recordOrphansIn(run.ledger()); // a forked worker is dated from its hello (a no-op for one started here)
        p.baseline = WorkerCleanCheck.baseline(wp.hostPid().getAsLong(), run.workerTmp(key.tmpdir(), key.user()),
                run.runId(), command.classPath(), key.environment() == null ? List.of() : key.environment().codeDirectories(),
                wp::isItsPidHoldHelper);
        return p;
    }

    /**
     * After a schedule, before the reaper, the first half of giving a worker back, for every worker of the schedule
     * before any {@link #giveBack}: a worker {@code disqualified} (the schedule's reason: killed, crashed, blocked...) is
     * sent nothing; any other is sent its reset now, so the workers' destructors run side by side instead of one reset's
     * round trip after another.
     *
     * @return why it is not reused (then no reset was sent), or null: its reset is on its way
     */
    String sendBack(Pooled p, String disqualified) {
        if (disqualified != null) {
            return disqualified;
        }
        return p.baseline == null ? "its pid or hello was never known" : p.process.sendResetNow(RESET_SEQ);
    }

    /**
     * The second half: a worker {@link #sendBack} ruled out ({@code whyNot}) is retired at once; any other must answer its
     * reset and is checked from outside.
     *
     * @return the worker if it proved clean so far (then {@link #readmit} after the reaper), else null
     */
    Pooled giveBack(Pooled p, String workerName, String whyNot, List<String> notes) throws InterruptedException {
        String why = whyNot;
        if (why == null) {
            why = p.process.resetAnswered(RESET_SEQ, RESET_DEADLINE);
        }
        if (why == null) {
            List<String> dirty = WorkerCleanCheck.failures(p.baseline, RunContext.shareRoot());
            why = dirty.isEmpty() ? null : "it did not prove clean: " + String.join("; ", dirty);
        }
        if (why != null) {
            notes.add("worker " + workerName + (p.baseline == null ? "" : " (pid " + p.baseline.pid() + ")")
                    + " not reused: " + why + "; a fresh worker takes its place");
            replace(p);
            return null;
        }
        return p;
    }

    /**
     * After the reaper's pass: the workers that proved clean go back to the idle set, unless one of them
     * did an op that may leave a SEM_UNDO adjustment (a lock, an unlock, or, on a column whose lock is a System V set, a
     * create, attach or detach, whose lock and release Qt's retry may split: ScheduleAttempt.mayLeaveAnUndo) and a System
     * V semaphore set it may hold one on may still exist: in the host's namespace, one the run's ledger recorded (its
     * SEM_UNDO adjustment could still apply, see the class comment); in a namespace of its environment's own, any set
     * there, unless {@link OwnNamespaceReaper} proved that namespace empty of sets.
     *
     * <p>Nor a locker of an execution that met another program's object at one of its keys ({@code metAForeignObject}):
     * the ledger writes such a set {@code foreign} and no reaper removes it (it is not the run's), so a SEM_UNDO adjustment
     * a worker keeps on it, or the lock it holds there, would live on in the pool and keep that program waiting until
     * the worker's end, whenever that came; ended now, the kernel applies it at once.
     *
     * @param lockers the names of the workers that issued such an op in the schedule
     * @param setFree the namespaces of the environments' own that hold no semaphore set any more
     * @param metAForeignObject whether the execution met an object another program made at one of its keys
     */
    void readmit(Map<String, Pooled> proven, Set<String> lockers, Set<OwnNamespaceReaper.Namespace> setFree,
                 boolean metAForeignObject, List<String> notes) throws InterruptedException {
        List<String> semaphores = proven.entrySet().stream().anyMatch(e -> lockers.contains(e.getKey()) && e.getValue().key.inTheHostsIpcNamespace())
                ? survivingSemaphores() : List.of();
        for (Map.Entry<String, Pooled> e : proven.entrySet()) {
            Pooled p = e.getValue();
            boolean locker = lockers.contains(e.getKey());
            if (locker && metAForeignObject) {
                notes.add("worker " + e.getKey() + " (pid " + p.baseline.pid() + ") not reused: it may keep a SEM_UNDO adjustment or a"
                        + " lock (it locked, unlocked, created, attached or detached) on another program's object met at a key of"
                        + " this execution, which no reaper removes; a fresh worker takes its place");
                replace(p);
                continue;
            }
            if (locker && !p.key.inTheHostsIpcNamespace()
                    && !setFree.contains(new OwnNamespaceReaper.Namespace(p.key.environment(), p.key.group()))) {
                // Its sets live in a namespace the ledger does not read and the reaper does not reach, not proven empty.
                notes.add("worker " + e.getKey() + " (pid " + p.baseline.pid() + ") not reused: it may keep a SEM_UNDO adjustment (it locked,"
                        + " unlocked, created, attached or detached) on a System V semaphore of an IPC namespace the reaper"
                        + " does not reach, whose sets could not all be removed now; a fresh worker takes its place");
                replace(p);
                continue;
            }
            if (!semaphores.isEmpty() && locker && p.key.inTheHostsIpcNamespace()) {
                notes.add("worker " + e.getKey() + " (pid " + p.baseline.pid() + ") not reused: it may keep a SEM_UNDO adjustment (it locked,"
                        + " unlocked, created, attached or detached), and System V semaphore(s) "
                        + String.join(", ", semaphores) + " of this run survive the reaper (a SEM_UNDO adjustment could apply)"
                        + "; a fresh worker takes its place");
                replace(p);
                continue;
            }
            p.schedules++;
            keepOrEnd(p);
        }
    }

    /** Into the idle set if the pool is open and has room for it, else asked to exit (it is known clean). */
    private void keepOrEnd(Pooled p) throws InterruptedException {
        boolean kept;
        synchronized (this) {
            kept = park(p);
        }
        if (!kept) {
            endGently(p);
        }
    }

    /** Holding the monitor: parks a worker that said hello, if the pool is open and the key has room. */
    private boolean park(Pooled p) {
        Deque<Pooled> free = idle.computeIfAbsent(p.key, k -> new ArrayDeque<>());
        if (closed || p.baseline == null) {
            return false;
        }
        if (free.size() >= Math.max(MAX_IDLE_PER_KEY, spares.demand(p.key))) {
            endedForWantOfRoom.incrementAndGet();
            return false;
        }
        p.process.logTo(p.idleLog);
        free.add(p);
        return true;
    }

    /**
     * During a schedule: the engine killed this borrowed worker, or saw it die. It will not come back, so its
     * spare starts now, while the rest of the schedule runs, rather than when the schedule gives it back.
     */
    void lost(Pooled p) {
        if (!p.lost) {
            p.lost = true;
            startSpareIfWanted(p.key);
        }
    }

    /** A worker lost to the schedule or to its proof: killed and reaped, and a spare started in its place if wanted. */
    private void replace(Pooled p) {
        replaced.incrementAndGet();
        p.lost = true;
        kill(p);
        startSpareIfWanted(p.key);
    }

    /** SIGKILL and reaping; it leaves the owned set once reaped (one whose reaping was cut short is ended by close()). */
    private void kill(Pooled p) {
        killAndReapNow(p.process);
        forgetIfGone(p);
    }

    /** Asks a worker known clean to exit (killed if it does not); it leaves the owned set once reaped. */
    private void endGently(Pooled p) throws InterruptedException {
        try {
            p.process.shutdown(Duration.ofSeconds(2));
        } finally {
            forgetIfGone(p);
        }
    }

    private synchronized void forgetIfGone(Pooled p) {
        if (p.process.gone()) {
            owned.remove(p);
        }
    }

    /**
     * SIGKILL, then the reaping even if this thread is interrupted (its flag is kept for the caller), then what its
     * environment held for it alone is given back (a docker-shareable worker's own container; nothing for others).
     */
    private static void killAndReapNow(WorkerProcess wp) {
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + REAP.toNanos();
        boolean waited = false;
        try {
            wp.killAndReap(REAP); // its SIGKILL is sent whatever interrupts it
            waited = true;
        } catch (InterruptedException e) {
            interrupted = true;
        }
        // Interrupted meanwhile (close() interrupts the spare threads): the reaping still happens here. A start the
        // closing pool refused is in no owned set that close() could reap from: WorkerPoolSpareTest's close right after a
        // loss listed such a child, killed, not yet reaped ("[13783 (gone since)]", twice under load).
        while (!waited) {
            try {
                wp.reap(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                waited = true;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        wp.release();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts spares of the key in the background while the pool holds fewer workers of it than the last
     * schedule used plus the reserve ({@link SpareStarts#wanted}).
     */
    private synchronized void startSpareIfWanted(Key key) {
        long ownedOfKey = owned.stream().filter(o -> o.key.equals(key) && !o.lost).count();
        while (!closed && spares.wanted(key, ownedOfKey)) {
            long number = spareStarts.incrementAndGet();
            spares.begin(key, spare -> startSpare(spare, number));
        }
    }

    /** On a spare thread: starts the worker and hands it to the borrow that claimed it, or parks it, or ends it. */
    private void startSpare(SpareStarts.Spare spare, long number) {
        Pooled p = null;
        try {
            Path log = run.logs().resolve("pool-spare-" + spare.column + "-" + number + ".stderr.log");
            p = start(spare.key, spare.column, log, ScheduleRunner.Timing.defaults().startDeadline(), spare);
            if (p != null) {
                p.spare = true;
            }
        } catch (IOException | RuntimeException e) {
            // not started: the next borrow starts a worker itself
        } catch (InterruptedException e) {
            // the pool is closing; start() ended the process
        } finally {
            boolean handedOver;
            synchronized (this) {
                handedOver = spare.claimed || (p != null && park(p));
                spares.finished(spare, p);
            }
            if (!handedOver && p != null) {
                kill(p); // no hello, no room, or the pool closed
            }
        }
    }

    /**
     * The System V semaphore sets the run's ledger recorded that still exist (same id and key): after the
     * reaper none should. The ledger's records are the ones the reaper after each schedule looks up
     * ({@link Ledger#systemVRecords}): reading the file again here, after every schedule whose workers locked,
     * cost a campaign time that grew with its length (a fifth of the harness's samples in a 15 s qt fuzz).
     */
    private List<String> survivingSemaphores() {
        // By the live sets (a few) looked up in the records, not by the records (every set the run ever made, a number
        // that grows with a campaign's length) looked up in the live sets.
        Map<String, Ledger.Entry> recorded = run.ledger().systemVRecords();
        List<String> alive = new ArrayList<>();
        if (recorded.isEmpty()) {
            return alive;
        }
        for (SysVObjects.SemSet set : SysVObjects.semaphoreSets()) {
            Ledger.Entry e = recorded.get("sem:" + set.id());
            if (e != null && Integer.parseInt(e.field(1)) == set.key()) {
                alive.add(String.format("id %d key 0x%08x", set.id(), set.key()));
            }
        }
        return alive;
    }

    /**
     * Ends the idle workers of one column's program ({@link #programOf}: every Java column's, for a Java column) and their
     * spares (each asked to exit: it is known clean, a spare still starting is waited for first), e.g. when its campaign
     * is over; no spare of it is started again until a schedule says how many it uses.
     */
    public void retireIdle(String column) {
        String program = programOf(column);
        Predicate<Key> of = k -> k.program().equals(program);
        synchronized (this) {
            spares.forget(of);
        }
        endIdleAndSpares(of);
    }

    /**
     * Ends the idle workers and spares in {@code environment} (each asked to exit: it is known clean), then the fork
     * servers in its groups: for an environment that is closing once no schedule uses it (a fuzz campaign's lanes').
     */
    public void retire(Environment environment) {
        Predicate<Key> in = k -> k.environment() == environment;
        synchronized (this) {
            spares.forget(in);
        }
        if (endIdleAndSpares(in)) {
            forks.endIn(environment);
        } // interrupted: the rest are ended by close(), and the servers with them
    }

    /**
     * Ends the idle workers of the keys {@code which} takes and their spares (each asked to exit: it is known clean, a
     * spare still starting is waited for first).
     *
     * @return false if interrupted meanwhile (the rest are ended by close())
     */
    private boolean endIdleAndSpares(Predicate<Key> which) {
        List<Pooled> leaving = new ArrayList<>();
        List<SpareStarts.Spare> starting;
        synchronized (this) {
            for (Map.Entry<Key, Deque<Pooled>> e : idle.entrySet()) {
                if (which.test(e.getKey())) {
                    leaving.addAll(e.getValue());
                    e.getValue().clear();
                }
            }
            starting = spares.claimAll(which);
        }
        try {
            for (SpareStarts.Spare s : starting) {
                Pooled p = s.await();
                if (p != null) {
                    leaving.add(p);
                }
            }
            for (Pooled p : leaving) {
                endGently(p);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * For tests: waits until no spare of the column is starting, then gives the pids of its idle workers
     * (the survivors of the last schedule and the spares started in the background).
     */
    List<Long> idlePidsOnceSparesStarted(String column) throws InterruptedException {
        String program = programOf(column);
        List<SpareStarts.Spare> starting;
        synchronized (this) {
            starting = spares.starting(program);
        }
        for (SpareStarts.Spare s : starting) {
            s.await();
        }
        synchronized (this) {
            return idle.entrySet().stream().filter(e -> e.getKey().program().equals(program)).flatMap(e -> e.getValue().stream())
                    .map(p -> p.baseline.pid()).toList();
        }
    }

    /**
     * Ends every worker the pool owns, idle, borrowed or spare, each SIGKILLed and reaped; a spare still
     * starting is interrupted, and the process it made (if any) is ended by its own thread or below.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        boolean interrupted = Thread.interrupted();
        try {
            endAllOwned(); // idle ones hold nothing; borrowed ones may be blocked
            try {
                spares.stop(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                interrupted = true;
            }
            synchronized (this) {
                spares.abandonUnstarted();
            }
            endAllOwned(); // a spare that registered while the first pass ran
            forks.close(); // after its workers: a server's end would kill a borrowed one under its schedule
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void endAllOwned() {
        List<Pooled> all;
        synchronized (this) {
            all = new ArrayList<>(owned);
            owned.clear();
            idle.clear();
        }
        for (Pooled p : all) {
            killAndReapNow(p.process);
        }
    }
}
