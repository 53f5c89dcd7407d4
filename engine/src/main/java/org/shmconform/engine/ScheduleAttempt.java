package org.shmconform.engine;

import org.shmconform.backends.host.KernelWait;
import org.shmconform.history.Execution;

import org.shmconform.spi.Args;
import org.shmconform.spi.NativeName;
import org.shmconform.spi.Op;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.shmconform.engine.WorkerProcess.Received;
import org.shmconform.engine.env.Environment;
import org.shmconform.history.Ending;
import org.shmconform.history.EventType;
import org.shmconform.history.History;
import org.shmconform.history.HistoryEvent;
import org.shmconform.history.Nemesis;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Hello;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * One execution of a schedule ({@link ScheduleRunner} says how steps are waited for): its workers,
 * its clock, its history and the problems of the steps it could not perform.
 */
final class ScheduleAttempt {
    /**
     * How often the engine alternates between the worker's replies and the kernel: a cadence, never a verdict. A wait
     * starts with {@link #FIRST_LOOK} and doubles up to {@link #LOOK}: most ops answer in well under a millisecond, and
     * one that blocks is seen asleep in its lock wait soon after. With a fixed 5 ms look, every blocked async step cost
     * at least 5 ms and every confirmed-stuck one 10 ms, against round trips of 30 µs on the qt column.
     */
    private static final Duration LOOK = Duration.ofMillis(5);
    private static final Duration FIRST_LOOK = Duration.ofNanos(250_000);
    private final RunContext run;
    private final WorkerCommands commands;
    private final Map<String, Environment> environments;
    private final ScheduleRunner.Timing timing;
    private final Schedule schedule;
    private final String prefix;
    private final History history = new History();
    private final long start = System.nanoTime();
    private final KernelWait kernel = KernelWait.forThisMachine();
    private final Map<String, WorkerProcess> workers = new LinkedHashMap<>();
    private final Map<String, Execution.WorkerInfo> infos = new LinkedHashMap<>();
    /** Host pid and host tid of each worker's op thread, as the kernel probe needs them. */
    private final Map<String, long[]> opThreads = new LinkedHashMap<>();
    private final Map<String, HistoryEvent> inFlight = new LinkedHashMap<>();
    private final Map<String, Long> inFlightSeq = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    /**
     * Workers whose death is in the history as the crash of a data access of their own (not a kill, not from outside):
     * the ops whose crash the model decides on, legal (a store into a read-only mapping, an access past a truncated end)
     * or a violation (DataRules). A crash in any other op (a sleep's, say: a fault of the worker, not of the backend)
     * leaves its later steps problems, as before.
     */
    private final java.util.Set<String> crashedInItsOwnOp = new java.util.HashSet<>();
    private static final java.util.Set<String> DATA_ACCESSES = java.util.Set.of("read", "write", "rawWrite");
    private final List<String> problems = new ArrayList<>();
    /** Why the engine is killing a worker, so its in-flight op closes with that reason rather than "crashed". */
    private final Map<String, String> dying = new LinkedHashMap<>();
    /** Workers started by a spawnChild step (seed L5), not with the schedule. */
    private final SpawnedChildren children;
    /**
     * Each second object ({@link WorkerSpec#process}) and its number in its host's process (WorkerProtocol's {@code obj}:
     * 1, 2, ... in declaration order). It has no process of its own: its steps go to the host's, whose one op at a time
     * and one death it shares.
     */
    private final Map<String, Integer> objectNumbers = new LinkedHashMap<>();
    /** Every worker name by the worker whose process it lives in: the host first, then its second objects. */
    private final Map<String, List<String>> objectsByProcess = new LinkedHashMap<>();
    private long seq;
    /** The System V objects listed before the execution's first step, where its objects are keyed by key files. */
    private java.util.Set<String> objectsBefore = java.util.Set.of();
    /** Whether the execution's System V objects are keyed by key files in the host's namespace (KeyFileTurns#needsTurn). */
    private boolean lookAtKeys;
    /** When no worker of the execution could make or set a semaphore set ({@link Ledger#foreignAtKeysOf}). */
    private final QuietSeconds quiet = new QuietSeconds();
    /** Between the execution's first step and its last one's answer (QuietSeconds: never outside). */
    private boolean inSteps;
    /**
     * A worker may run code outside an op from now on, so no second after is quiet: one sent an {@code exit} step (Qt's
     * destructors run until it ends), a {@code spawnChild}'s child (one that never said hello is no worker of the
     * schedule), or a worker whose death was seen but not its end (not reaped).
     */
    private boolean mayRunOutsideAnOp;

    /** Dates a change of the execution's quiet ({@link QuietSeconds}): after an answer, before a request. */
    private void noteQuiet() {
        quiet.now(inSteps && !mayRunOutsideAnOp && inFlight.values().stream().allMatch(e -> "sleep".equals(e.f())));
    }

    /** Every process of a worker, A2's host once: a host pid each, as the kernel lists creators. */
    private final java.util.Set<WorkerProcess> everyProcess = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The host pids of the execution's worker processes; empty if one is not known (no creator test then). */
    private java.util.Set<Long> workerPids() {
        java.util.Set<Long> pids = new java.util.HashSet<>();
        for (WorkerProcess w : everyProcess) {
            java.util.OptionalLong pid = w.hostPid();
            if (pid.isEmpty()) {
                return java.util.Set.of();
            }
            pids.add(pid.getAsLong());
        }
        return pids;
    }

    /**
     * The uids the execution's workers run as (the harness's own for a worker of no user): a name of the execution in
     * /dev/shm that another uid owns is another user's ({@link ForeignNames}).
     */
    private java.util.Set<Integer> workerUids() {
        if (workerUids == null) { // asked at every create that met AlreadyExists and at the end: made once
            java.util.Set<Integer> uids = new java.util.HashSet<>();
            for (WorkerSpec w : schedule.workers()) {
                try {
                    uids.add(Users.uid(w.user()));
                } catch (IOException e) {
                    // no such user: no worker of it ran, and nothing is its
                }
            }
            workerUids = java.util.Set.copyOf(uids);
        }
        return workerUids;
    }

    private java.util.Set<Integer> workerUids;

    /** What {@link ForeignNames} finds at the execution's names in /dev/shm, as problems; forgotten when {@code last}. */
    private void lookAtNames(boolean last) {
        ForeignNames names = run.foreignNames();
        if (names != null) {
            for (String f : names.at(prefix, workerUids(), last)) {
                addProblem(Execution.FOREIGN_OBJECT + f);
            }
        }
    }

    /** The execution's columns (its workers' impls), whose backends {@link ForeignHolders} asks. */
    private final java.util.Set<String> columns;
    /** The keys the execution's objects were given, as sent: what {@link ForeignHolders} asks the backends about. */
    private final java.util.Set<String> keysSent = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** What other programs hold at the execution's names, by its columns' backends' looks ({@link ForeignHolders}). */
    private void lookAtHolders() {
        for (String f : ForeignHolders.of(columns, prefix, keysSent, workerPids())) {
            addProblem(Execution.FOREIGN_OBJECT + f);
        }
    }

    /** The run's pool, when workers are reused (WorkerPool.serves); null: every worker starts fresh and exits at the end. */
    private final WorkerPool pool;
    /**
     * Schedules of this runner that run side by side (a fuzz campaign's lanes): the pool keeps workers for as many; 0 when
     * no schedule after this one uses its workers (no spare is started for them: {@link ScheduleRunner#withoutSpares}).
     */
    private final int lanes;
    /** Spares the pool keeps ready beyond what this schedule uses ({@link ScheduleRunner#withoutReserve}). */
    private final int reserve;
    /**
     * The schedule's workers (spawned children included: the schedule names them) whose column's lock is a System V set
     * ({@link KeyFileTurns#lockIsASystemVSet}), for {@link #mayLeaveAnUndo}.
     */
    private final java.util.Set<String> systemVLockers;
    /**
     * The IPC namespaces of environments' own this schedule's groups use: counted as used from its start until its workers
     * are given back ({@link EnvironmentUsers}), and what is left in them is removed after it, only while no schedule uses
     * them ({@link OwnNamespaceReaper}).
     */
    private final java.util.Set<OwnNamespaceReaper.Namespace> ownNamespaces;
    /** Workers that answered an {@code exit} step: they end by themselves, as asked. */
    private final java.util.Set<String> exitedAsAsked = new java.util.HashSet<>();
    /** The pooled process behind each worker name that came from the pool. */
    private final Map<String, WorkerPool.Pooled> borrowed = new java.util.concurrent.ConcurrentHashMap<>();

    ScheduleAttempt(RunContext run, WorkerCommands commands, Map<String, Environment> environments, ScheduleRunner.Timing timing,
                    Schedule schedule, String prefix, WorkerPool pool, int lanes, int reserve) {
        this.pool = pool;
        this.lanes = lanes;
        this.reserve = reserve;
        this.run = run;
        this.commands = commands;
        this.environments = environments;
        this.timing = timing;
        this.schedule = schedule;
        this.prefix = prefix;
        this.children = new SpawnedChildren(schedule);
        for (WorkerSpec w : schedule.workers()) {
            List<String> objects = objectsByProcess.computeIfAbsent(w.processId(), p -> new ArrayList<>());
            if (w.process() != null) {
                objectNumbers.put(w.id(), objects.isEmpty() ? 1 : objects.size()); // the host comes first: [A, A2] gives A2 1
            }
            objects.add(w.id());
        }
        this.columns = schedule.workers().stream().map(WorkerSpec::impl).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.systemVLockers = schedule.workers().stream().filter(w -> KeyFileTurns.lockIsASystemVSet(w.impl()))
                .map(WorkerSpec::id).collect(java.util.stream.Collectors.toUnmodifiableSet());
        this.ownNamespaces = OwnNamespaceReaper.of(schedule, environments);
    }

    Execution execute() throws InterruptedException {
        ownNamespaces.forEach(EnvironmentUsers::enter);
        // What is there before anything of the execution is: none of it is the execution's (Ledger#foreignAtKeysOf).
        lookAtKeys = KeyFileTurns.needsTurn(schedule);
        objectsBefore = lookAtKeys ? Ledger.systemVIdsNow() : java.util.Set.of();
        try {
            if (startWorkers()) {
                int index = 0;
                inSteps = true;
                try {
                    for (Step step : schedule.steps()) {
                        perform(++index, step);
                        if (MAY_RELEASE_A_LOCK.contains(step.op()) || endedIn(step)) {
                            letWaitersIn(step.worker());
                        }
                    }
                } finally {
                    inSteps = false;
                    noteQuiet();
                }
                settle();
                for (String worker : new ArrayList<>(workers.keySet())) {
                    noticeEndedWhileIdle(worker);
                }
            }
        } catch (IOException e) {
            problems.add("harness I/O error: " + e.getMessage());
        } finally {
            Map<String, WorkerPool.Pooled> proven;
            try {
                proven = releaseAll();
            } finally {
                ownNamespaces.forEach(EnvironmentUsers::leave); // its workers are given back or gone: it uses them no more
            }
            // The workers that stay in the pool live on: what they operated last is recorded now, then reaped with the rest.
            WorkerProcess.recordOrphansLeftBy(proven.values().stream().map(WorkerPool.Pooled::process).toList());
            // Asked for every execution (its key files are forgotten then); looked at where its System V objects are keyed by
            // them in the host's namespace, before the reaper removes what a worker used last (another program's segment a
            // worker attached too). Each one met makes the execution UNKNOWN, a FAIL too (ScheduleChecker).
            Reaper.afterExecution(run, prefix, notes, () -> {
                for (String f : run.ledger().foreignAtKeysOf(prefix, lookAtKeys, objectsBefore, workerPids(), start,
                        quiet::wholeSecondQuiet)) {
                    addProblem(Execution.FOREIGN_OBJECT + f);
                }
                lookAtNames(true); // before the reaper, which leaves another user's names but removes the run's
                lookAtHolders();
            });
            java.util.Set<OwnNamespaceReaper.Namespace> setFree = OwnNamespaceReaper.reapAfter(ownNamespaces, notes);
            if (!proven.isEmpty()) {
                pool.readmit(proven, lockers(), setFree, problems.stream().anyMatch(q -> q.startsWith(Execution.FOREIGN_OBJECT)), notes);
            }
        }
        return new Execution(schedule.name(), prefix, history, Map.copyOf(infos), notes, problems);
    }

    /**
     * The threads that start or borrow a schedule's workers, kept from schedule to schedule: a thread pool made per
     * schedule cost 1.6 ms of thread starts, half of a qt fuzz schedule's start.
     */
    private static final ExecutorService STARTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "shmconform-worker-start");
        t.setDaemon(true);
        return t;
    });

    /** Starts every worker, at most {@link ScheduleRunner#maxParallelStarts()} at a time; false (with problems) if one did not. */
    private boolean startWorkers() throws InterruptedException {
        int parallel = Math.min(ScheduleRunner.maxParallelStarts(), Math.max(1, schedule.workers().size()));
        java.util.concurrent.Semaphore turns = new java.util.concurrent.Semaphore(parallel);
        Map<String, Future<WorkerProcess>> starting = new LinkedHashMap<>();
        try {
            List<WorkerSpec> started = schedule.workers().stream().filter(w -> !children.isChild(w.id()) && w.process() == null).toList();
            if (this.pool != null) {
                Map<WorkerSpec, Environment> pooled = new LinkedHashMap<>();
                for (WorkerSpec w : started) {
                    Environment environment = environments.get(w.env());
                    if (WorkerPool.serves(environment)) {
                        pooled.put(w, environment);
                    }
                }
                this.pool.expect(pooled, lanes, reserve);
            }
            for (WorkerSpec spec : started) {
                starting.put(spec.id(), STARTS.submit(() -> {
                    turns.acquire();
                    try {
                        return startWorker(spec);
                    } finally {
                        turns.release();
                    }
                }));
            }
            for (WorkerSpec spec : started) {
                try {
                    WorkerProcess wp = starting.get(spec.id()).get();
                    workers.put(spec.id(), wp);
                    everyProcess.add(wp);
                    Hello hello = wp.hello();
                    if (hello == null) {
                        problems.add("worker " + spec.id() + " (" + spec.impl() + " in " + spec.env() + ") did not say hello; see "
                                + run.logs().resolve(logName(spec)));
                        continue;
                    }
                    long pid = hello.pid();
                    watchOpThread(spec.id(), wp, hello);
                    Map<String, String> namespaces = new LinkedHashMap<>(environments.get(spec.env()).namespaces(spec.group()));
                    namespaces.put("tmpdir", spec.tmpdir() == null ? "run" : spec.tmpdir()); // System V key files live there
                    infos.put(spec.id(), new Execution.WorkerInfo(spec.id(), spec.impl(), spec.env(), pid, spec.user(),
                            namespaces, hello.impl(), null));
                } catch (java.util.concurrent.ExecutionException e) {
                    problems.add("worker " + spec.id() + " could not start: " + e.getCause());
                }
            }
            for (WorkerSpec guest : schedule.workers()) {
                if (guest.process() != null && infos.containsKey(guest.process())) {
                    // A second object: its host's process, pid and op thread, under its own name.
                    Execution.WorkerInfo host = infos.get(guest.process());
                    workers.put(guest.id(), workers.get(guest.process()));
                    if (opThreads.containsKey(guest.process())) {
                        opThreads.put(guest.id(), opThreads.get(guest.process()));
                    }
                    infos.put(guest.id(), new Execution.WorkerInfo(guest.id(), host.impl(), host.env(), host.pid(), host.user(),
                            host.namespaces(), host.helloImpl(), null));
                }
            }
            return problems.isEmpty();
        } finally {
            starting.values().forEach(f -> f.cancel(true)); // interrupted: no start goes on for a schedule that ends
        }
    }

    /** A worker its parent started (spawnChild): from its hello on, a worker of the schedule like the others. */
    private void registerChild(WorkerSpec spec, WorkerProcess wp, Hello hello) {
        // Dated from its hello, as a worker in a container: what it makes or uses is the run's only by its own proof.
        wp.recordOrphansIn(run.ledger());
        workers.put(spec.id(), wp);
        everyProcess.add(wp);
        watchOpThread(spec.id(), wp, hello);
        Map<String, String> namespaces = new LinkedHashMap<>(environments.get(spec.env()).namespaces(spec.group()));
        namespaces.put("tmpdir", spec.tmpdir() == null ? "run" : spec.tmpdir());
        infos.put(spec.id(), new Execution.WorkerInfo(spec.id(), spec.impl(), spec.env(), hello.pid(), spec.user(),
                namespaces, hello.impl(), null));
    }

    private WorkerSpec spec(String worker) {
        return schedule.workers().stream().filter(w -> w.id().equals(worker)).findFirst().orElseThrow();
    }

    /** Maps the hello's tid (in the worker's pid namespace) to the host tid the kernel probe reads. */
    private void watchOpThread(String worker, WorkerProcess wp, Hello hello) {
        long nsTid = hello.tid() > 0 ? hello.tid() : -1;
        String unknown = kernel == null ? KernelWait.unsupportedReason()
                : nsTid < 0 ? "its hello has no tid"
                : wp.hostPid().isEmpty() ? "its host pid is unknown" : null;
        if (unknown == null) {
            long hostPid = wp.hostPid().getAsLong();
            kernel.hostTid(hostPid, nsTid).ifPresent(tid -> opThreads.put(worker, new long[] {hostPid, tid}));
            unknown = opThreads.containsKey(worker) ? null : "no thread of pid " + hostPid + " has tid " + nsTid + " in its namespace";
        }
        if (unknown != null) {
            // Not a problem yet: only a wait that needs the kernel's word ends UNKNOWN, with this reason.
            notes.add("the kernel cannot be asked about worker " + worker + ": " + unknown);
        }
    }

    private WorkerProcess startWorker(WorkerSpec spec) throws IOException, InterruptedException {
        Environment environment = environments.get(spec.env());
        if (pool != null && WorkerPool.serves(environment)) {
            WorkerPool.Pooled p = pool.borrow(spec, environment, run.logs().resolve(logName(spec)), timing.startDeadline());
            borrowed.put(spec.id(), p);
            return p.process();
        }
        WorkerHandle handle = environment.start(commands.command(spec.impl(), spec.user(), spec.tmpdir()), spec.group());
        WorkerProcess wp = new WorkerProcess(spec.id(), handle, run.logs().resolve(logName(spec)));
        wp.recordOrphansIn(run.ledger()); // a process started here: from before it can act
        wp.awaitHello(timing.startDeadline());
        wp.recordOrphansIn(run.ledger()); // a worker in a container: once it has its pid and before it is asked anything
        return wp;
    }

    private String logName(WorkerSpec spec) {
        return prefix + "-" + spec.id() + ".stderr.log";
    }

    private void perform(int index, Step step) throws InterruptedException, IOException {
        String what = "step " + index + " (" + step.op() + " by " + step.worker() + ")";
        WorkerProcess wp = workers.get(step.worker());
        if (wp == null) {
            problems.add(what + " not performed: " + (children.isChild(step.worker())
                    ? step.worker() + " was never started (its spawnChild did not start it)" : "the schedule has no worker " + step.worker()));
            return;
        }
        if (!"kill".equals(step.op())) {
            // A kill does not wait: it may be what ends a blocked op. Any other step waits for every op of the process
            // (its other objects' too: a worker process does one op at a time, so the request would only queue behind one
            // blocked, and the engine would wait for a reply that cannot come); one still blocked ends with the process.
            for (String object : objectsOf(step.worker())) {
                awaitInFlight(object);
            }
        }
        noticeEndedWhileIdle(step.worker());
        Integer exit = infos.get(step.worker()).exitStatus();
        if (exit != null && crashedInItsOwnOp.contains(step.worker())) {
            // Its crash is in the history, the outcome of a data access of its own that the model judges (a crash where
            // none may come is a violation, DataRules): a process that no longer exists takes no step, and
            // no other process's step was left out, so nothing that could have happened went unseen. A generator that
            // follows the documentation gives such steps where the backend deviated first: fuzz qt68-sysv-safe, a
            // mutant, beside a verify: Qt 6.8's attach(k_1, ReadOnly) succeeded after its create(k_1, 0) failed,
            // the rawWrite given to that read-only attach crashed it (SIGSEGV), and its two later steps made the
            // schedule UNKNOWN, the run's summary FAIL, 2 of 2 replays alike.
            notes.add(what + " not performed: " + step.worker() + " had crashed in an op of its own (" + gone(step.worker(), exit) + ")");
            return;
        }
        if (exit != null) {
            problems.add(what + " not performed: " + step.worker() + " was already gone (" + gone(step.worker(), exit) + ")");
            return;
        }
        if ("kill".equals(step.op())) {
            kill(step.worker(), Ending.KILLED.note());
            return;
        }
        Optional<NativeName> nativeName = NativeName.in(step.key());
        String refused = nativeName.map(n -> NativeNames.refusal(implOf(step.worker()), n.keySpace())).orElse(null);
        if (refused != null) {
            problems.add(what + " not performed: " + refused);
            return;
        }
        if ("spawnChild".equals(step.op())) {
            String cannot = schedule.workers().stream().noneMatch(w -> w.id().equals(step.child()))
                    ? "its child " + step.child() + " is not declared" : SpawnedChildren.cannotSpawn(spec(step.worker()), wp.hostPid());
            if (cannot != null) {
                problems.add(what + " not performed: " + cannot);
                return;
            }
        }
        Request request = toRequest(step, ++seq);
        readRepliesInFlight();
        HistoryEvent invoke = history.append(invokeEvent(step));
        inFlight.put(step.worker(), invoke);
        inFlightSeq.put(step.worker(), request.seq());
        // Written before the worker can make anything under this key, so a kill of the harness cannot lose it
        // (a native name's object is the one the named key space makes for the prefixed key).
        run.ledger().intend(step.key() == null || step.key().isEmpty() ? step.key()
                : prefix + nativeName.map(NativeName::key).orElse(step.key()), run.workerTmps());
        mayRunOutsideAnOp |= "exit".equals(step.op()) || "spawnChild".equals(step.op());
        noteQuiet(); // after the intent, before the request is written
        try {
            wp.send(request);
        } catch (IOException e) {
            // The worker is gone: its death is picked up below as an info completion.
        }
        Wait end = await(step.worker(), step.noWait());
        if (end == Wait.BLOCKED && !step.noWait()) {
            notes.add(what + " blocked in a lock wait that nothing running could release: recorded as blocked");
        } else if (end == Wait.BLOCKED_AT_DEADLINE) {
            notes.add(what + " still blocked in a lock wait at the reply deadline: recorded as blocked");
        } else if (end == Wait.DEADLINE) {
            problems.add(Execution.deadlinePassed(step.worker(), step.op()) + " (" + what + ", " + whyUnconfirmed(step.worker()) + ")");
            kill(step.worker(), Ending.TIMEOUT.note());
        }
    }

    /** How a wait for an in-flight op ended. */
    private enum Wait { DONE, BLOCKED, BLOCKED_AT_DEADLINE, DEADLINE }

    /**
     * Waits for the worker's in-flight op. With {@code early} (an async step, the end of the
     * schedule) the wait ends as soon as the kernel sees the op thread asleep in a lock wait.
     * Without, it ends blocked only when nothing could still release it: every op in flight is
     * asleep in a lock wait, twice in a row, and every other worker is idle (only a running op
     * can wake a waiter, and a finished one has woken it before its reply was read). Otherwise
     * the reply, the worker's death or the deadline ends it; at the deadline the kernel decides, by the same test: the
     * op is blocked only if every op in flight is asleep in a lock wait, twice in a row (once until 2026-12-07). One that still runs (a create or detach inside
     * its locker, starved of the CPU on a busy machine) may be what holds the set and would let it in: a deadline then,
     * so UNKNOWN, never a lock that "never returned although nobody held it".
     */
    private Wait await(String worker, boolean early) throws InterruptedException {
        long deadline = System.nanoTime() + timing.replyDeadline().toNanos();
        boolean stuckBefore = false;
        Duration look = FIRST_LOOK;
        while (inFlight.containsKey(worker)) {
            if (System.nanoTime() - deadline >= 0) {
                // Two readings in a row, a look for replies between them, as before the deadline: one reading alone may
                // catch, asleep for a moment, an op that then releases the lock (a create or detach inside its locker).
                if (!inFlight.keySet().stream().allMatch(this::blocked)) {
                    return Wait.DEADLINE;
                }
                collect(worker, LOOK);
                if (!inFlight.containsKey(worker)) {
                    break;
                }
                for (String other : new ArrayList<>(inFlight.keySet())) {
                    if (!other.equals(worker)) {
                        collect(other, Duration.ZERO);
                    }
                }
                return inFlight.keySet().stream().allMatch(this::blocked) ? Wait.BLOCKED_AT_DEADLINE : Wait.DEADLINE;
            }
            collect(worker, look);
            Duration doubled = look.multipliedBy(2);
            look = doubled.compareTo(LOOK) > 0 ? LOOK : doubled;
            if (!inFlight.containsKey(worker)) {
                break;
            }
            if (early && blocked(worker)) {
                return Wait.BLOCKED;
            }
            // An op left in flight (an async lock) may have been granted meanwhile: its reply is read now, or
            // its idle worker would count as running and keep this wait from ever being confirmed stuck.
            for (String other : new ArrayList<>(inFlight.keySet())) {
                if (!other.equals(worker)) {
                    collect(other, Duration.ZERO);
                }
            }
            boolean stuck = !early && inFlight.keySet().stream().allMatch(this::blocked);
            if (stuck && stuckBefore) {
                return Wait.BLOCKED;
            }
            stuckBefore = stuck;
        }
        return Wait.DONE;
    }

    /** Whether the kernel sees the worker's op thread asleep in a lock wait right now. */
    private boolean blocked(String worker) {
        long[] t = opThreads.get(worker);
        return t != null && kernel.probe(t[0], t[1]).blockedInLockWait();
    }

    private String whyUnconfirmed(String worker) {
        long[] t = opThreads.get(worker);
        if (kernel == null) {
            return KernelWait.unsupportedReason();
        }
        return t == null ? "its op thread is unknown, so the kernel could not be asked"
                : "kernel: " + kernel.probe(t[0], t[1]).description();
    }

    /** Reads what the worker said, for up to {@code timeout}, until its in-flight op completes or it dies. */
    private void collect(String worker, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        WorkerProcess wp = workers.get(worker);
        while (inFlight.containsKey(worker)) {
            Received r = wp.poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (r == null) {
                return;
            }
            if (r.reply() == null && r.unparsable() == null) {
                Integer status = wp.reap(timing.replyDeadline());
                long since = start + inFlight.get(worker).time();
                boolean killed = dying.containsKey(worker); // kill() records the other objects' deaths itself
                String why = killed ? dying.get(worker) : endedByItself(worker, status, "during its " + inFlight.get(worker).f());
                died(worker, status, why);
                if (!killed) {
                    otherObjectsDied(worker, status, why, since);
                }
                return;
            }
            if (r.unparsable() != null) {
                continue; // e.g. the JVM's crash banner: WorkerProcess copies it to the worker's log
            }
            if (r.reply().seq() == inFlightSeq.get(worker)) {
                complete(worker, r);
            }
        }
    }

    /** Before a worker's next step: its previous op must be answered; one still blocked ends with the worker. */
    private void awaitInFlight(String worker) throws InterruptedException {
        if (!inFlight.containsKey(worker)) {
            return;
        }
        String op = inFlight.get(worker).f();
        switch (await(worker, false)) {
            case DONE -> { }
            case BLOCKED, BLOCKED_AT_DEADLINE -> kill(worker, Ending.BLOCKED.note());
            case DEADLINE -> {
                problems.add(Execution.deadlinePassed(worker, op) + " (" + whyUnconfirmed(worker) + ")");
                kill(worker, Ending.TIMEOUT.note());
            }
        }
    }

    /**
     * Whether the step's worker is gone after it: a crash in its op (a raw store into a read-only mapping, an access past
     * a truncated end) or a kill at a deadline. Its death released what it held as a kill does (CrashLetsWaitersInTest).
     */
    private boolean endedIn(Step step) {
        Execution.WorkerInfo info = infos.get(step.worker());
        return info != null && info.exitStatus() != null;
    }

    /** Steps that can hand the lock to a worker waiting for it: an unlock, a holder's death, a locker's release. */
    private static final java.util.Set<String> MAY_RELEASE_A_LOCK = java.util.Set.of("unlock", "kill", "detach", "create", "attach");

    /**
     * After a step that may have released the lock, every other op in flight is given its turn before the next step: its
     * reply is read if it was granted, or the kernel confirms it still asleep in its lock wait (as {@link #await} does
     * without {@code early}), and it stays in flight. Otherwise the next step could take the lock back before the woken
     * waiter ran: a POSIX semaphore's post does not hand its unit to the waiter it wakes, so "A unlock; A lock" while B
     * waited let A in again and left B waiting through steps the schedule gave it (fuzz qt68-posix-safe seeds 61322,
     * 61433 and 62132: UNKNOWN, "B was already gone (blocked by the engine)"). A System V semop completes the waiter's
     * operation inside the poster's, so there it changes nothing. No clock decides: a reply or the kernel does.
     */
    private void letWaitersIn(String releaser) throws InterruptedException {
        for (String worker : new ArrayList<>(inFlight.keySet())) {
            if (!worker.equals(releaser) && inFlight.containsKey(worker)) {
                String op = inFlight.get(worker).f();
                // DONE, or still blocked (left in flight). A deadline is a problem now: had the op answered later, the next
                // step's look would have found it DONE and nothing would say the history waited past its bound.
                if (await(worker, false) == Wait.DEADLINE) {
                    problems.add(Execution.deadlinePassed(worker, op) + " (" + whyUnconfirmed(worker) + ")");
                    kill(worker, Ending.TIMEOUT.note());
                }
            }
        }
    }

    /** The end of the schedule: every op still in flight is answered, or kernel-confirmed blocked, or a problem. */
    private void settle() throws InterruptedException {
        for (String worker : new ArrayList<>(inFlight.keySet())) {
            if (!inFlight.containsKey(worker)) {
                continue; // answered while another was settled
            }
            String op = inFlight.get(worker).f();
            switch (await(worker, true)) {
                case DONE -> { }
                case BLOCKED, BLOCKED_AT_DEADLINE -> kill(worker, Ending.BLOCKED.note());
                case DEADLINE -> {
                    problems.add(Execution.deadlinePassed(worker, op) + " (" + whyUnconfirmed(worker) + ")");
                    kill(worker, Ending.TIMEOUT.note());
                }
            }
        }
    }

    /**
     * The note of a death the engine did not cause ({@link WorkerDeath}): a crash where a fault of the code it ran ended
     * it; otherwise it ended from outside, and the execution has a problem that no verdict stands on, a FAIL included.
     */
    private String endedByItself(String worker, Integer status, String when) {
        WorkerProcess wp = workers.get(worker);
        if (WorkerDeath.byAFault(status, wp.crashSignal())) {
            WorkerDeath.Room room = wp.roomAtFault();
            if (WorkerDeath.noRoomForAPage(status, room)) {
                problems.add(Execution.FULL_TMPFS + worker + " ended " + when + " with " + WorkerDeath.describe(status)
                        + " when the file system of its segment had " + room + " (another program's files can fill it)");
            }
            return Ending.CRASHED.note();
        }
        problems.add(Execution.ENDED_FROM_OUTSIDE + worker + " ended " + when + " with " + WorkerDeath.describe(status)
                + " (an OOM kill, a container stopped under it, an operator's signal?)");
        return Ending.FROM_OUTSIDE.note();
    }

    /**
     * A worker found gone while no op of it was in flight, neither killed by the engine nor after its own {@code exit}:
     * its death is recorded, and a problem, since the steps of others after it may have seen what its death did (the
     * kernel released its lock's undo, detached its segments) and no step of its own explains that.
     */
    private void noticeEndedWhileIdle(String worker) throws InterruptedException {
        WorkerProcess wp = workers.get(worker);
        Execution.WorkerInfo info = infos.get(worker);
        if (wp == null || info == null || info.exitStatus() != null || inFlight.containsKey(worker) || dying.containsKey(worker)
                || exitedAsAsked.contains(worker) || !wp.gone()) {
            return;
        }
        Integer status = wp.reap(timing.replyDeadline());
        String why = endedByItself(worker, status, "between its steps");
        if (Ending.CRASHED.is(why)) {
            recordDeathBetweenSteps(worker, status);
        }
        died(worker, status, why);
        otherObjectsDied(worker, status, why, start + lastSeen(worker));
    }

    /** The time (since the start) of the last event of {@code worker}'s process, any of its objects; 0 if none. */
    private long lastSeen(String worker) {
        List<String> objects = objectsOf(worker);
        long lastSeen = 0;
        for (HistoryEvent e : history.events()) {
            if (objects.contains(e.process())) {
                lastSeen = e.time();
            }
        }
        return lastSeen;
    }

    /**
     * A crash by a fault while no op of the worker was in flight (a thread of its own, a backend's helper): a death of the
     * history's like a kill's, which the kernel's exit effects follow, at some moment after the worker's last event and
     * before now. With no event, the model took it for alive, still holding its lock and attached: the run could PASS
     * with a worker crashed, and a peer that the death let through (a lock granted on its undo) was a FAIL of another
     * property.
     */
    private void recordDeathBetweenSteps(String worker, Integer status) {
        long lastSeen = lastSeen(worker);
        String note = Ending.CRASHED.note() + " between its steps";
        history.append(new EventBuilder(start, Nemesis.PROCESS, EventType.invoke, Nemesis.KILL).at(start + lastSeen).value(worker)
                .note(note).build());
        history.append(new EventBuilder(start, Nemesis.PROCESS, EventType.ok, Nemesis.KILL).value(worker).exitStatus(status)
                .note(note).build());
    }

    private String gone(String worker, int exit) {
        String why = dying.get(worker);
        return why != null ? why + " by the engine" : "ended with " + WorkerDeath.describe(exit);
    }

    /**
     * A real SIGKILL, recorded as a nemesis op; the worker's in-flight op closes as info with {@code why}. The process's
     * other objects die with it: each has a nemesis op of its own over the same kill, so the model sees them all dead.
     */
    private void kill(String worker, String why) throws InterruptedException {
        WorkerProcess wp = workers.get(worker);
        if (infos.get(worker).exitStatus() != null) {
            return;
        }
        List<String> objects = new ArrayList<>();
        objects.add(worker);
        otherObjectsOf(worker).stream().filter(o -> infos.get(o) != null && infos.get(o).exitStatus() == null).forEach(objects::add);
        readRepliesInFlight();
        for (String object : objects) {
            history.append(new EventBuilder(start, Nemesis.PROCESS, EventType.invoke, Nemesis.KILL).value(object).note(why).build());
            dying.put(object, why);
        }
        // While it is stopped, the schedule's key files that live now name what it may be making: a set made by semget
        // alone (Qt's QSystemSemaphore before its SETVAL) has no last operator to prove it by, and once a peer's re-key
        // unlinks that file before the schedule ends, nothing else would (SemgetOnlyKillTest).
        Integer status = wp.killAndReap(timing.replyDeadline(), this::observeKeyFiles);
        // A reply that raced the kill still counts: read what the worker wrote up to the end of its stdout (of the one
        // object with an op in flight, if any: a process has one at a time).
        for (String object : objects) {
            collect(object, timing.replyDeadline());
        }
        for (String object : objects) {
            died(object, status, why);
        }
        for (String object : objects) {
            history.append(new EventBuilder(start, Nemesis.PROCESS, EventType.ok, Nemesis.KILL).value(object).exitStatus(status)
                    .note(why).build());
        }
    }

    /**
     * Reads what each worker with an op in flight has said by now ({@link WorkerProcess#readWhatItSaid}), before an
     * invoke is dated. Its reply is read by the thread that waits for it, and this thread waits for one worker at a time:
     * a lock granted to another worker meanwhile (by an unlock, a holder's death) would otherwise be dated when it is next
     * looked at, after the next step's invoke, and the checker would take the two for concurrent, when the reply came
     * first. A reply that came before an invoke is dated before it, as a reader thread of its own dated it.
     */
    private void readRepliesInFlight() throws InterruptedException {
        for (String worker : inFlight.keySet()) {
            WorkerProcess wp = workers.get(worker);
            if (wp != null) {
                wp.readWhatItSaid();
            }
        }
    }

    /** The ledger's look at the schedule's key files in the run's TMPDIRs now, and at the sets nobody operated they key. */
    private void observeKeyFiles() {
        try {
            run.ledger().observeAtKill(prefix, run.workerTmps());
        } catch (RuntimeException e) {
            notes.add("ledger at a kill: " + e.getMessage());
        }
    }

    private void died(String worker, Integer status, String why) {
        WorkerPool.Pooled pooled = borrowed.get(worker);
        if (pooled != null) {
            pool.lost(pooled); // its spare starts while the schedule goes on
        }
        Execution.WorkerInfo info = infos.get(worker);
        if (info.exitStatus() == null) {
            infos.put(worker, new Execution.WorkerInfo(info.id(), info.impl(), info.env(), info.pid(), info.user(),
                    info.namespaces(), info.helloImpl(), status == null ? -1 : status));
        }
        HistoryEvent invoke = inFlight.remove(worker);
        inFlightSeq.remove(worker);
        mayRunOutsideAnOp |= status == null;
        if (status == null) {
            // Not reaped by the deadline: when its end released its lock's undo and its attachments is unknown, and a model
            // that applied its death when it was seen could blame a waiter for what the process still held.
            addProblem(Execution.END_UNCONFIRMED + worker + " (" + why + ") had not ended " + timing.replyDeadline().toMillis()
                    + " ms later");
        }
        noteQuiet(); // reaped: it makes nothing more
        if (invoke != null) {
            String signal = workers.get(worker).crashSignal();
            history.append(new EventBuilder(start, worker, EventType.info, invoke.f()).exitStatus(status)
                    .note(Ending.CRASHED.is(why) && signal != null ? Ending.CRASHED.note() : why).value(signal).build());
            if (Ending.CRASHED.is(why) && DATA_ACCESSES.contains(invoke.f())) {
                crashedInItsOwnOp.add(worker);
            }
        }
    }

    private void complete(String worker, Received r) throws InterruptedException {
        HistoryEvent invoke = inFlight.remove(worker);
        inFlightSeq.remove(worker);
        noteQuiet(); // after the answer was read
        Reply reply = r.reply();
        if ("spawnChild".equals(invoke.f())) {
            completeSpawn(worker, invoke, r);
            return;
        }
        history.append(new EventBuilder(start, worker, reply.ok() ? EventType.ok : EventType.fail, invoke.f()).at(r.nanos())
                .reply(reply).build());
        if ("exit".equals(invoke.f())) {
            exitedAsAsked.add(worker); // it ends now, as the step asked: not a death by another hand
        }
        if (mayLeaveAnUndo(worker, invoke.f())) {
            workers.get(worker).recordOrphansItLeft();
        }
        if ("create".equals(invoke.f()) && "AlreadyExists".equals(reply.error())) {
            // Another program's object may be the one met, and gone by the execution's end: looked at now.
            if (lookAtKeys) {
                for (String f : run.ledger().foreignAtKeysNow(prefix, run.workerTmps(), objectsBefore, workerPids(),
                        quiet::wholeSecondQuiet)) {
                    addProblem(Execution.FOREIGN_OBJECT + f);
                }
            }
            lookAtNames(false);
        }
        if (("create".equals(invoke.f()) || "attach".equals(invoke.f()))
                && ("AlreadyExists".equals(reply.error()) || "LockError".equals(reply.error()))
                || "attach".equals(invoke.f()) && reply.ok()) {
            // Met a holder, reached one, or waited in vain for a claim: another program's may be the one met, and gone by
            // the end (a holder that lets go between an attach's reopen and this look is still missed).
            lookAtHolders();
        }
        if (!reply.ok() && ForeignHolders.gaveUpWaiting(spec(worker).impl(), reply.errorString())) {
            addProblem(Execution.GAVE_UP_WAITING + worker + "'s " + invoke.f() + ": " + reply.errorString());
        }
    }

    /** A problem once, however many looks find it. */
    private void addProblem(String problem) {
        if (!problems.contains(problem)) {
            problems.add(problem);
        }
    }

    /**
     * Whether {@code worker} may keep a SEM_UNDO adjustment on a set after {@code op}: after a lock, an unlock (Qt's
     * retry after EIDRM may land it on a set the object never took), and, on a column whose lock is a System V set, a
     * create, attach or detach, whose locker (Qt's QSharedMemoryLocker) leaves one when that retry splits its lock and
     * release over two sets. At the worker's death, killed or ending normally, the kernel applies the adjustment and makes
     * the worker the set's last operator after its last reading, and a peer may have operated the set since, so no
     * reading finds it. Read at the reply, while the worker is its last operator, the set is recorded before anything
     * else can happen to it ({@link SetsOfLiveWorker}). Measured for the create, attach and detach: a reading at their
     * replies cost qt fuzz 0.89-0.98 times its checked ops/s and qt68-posix 0.88-1.06 (three alternated pairs each), so
     * columns whose lock is no System V set are not read there; without it a create's set escaped the reaper
     * (ASetAKilledLockerHeldIsReapedTest).
     */
    private boolean mayLeaveAnUndo(String worker, String op) {
        return "lock".equals(op) || "unlock".equals(op) || LOCKER_INSIDE.contains(op) && systemVLockers.contains(worker);
    }

    /** Ops whose Qt implementation locks and releases the key's set inside the call. */
    private static final java.util.Set<String> LOCKER_INSIDE = java.util.Set.of("create", "attach", "detach");

    /** A spawnChild ends with the child's hello (whether it attached through the inherited descriptor), not the parent's reply. */
    private void completeSpawn(String worker, HistoryEvent invoke, Received r) throws InterruptedException {
        SpawnedChildren.Outcome o = children.finish(invoke.child(), r.reply(), r.nanos(), workers.get(worker).hostPid(),
                timing.startDeadline());
        if (o.started()) {
            registerChild(spec(invoke.child()), o.child(), o.hello());
        }
        if (o.problem() != null) {
            problems.add("spawnChild by " + worker + ": " + o.problem());
            history.append(new EventBuilder(start, worker, EventType.info, invoke.f()).at(o.nanos()).note(Ending.TIMEOUT.note()).build());
            return;
        }
        Reply reply = o.reply();
        EventBuilder done = new EventBuilder(start, worker, reply.ok() ? EventType.ok : EventType.fail, invoke.f()).at(o.nanos()).reply(reply);
        if (o.note() != null && reply.protocolError() == null) {
            done.note(o.note());
        }
        history.append(done.build());
    }

    /**
     * The end of the schedule: a fresh worker is asked to exit; a pooled one is given back, and is reused
     * only if it proves clean ({@link WorkerPool#giveBack}). A borrowed worker the start-up left out of
     * {@code workers} (another failed to start) is given back too. Spawned children go first: each is
     * pinned by its pidfd, whoever its parent is by then.
     *
     * @return the pooled workers that proved clean so far, by name
     */
    private Map<String, WorkerPool.Pooled> releaseAll() throws InterruptedException {
        Map<String, WorkerPool.Pooled> proven = new LinkedHashMap<>();
        children.releaseUnfinished();
        for (Map.Entry<String, WorkerProcess> w : workers.entrySet()) {
            if (children.isChild(w.getKey())) { // (a spawned child has no second object: ScheduleValidation)
                w.getValue().shutdown(Duration.ofSeconds(5));
            }
        }
        for (Map.Entry<String, WorkerProcess> e : workers.entrySet()) {
            // A second object's process is its host's, shut down (or given back) under the host's name.
            if (!children.isChild(e.getKey()) && !borrowed.containsKey(e.getKey()) && !objectNumbers.containsKey(e.getKey())) {
                e.getValue().shutdown(Duration.ofSeconds(5));
            }
        }
        Map<String, String> whyNot = new LinkedHashMap<>(); // every reset is sent before any reply is read
        for (Map.Entry<String, WorkerPool.Pooled> e : borrowed.entrySet()) {
            whyNot.put(e.getKey(), pool.sendBack(e.getValue(), notReusable(e.getKey(), e.getValue().process())));
        }
        for (Map.Entry<String, WorkerPool.Pooled> e : borrowed.entrySet()) {
            String name = e.getKey();
            WorkerPool.Pooled p = pool.giveBack(e.getValue(), name, whyNot.get(name), notes);
            if (p != null) {
                proven.put(name, p);
            }
        }
        return proven;
    }

    /** Why the schedule itself rules a worker out of reuse, or null. */
    private String notReusable(String name, WorkerProcess wp) {
        Execution.WorkerInfo info = infos.get(name);
        if (info == null || wp.hello() == null) {
            return "it did not start properly";
        }
        if (dying.containsKey(name)) {
            return "the engine killed it (" + dying.get(name) + ")";
        }
        if (info.exitStatus() != null || wp.gone()) {
            return "it died during the schedule";
        }
        if (inFlight.containsKey(name)) {
            return "an operation of it was still in flight";
        }
        for (String other : otherObjectsOf(name)) {
            if (inFlight.containsKey(other) || dying.containsKey(other)) {
                return "an operation of its object " + other + " was still in flight, or the engine killed it";
            }
        }
        if (wp.strayOutput() || wp.crashSignal() != null) {
            return "it wrote on stdout something that is not the protocol";
        }
        return null; // a step not performed because another worker was gone says nothing about this one: the proof decides
    }

    /** Workers that issued an op that may leave them a System V semaphore adjustment ({@link #mayLeaveAnUndo}). */
    private java.util.Set<String> lockers() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Step step : schedule.steps()) {
            if (mayLeaveAnUndo(step.worker(), step.op())) {
                // A second object's undo is its host process's.
                names.add(schedule.workers().stream().filter(w -> w.id().equals(step.worker())).findFirst()
                        .map(WorkerSpec::processId).orElse(step.worker()));
            }
        }
        return names;
    }

    private Request toRequest(Step step, long seqNo) throws IOException {
        Request request = toRequestOfObjectZero(step, seqNo);
        return request.toObject(objectNumbers.getOrDefault(step.worker(), 0));
    }

    /** The worker names whose objects live in {@code worker}'s process: its host first, then the second objects. */
    private List<String> objectsOf(String worker) {
        String process = objectNumbers.containsKey(worker) ? spec(worker).process() : worker;
        return objectsByProcess.getOrDefault(process, List.of(worker));
    }

    /** {@code worker}'s process's other objects. */
    private List<String> otherObjectsOf(String worker) {
        return objectsOf(worker).stream().filter(o -> !o.equals(worker)).toList();
    }

    /**
     * {@code worker}'s process ended, and its other objects with it: each one's death is recorded as a kill's (a nemesis
     * pair from {@code since}, the moment the process may have ended from, to now), so that the model sees every object of
     * the process dead and the kernel's per-process effects (a System V set's undo, the detaches) at that death.
     */
    private void otherObjectsDied(String worker, Integer status, String why, long since) {
        for (String other : otherObjectsOf(worker)) {
            Execution.WorkerInfo info = infos.get(other);
            if (info == null || info.exitStatus() != null) {
                continue;
            }
            String note = why + " (the process of " + worker + ", which it lives in, ended)";
            history.append(new EventBuilder(start, Nemesis.PROCESS, EventType.invoke, Nemesis.KILL).at(since).value(other)
                    .note(note).build());
            died(other, status, why);
            history.append(new EventBuilder(start, Nemesis.PROCESS, EventType.ok, Nemesis.KILL).value(other).exitStatus(status)
                    .note(note).build());
        }
    }

    private Request toRequestOfObjectZero(Step step, long seqNo) throws IOException {
        Op op = Op.valueOf(step.op());
        String key = step.key() == null ? null : step.key().isEmpty() ? "" : prefix + step.key();
        Optional<NativeName> nativeName = NativeName.in(step.key());
        WorkerSpec spec = spec(step.worker());
        if (nativeName.isPresent()) {
            // setNativeKey with the name a program of that key space uses for the run's key (seed N17).
            key = NativeNames.resolve(nativeName.get().keySpace(), prefix + nativeName.get().key(),
                    run.workerTmp(spec.tmpdir(), spec.user()));
        } else if (key != null && !key.isEmpty()) {
            key = NativeNames.plainKey(spec.impl(), key, () -> run.workerTmp(spec.tmpdir(), spec.user()));
        }
        if (key != null && !key.isEmpty()) {
            keysSent.add(key);
        }
        Args args = step.args().withKey(key);
        if (op == Op.spawnChild) {
            // The child's id stays with the engine; the parent gets where the child's stdin, stdout and stderr are.
            WorkerSpec child = spec(step.child());
            Path base = children.prepare(run, prefix, child, run.logs().resolve(logName(child)));
            return new Request(seqNo, op, args.withChild(null).withPath(base.toString()));
        }
        if (step.args().path() == null) {
            return new Request(seqNo, op, args);
        }
        if (op == Op.placement || op == Op.placeIn) {
            // A schedule names a directory (seeds M6, L1, L2, L4); the worker gets the path it stands for here.
            if (op == Op.placeIn && !PlacementDirectories.WRITABLE.contains(step.args().path())) {
                throw new IOException("placeIn " + step.args().path() + ": the run puts files only in "
                        + PlacementDirectories.WRITABLE);
            }
            try {
                return new Request(seqNo, op, args.withPath(run.placementDirectory(step.args().path()).toString()));
            } catch (IllegalStateException | java.io.UncheckedIOException e) {
                throw new IOException("placement directory " + step.args().path() + ": " + e.getMessage(), e);
            }
        }
        // A schedule names a hand-over socket; the worker gets the path of ours it stands for, and a peer's uid.
        args = args.withPath(run.handOverSocket(prefix, step.args().path()).toString()).withPeer(null);
        Integer peerUid = op == Op.serveFd ? Users.uid(step.args().peer() != null ? step.args().peer() : userOf(step.worker())) : null;
        return new Request(seqNo, op, args, peerUid);
    }

    private String userOf(String worker) {
        // Not map(user).findFirst(): a worker of the harness's own user has a null user, which findFirst cannot carry.
        return schedule.workers().stream().filter(w -> w.id().equals(worker)).findFirst().map(WorkerSpec::user).orElse(null);
    }

    private String implOf(String worker) {
        return spec(worker).impl();
    }

    /** The invoke as the schedule wrote it: the logical key, not the run's prefixed one. */
    private HistoryEvent invokeEvent(Step step) {
        return new EventBuilder(start, step.worker(), EventType.invoke, step.op()).args(step.args()).build();
    }
}
