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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.schedule.WorkerSpec;
import org.shmconform.worker.protocol.WorkerProtocol.Hello;

/**
 * Worker processes reused across schedules, per run ({@link RunContext#workerPool}), for the
 * {@code local} environment only (a worker in a namespace or a container is started fresh each
 * schedule: its /proc is not the harness's to read the same way). Idle workers are kept per
 * (column, user, TMPDIR); a schedule borrows one per worker name, and its history records the real
 * pid as ever.
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
 *     reaper's pass, no semaphore set the run's ledger recorded still exists; otherwise it is replaced.</li>
 * </ol>
 * The pool never decides a verdict: a schedule on pooled workers is judged exactly as on fresh ones. At
 * the run's end (also after a failure) every pooled worker is ended; a harness killed with SIGKILL takes
 * them with it (pdeathsig), and the next run's reaper ends what is left ({@link LeftoverWorkers}: they
 * carry the run's id and TMPDIR like any worker).
 */
public final class WorkerPool implements AutoCloseable {
    /** Idle workers kept per key; more than a schedule's workers would only hold memory. */
    private static final int MAX_IDLE_PER_KEY = 6;
    /** A worker that does not answer reset in time is replaced: this decides reuse, never a verdict. */
    private static final Duration RESET_DEADLINE = Duration.ofSeconds(10);
    private static final long RESET_SEQ = Long.MAX_VALUE - 1;

    /** What makes two workers interchangeable: the column, the user and the TMPDIR (null: the run's). */
    record Key(String impl, String user, String tmpdir) {
        static Key of(WorkerSpec spec) {
            return new Key(spec.impl(), spec.user(), spec.tmpdir());
        }
    }

    /** A worker process the pool owns, with what it was at its start. */
    public static final class Pooled {
        private final Key key;
        private final WorkerProcess process;
        private final WorkerCleanCheck.Baseline baseline;
        private final Path idleLog;
        private int schedules;

        private Pooled(Key key, WorkerProcess process, WorkerCleanCheck.Baseline baseline, Path idleLog) {
            this.key = key;
            this.process = process;
            this.baseline = baseline;
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

    /** Counts for the bench and the tests: processes started, borrows served by a reused one, workers replaced. */
    public record Stats(long started, long reused, long replaced) {
    }

    private final RunContext run;
    private final WorkerCommands commands;
    private final LocalEnvironment local = new LocalEnvironment();
    private final Map<Key, Deque<Pooled>> idle = new HashMap<>();
    private final Set<Pooled> owned = new HashSet<>();
    private final ExecutorService spares;
    private final AtomicInteger serial = new AtomicInteger();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private final AtomicLong replaced = new AtomicLong();
    private boolean closed;

    WorkerPool(RunContext run) {
        this.run = run;
        this.commands = new WorkerCommands(run);
        this.spares = Executors.newFixedThreadPool(ScheduleRunner.maxParallelStarts(), r -> {
            Thread t = new Thread(r, "shmconform-pool-spare");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether a worker of this spec in this environment is pooled: local workers only. */
    static boolean serves(Environment environment) {
        return environment instanceof LocalEnvironment;
    }

    public Stats stats() {
        return new Stats(started.get(), reused.get(), replaced.get());
    }

    /**
     * An idle worker for the spec, its log pointed at {@code log}, or a new one started now (with its
     * hello awaited; a worker that said none is returned too, and the schedule reports it).
     */
    Pooled borrow(WorkerSpec spec, Path log, Duration startDeadline) throws IOException, InterruptedException {
        Key key = Key.of(spec);
        synchronized (this) {
            if (closed) {
                throw new IOException("the worker pool of run " + run.runId() + " is closed");
            }
            Deque<Pooled> free = idle.get(key);
            Pooled p = free == null ? null : free.poll();
            if (p != null) {
                p.process.logTo(log);
                reused.incrementAndGet();
                return p;
            }
        }
        return start(key, log, startDeadline);
    }

    private Pooled start(Key key, Path log, Duration startDeadline) throws IOException, InterruptedException {
        WorkerCommand command = commands.command(key.impl(), key.user(), key.tmpdir());
        int n = serial.incrementAndGet();
        WorkerProcess wp = new WorkerProcess("pool-" + n, local.start(command, null), log);
        Pooled p;
        synchronized (this) {
            started.incrementAndGet();
            p = new Pooled(key, wp, null, run.logs().resolve("pool-" + key.impl() + "-" + n + ".stderr.log"));
            owned.add(p);
        }
        Hello hello;
        try {
            hello = wp.awaitHello(startDeadline);
        } catch (InterruptedException e) {
            synchronized (this) {
                owned.remove(p);
            }
            wp.killAndReap(Duration.ZERO); // the SIGKILL goes first; the JDK reaps it if this wait is cut short
            throw e;
        }
        if (hello == null || wp.hostPid().isEmpty()) {
            return p; // the schedule reports the missing hello; the worker is then retired
        }
        WorkerCleanCheck.Baseline baseline = WorkerCleanCheck.baseline(wp.hostPid().getAsLong(),
                run.workerTmp(key.tmpdir(), key.user()), run.runId(), command.classPath());
        Pooled ready = new Pooled(key, wp, baseline, p.idleLog);
        synchronized (this) {
            owned.remove(p);
            owned.add(ready);
        }
        return ready;
    }

    /**
     * After a schedule, before the reaper: a worker {@code disqualified} (the schedule's reason: killed,
     * crashed, blocked...) is retired at once; any other answers reset and is checked from outside.
     *
     * @return the worker if it proved clean so far (then {@link #readmit} after the reaper), else null
     */
    Pooled giveBack(Pooled p, String workerName, String disqualified, List<String> notes) throws InterruptedException {
        String why = disqualified;
        if (why == null && p.baseline == null) {
            why = "its pid or hello was never known";
        }
        if (why == null) {
            why = p.process.reset(RESET_SEQ, RESET_DEADLINE);
        }
        if (why == null) {
            List<String> dirty = WorkerCleanCheck.failures(p.baseline, RunContext.shareRoot());
            why = dirty.isEmpty() ? null : "it did not prove clean: " + String.join("; ", dirty);
        }
        if (why != null) {
            notes.add("worker " + workerName + (p.baseline == null ? "" : " (pid " + p.baseline.pid() + ")")
                    + " not reused: " + why + "; a fresh worker takes its place");
            retire(p, true);
            return null;
        }
        return p;
    }

    /**
     * After the reaper's pass: the workers that proved clean go back to the idle set, unless one of them
     * did a lock or unlock and a System V semaphore set the run's ledger recorded still exists (its
     * SEM_UNDO adjustment could still apply, see the class comment).
     *
     * @param lockers the names of the workers that issued lock or unlock in the schedule
     */
    void readmit(Map<String, Pooled> proven, Set<String> lockers, List<String> notes) throws InterruptedException {
        List<String> semaphores = proven.keySet().stream().anyMatch(lockers::contains) ? survivingSemaphores() : List.of();
        for (Map.Entry<String, Pooled> e : proven.entrySet()) {
            Pooled p = e.getValue();
            if (!semaphores.isEmpty() && lockers.contains(e.getKey())) {
                notes.add("worker " + e.getKey() + " (pid " + p.baseline.pid() + ") not reused: it locked, and System V semaphore(s) "
                        + String.join(", ", semaphores) + " of this run survive the reaper (a SEM_UNDO adjustment could apply)"
                        + "; a fresh worker takes its place");
                retire(p, true);
                continue;
            }
            p.schedules++;
            park(p);
        }
    }

    private void park(Pooled p) throws InterruptedException {
        boolean keep;
        synchronized (this) {
            Deque<Pooled> free = idle.computeIfAbsent(p.key, k -> new ArrayDeque<>());
            keep = !closed && free.size() < MAX_IDLE_PER_KEY;
            if (keep) {
                p.process.logTo(p.idleLog);
                free.add(p);
            }
        }
        if (!keep) {
            retire(p, false);
        }
    }

    /** Ends the worker (SIGKILL unless it is known clean) and, when it was replaced, starts a spare. */
    private void retire(Pooled p, boolean replace) throws InterruptedException {
        if (replace) {
            replaced.incrementAndGet();
        }
        try {
            if (replace) {
                p.process.killAndReap(Duration.ofSeconds(10));
            } else {
                p.process.shutdown(Duration.ofSeconds(2));
            }
        } finally {
            synchronized (this) {
                if (p.process.gone()) {
                    owned.remove(p); // one still alive (the wait was cut short) is ended by close()
                }
            }
        }
        if (replace) {
            startSpare(p.key);
        }
    }

    private void startSpare(Key key) {
        synchronized (this) {
            if (closed) {
                return;
            }
            spares.submit(() -> {
                Path log = run.logs().resolve("pool-spare-" + key.impl() + "-" + serial.get() + ".stderr.log");
                Pooled spare = start(key, log, ScheduleRunner.Timing.defaults().startDeadline());
                if (spare.baseline == null) {
                    retire(spare, false);
                } else {
                    park(spare);
                }
                return null;
            });
        }
    }

    /**
     * The System V semaphore sets the run's ledger recorded that still exist (same id and key): after the
     * reaper none should. The ledger is read as the reaper reads it.
     */
    private List<String> survivingSemaphores() {
        Map<Integer, Integer> recorded = new HashMap<>();
        for (Ledger.Entry e : Ledger.read(run.runDir())) {
            if (e.kind().equals("sem") && e.fields().size() >= 2) {
                recorded.put(Integer.parseInt(e.field(0)), Integer.parseInt(e.field(1)));
            }
        }
        List<String> alive = new ArrayList<>();
        if (recorded.isEmpty()) {
            return alive;
        }
        for (SysVObjects.Obj o : SysVObjects.list()) {
            if (o.kind().equals("sem") && recorded.containsKey(o.id()) && recorded.get(o.id()) == o.key()) {
                alive.add(String.format("id %d key 0x%08x", o.id(), o.key()));
            }
        }
        return alive;
    }

    /** Ends the idle workers of one column (each asked to exit: it is known clean), e.g. when its campaign is over. */
    public void retireIdle(String impl) {
        List<Pooled> leaving = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Key, Deque<Pooled>> e : idle.entrySet()) {
                if (e.getKey().impl().equals(impl)) {
                    leaving.addAll(e.getValue());
                    e.getValue().clear();
                }
            }
        }
        for (Pooled p : leaving) {
            try {
                retire(p, false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // the rest are ended by close()
            }
        }
    }

    /** Ends every worker the pool owns, idle or borrowed, and any spare still starting. */
    @Override
    public void close() {
        List<Pooled> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(owned);
            owned.clear();
            idle.clear();
        }
        spares.shutdownNow();
        boolean interrupted = Thread.interrupted();
        try {
            for (Pooled p : all) {
                try {
                    p.process.killAndReap(Duration.ofSeconds(10)); // idle ones hold nothing; borrowed ones may be blocked
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            try {
                spares.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            // A spare whose start raced the close: it was added to owned before close took the list, or it is
            // retired by park/start below, seeing closed.
            synchronized (this) {
                all = new ArrayList<>(owned);
                owned.clear();
            }
            for (Pooled p : all) {
                try {
                    p.process.killAndReap(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
