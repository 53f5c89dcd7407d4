package org.shmconform.engine;

import org.shmconform.backends.host.KernelWait;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.backends.host.PipeLines;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Hello;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * The engine's side of one worker: sends requests, reads its replies (each dated when it was read), copies stderr to a
 * log file, and notices the worker's death. A reply is read by the thread that waits for it, from a read end of the
 * worker's stdout the harness owns ({@link WorkerHandle#stdoutLines}); where the handle has only a stream (a container's
 * worker), a thread of its own reads it into a queue.
 */
public final class WorkerProcess {
    /** What it said: a reply, or the end of stdout (the worker died or exited), dated when it was read. */
    public record Received(Reply reply, long nanos, String unparsable) {
        boolean isEnd() {
            return reply == null && unparsable == null;
        }
    }

    private final String id;
    private final WorkerHandle handle;
    private final OutputStream toWorker;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /**
     * Its stdout, read by whichever thread waits for a reply; null where the handle has only a stream, which a reader
     * thread reads into {@link #received}. Its monitor guards the reading and {@link #endTaken}.
     */
    private final PipeLines lines;
    /** The end of its stdout was handed out: as from the reader thread's queue, it is handed out once. */
    private boolean endTaken;
    private Hello hello;
    private volatile String crashSignal;
    /** What a Qt worker's SIGBUS banner said of its segment's file system, or null (see {@link #roomAtFault()}). */
    private volatile WorkerDeath.Room roomAtFault;
    /** Where its stderr goes now: a pooled worker's log follows it from schedule to schedule ({@link #logTo}). */
    private volatile Path stderrLog;
    /** It wrote something on stdout that is not a protocol line (a crash banner, stray output). */
    private volatile boolean strayOutput;
    private Integer exitStatus;
    /**
     * Read after its handle started: the kernel gave the started process its pid before this (a local process's pid is
     * the worker's; the Qt 6.8 launcher execs into it).
     */
    private final long startedMillis = System.currentTimeMillis();
    /** A moment at which the worker already had its pid (see recordOrphansIn). */
    private volatile long heldPidSinceMillis;
    /** Where what it operated last or made is recorded before it ends; null: not proven so (see recordOrphansIn). */
    private volatile Ledger orphansLedger;
    /** This harness's own IPC namespace, whose System V objects /proc/sysvipc lists (objectsListedElsewhere). */
    private static final String HARNESS_IPC_NAMESPACE = ipcNamespaceOf("self");
    /** See {@link #objectsListedElsewhere()}. */
    private volatile boolean objectsListedElsewhere;
    /**
     * The segments that existed once it had its pid, with their last attacher or detacher then (read in recordOrphansIn):
     * none of them is its creation.
     */
    private volatile Map<Integer, Integer> segmentsBeforeIt = Map.of();
    /** The semaphore sets that existed once it had its pid, with their last operator then (read in recordOrphansIn). */
    private volatile Map<Integer, Integer> setsBeforeIt = Map.of();

    public WorkerProcess(String id, WorkerHandle handle, Path stderrLog) {
        this(id, handle, stderrLog, true);
    }

    /**
     * As {@link #WorkerProcess(String, WorkerHandle, Path)}, with its log made empty at once only if {@code logMadeNow};
     * otherwise it is made when the worker first writes there, as a pooled worker's per-schedule log ({@link #logTo}).
     */
    public WorkerProcess(String id, WorkerHandle handle, Path stderrLog, boolean logMadeNow) {
        this.id = id;
        this.handle = handle;
        this.toWorker = handle.stdin();
        this.stderrLog = stderrLog;
        if (logMadeNow) {
            touch(stderrLog);
        }
        this.lines = handle.stdoutLines();
        if (lines == null) {
            Thread reader = new Thread(this::readReplies, "worker-" + id + "-stdout");
            reader.setDaemon(true);
            reader.start();
        }
        Thread logger = new Thread(this::copyStderr, "worker-" + id + "-stderr");
        logger.setDaemon(true);
        logger.start();
    }

    public String id() {
        return id;
    }

    /**
     * Before it ends (killed, shut down) and whenever the engine asks ({@link #recordOrphansItLeft}), the semaphore
     * sets it was the last to operate and the segments it made or attached or detached last go into {@code ledger}.
     * Call it before the worker is asked anything (the segments listed now are not its own), and once more after its
     * hello: a process started here has the worker's pid from the start ({@link WorkerHandle#hasItsPidFromTheStart}),
     * and is dated from then; a worker elsewhere (in a container) may get its pid after this object is made, so it is
     * dated from its hello, when it has its pid and has done nothing yet. A no-op once it took, and for a worker whose
     * objects are listed in another IPC namespace ({@link #objectsListedElsewhere()}).
     */
    void recordOrphansIn(Ledger ledger) {
        if (orphansLedger != null || !handle.hasItsPidFromTheStart() && hello == null) {
            return;
        }
        if (!objectsListedElsewhere) {
            readWhereItsObjectsAreListed(); // a worker forked by a fork server in its namespace is there from the start
        }
        if (objectsListedElsewhere) {
            return; // nothing of it to prove in this listing (recordOrphansLeftBy)
        }
        long since = handle.hasItsPidFromTheStart() ? startedMillis : System.currentTimeMillis();
        try {
            SysVReading now = SysVReading.now();
            segmentsBeforeIt = now.segmentLastUsers();
            setsBeforeIt = now.setLastOperators();
        } catch (RuntimeException e) {
            return; // no listing, no proof of creation: nothing is recorded for it
        }
        heldPidSinceMillis = since;
        orphansLedger = ledger;
    }

    /**
     * Records, while they live, what each of {@code workers} left (see {@link #recordOrphansItLeft()}), from one
     * reading of the kernel's objects for all of them.
     */
    static void recordOrphansLeftBy(Collection<WorkerProcess> workers) {
        List<WorkerProcess> listedHere = workers.stream().filter(w -> w.orphansLedger != null && !w.objectsListedElsewhere())
                .toList();
        if (listedHere.isEmpty()) {
            return;
        }
        SysVReading now;
        try {
            now = SysVReading.now();
        } catch (RuntimeException | LinkageError e) {
            return; // no listing, no proof: the key-file ledger and the reaper's other ways remain
        }
        listedHere.forEach(w -> w.recordOrphansItLeft(now));
    }

    /**
     * Whether what the worker makes lives in another IPC namespace than the one whose listing this harness reads
     * (/proc/sysvipc): an own-namespace lane's worker, or a container's with IPC of its own. None of its objects shows in
     * that listing, so nothing of it can be proven or recorded there, and its namespace's end removes them. Read when its
     * proof would start (a worker forked by a fork server in its namespace is there from the start) and again at its hello
     * (its entry into the namespace done, its pid its own); false where that could not be read.
     */
    boolean objectsListedElsewhere() {
        return objectsListedElsewhere;
    }

    private void readWhereItsObjectsAreListed() {
        java.util.OptionalLong pid = hostPid();
        String its = pid.isPresent() ? ipcNamespaceOf(Long.toString(pid.getAsLong())) : null;
        objectsListedElsewhere = its != null && HARNESS_IPC_NAMESPACE != null && !its.equals(HARNESS_IPC_NAMESPACE);
    }

    /** The IPC namespace of /proc/{@code pid} as its link names it ("ipc:[4026531839]"), or null. */
    private static String ipcNamespaceOf(String pid) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc", pid, "ns", "ipc")).toString();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Records, while it lives, the semaphore sets it operated last ({@link SetsOfLiveWorker}) and the segments it made
     * or used last ({@link SegmentsOfLiveWorker}); a no-op once it is reaped.
     */
    void recordOrphansItLeft() {
        recordOrphansLeftBy(List.of(this));
    }

    private void recordOrphansItLeft(SysVReading now) {
        pinItsPidHold();
        Ledger ledger = orphansLedger;
        java.util.OptionalLong pid = hostPid();
        if (ledger == null || pid.isEmpty()) {
            return;
        }
        try (Pidfd pinned = Pidfd.open(pid.getAsLong())) {
            // Pinned, then asked whether the pidfd holds this worker and not a later holder of its number (WorkerHandle#pins).
            if (pinned != null && handle.pins(pinned)) {
                ledger.recordProvenOfLiveWorker(provenOf(now, pinned, pid.getAsLong(), heldPidSinceMillis, setsBeforeIt,
                        segmentsBeforeIt, ledger.startSecond()), creators(now));
            }
        } catch (RuntimeException | LinkageError e) {
            // no proof, nothing recorded: the key-file ledger and the reaper's other ways remain
        }
    }

    /** Each segment's creator in {@code now}, by id. */
    private static Map<Integer, Integer> creators(SysVReading now) {
        Map<Integer, Integer> creators = new java.util.HashMap<>();
        now.segments().forEach(s -> creators.put(s.id(), s.cpid()));
        return creators;
    }

    /**
     * The System V objects the live process {@code pinned} ({@code pid}) is proven to have made or used last since
     * {@code sinceMillis}, a moment it already had its pid: the sets it operated last or waits on ({@link SetsOfLiveWorker})
     * and the segments it made, attached or detached last ({@link SegmentsOfLiveWorker}), given the last users of each
     * object read at that moment ({@code setsBefore}, {@code segmentsBefore}).
     */
    static List<SysVObjects.Obj> provenOf(SysVReading now, Pidfd pinned, long pid, long sinceMillis, Map<Integer, Integer> setsBefore,
                                          Map<Integer, Integer> segmentsBefore, long runStartSecond) {
        List<SysVObjects.Obj> proven = new ArrayList<>();
        SetsOfLiveWorker.lastOperatedBy(now, pinned, sinceMillis, setsBefore, runStartSecond).forEach(set -> proven.add(set.obj()));
        if (KERNEL != null) {
            SetsOfLiveWorker.waitedOnBy(now, pinned, () -> KERNEL.semaphoreSetsInSemop(pid), runStartSecond)
                    .forEach(set -> proven.add(set.obj()));
        }
        SegmentsOfLiveWorker.madeOrUsedLastBy(now, pinned, sinceMillis, segmentsBefore, runStartSecond)
                .forEach(segment -> proven.add(segment.obj()));
        return proven;
    }

    /**
     * Whether {@code child}, a child process of the worker, is the helper its harness left it to hold its pid
     * ({@link org.shmconform.engine.launch.PidHold}): no child of its own doing (WorkerCleanCheck).
     */
    boolean isItsPidHoldHelper(long child) {
        pinItsPidHold();
        org.shmconform.engine.launch.PidHold hold = handle.pidHold();
        return hold != null && hold.isItsHelper(child);
    }

    /** Waits for the hello line; null if the worker died, said nothing in time, or its first line was no hello. */
    public Hello awaitHello(Duration timeout) throws InterruptedException {
        Received first = poll(timeout);
        hello = first == null || first.reply() == null ? null : first.reply().value(Hello.class);
        pinItsPidHold();
        if (hello != null) {
            readWhereItsObjectsAreListed();
        }
        return hello;
    }

    /**
     * Pins the helper that keeps its pid its own past its death ({@link org.shmconform.engine.launch.PidHold}), while the
     * handle says the pid is still the worker's; a no-op once pinned, or where it has none. By its hello the shell that
     * started it has long left its helper behind (a JVM or Qt start takes far longer than a fork and an exec); where not,
     * a later look pins it.
     */
    private void pinItsPidHold() {
        org.shmconform.engine.launch.PidHold hold = handle.pidHold();
        java.util.OptionalLong pid = hostPid();
        if (hold != null && pid.isPresent()) {
            try {
                hold.pin(pid.getAsLong(), handle::isAlive);
            } catch (RuntimeException | LinkageError e) {
                // no helper pinned: nothing is proven after its death
            }
        }
    }

    /** The worker's pid in the harness's pid namespace, looked up once it said hello. */
    public java.util.OptionalLong hostPid() {
        return handle.hostPid();
    }

    public Hello hello() {
        return hello;
    }

    public void send(Request request) throws IOException {
        toWorker.write((WorkerProtocol.encode(request) + "\n").getBytes(StandardCharsets.UTF_8));
        toWorker.flush();
    }

    /** The next thing the worker said, or null if nothing within the timeout. */
    public Received poll(Duration timeout) throws InterruptedException {
        if (lines == null) {
            return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            Received r = received.poll();
            if (r == null) {
                r = readLine(timeout.toNanos());
            }
            if (r != null || !endTaken) {
                return r;
            }
        }
        // Once its end was handed out nothing more comes, and the wait runs out, as a poll of the reader thread's queue does.
        long left = deadline - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        return null;
    }

    /**
     * Reads, without waiting, what the worker has said by now into the queue {@link #poll} serves first, each line dated
     * when it was read. The engine calls it for every worker with an op in flight before it dates the next event: a reply
     * that came before that event is then dated before it, as a reader thread of its own would have dated it, and the
     * checker sees the order the replies really had (a lock granted to one worker before another's next step).
     */
    public void readWhatItSaid() throws InterruptedException {
        if (lines == null) {
            return;
        }
        synchronized (lines) {
            for (Received r; (r = readLine(0)) != null; ) {
                received.add(r);
                if (r.isEnd()) {
                    return;
                }
            }
        }
    }

    /** The next reply from {@link #lines}, or its end once; null if neither came within the timeout. Holds its monitor. */
    private Received readLine(long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            PipeLines.Line line = lines.next(Math.max(0, deadline - System.nanoTime()));
            if (line == null) {
                if (lines.ended() && !endTaken) {
                    endTaken = true;
                    return new Received(null, System.nanoTime(), null);
                }
                return null;
            }
            Received r = receivedOf(line.text(), line.nanos());
            if (r != null) {
                return r;
            }
        }
    }

    /** Whether it said something after what was read (read now, kept for {@link #poll}). */
    private boolean saidMore() {
        try {
            readWhatItSaid();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !received.isEmpty();
    }

    /** What it said without waiting, as {@link #poll} gives it; null if nothing, or when interrupted (the flag kept). */
    private Received saidByNow() {
        try {
            return poll(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * From now on its stderr (and stray stdout) goes to {@code log}: a pooled worker's log per schedule, made when it
     * first writes there. Not made empty beforehand, as a started worker's is: a pooled worker says nothing in nearly
     * every schedule, and a file made on this machine's ext4 state directory cost 1-2 ms of the borrow (strace -T), one
     * per worker and schedule, and the idle log's under the pool's monitor.
     */
    public void logTo(Path log) {
        stderrLog = log;
    }

    /** A started worker has its log file from its start, empty if it says nothing. */
    private static void touch(Path log) {
        try {
            Files.write(log, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // log lost, nothing else
        }
    }

    /** Whether it ever wrote on stdout something that is not a protocol line. */
    public boolean strayOutput() {
        return strayOutput;
    }

    /** Whether it is dead or reaped. */
    public boolean gone() {
        return exitStatus != null || !handle.isAlive();
    }

    /** How often a reset's wait asks the kernel whether the worker went to sleep in a lock wait. */
    private static final Duration RESET_LOOK = Duration.ofMillis(20);
    private static final KernelWait KERNEL = KernelWait.forThisMachine();

    /**
     * The reset's reply, or null: at the timeout, or as soon as the kernel shows a thread of the worker asleep in a
     * lock wait (its object's destructor detaches under the lock, as Qt's does, and a lock whose holder died without
     * undo, or that a worker of the ended schedule still holds, is never given to it). Ending the wait early only
     * replaces the worker sooner: reuse is decided here, never a verdict.
     */
    private Received awaitReset(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = poll(Duration.ofNanos(Math.max(0, Math.min(left, RESET_LOOK.toNanos()))));
            if (r != null || left <= 0 || lockWaitOf() != null) {
                return r;
            }
        }
    }

    /** What the kernel says a thread of this worker sleeps in, if one sleeps in a lock wait; else null. */
    private String lockWaitOf() {
        java.util.OptionalLong pid = hostPid();
        if (KERNEL == null || pid.isEmpty()) {
            return null;
        }
        KernelWait.State s = KERNEL.anyThread(pid.getAsLong());
        return s.blockedInLockWait() ? s.description() : null;
    }

    /** The harness's own request ({@link WorkerProtocol.Reset}): the worker drops its object as its destructor does. */
    private void sendReset(long seq, String backend) throws IOException {
        toWorker.write((WorkerProtocol.encode(new WorkerProtocol.Reset(seq, backend)) + "\n").getBytes(StandardCharsets.UTF_8));
        toWorker.flush();
    }

    /** The seq of the reset a shutdown sends (a schedule's seqs count up from 1; exit's is Long.MAX_VALUE). */
    private static final long SHUTDOWN_RESET_SEQ = Long.MAX_VALUE - 2;

    /**
     * Sends {@code reset} and waits for its answer, whatever it says (a worker that does not know reset runs its
     * destructor at exit, as before), past late replies of ops still in flight.
     *
     * @return true once it answered or ended; false at the timeout, or as soon as a thread of it sleeps in a lock wait
     */
    private boolean droppedItsObjects(Duration timeout) throws InterruptedException {
        try {
            sendReset(SHUTDOWN_RESET_SEQ, null);
        } catch (IOException e) {
            return true; // gone: nothing is left to read
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Received r; (r = awaitReset(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) != null; ) {
            if (r.isEnd() || r.reply() != null && r.reply().seq() == SHUTDOWN_RESET_SEQ) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends the harness's {@code reset} between schedules and waits for its reply.
     *
     * @return why the worker did not answer it cleanly (no reply, another reply, objects left), or null
     */
    public String reset(long seq, Duration timeout) throws InterruptedException {
        return reset(seq, timeout, null);
    }

    /**
     * As {@link #reset(long, Duration)}, and from then on the worker serves {@code backend} (a Java worker's column; null:
     * the one it serves), which its reply must name.
     */
    public String reset(long seq, Duration timeout, String backend) throws InterruptedException {
        String unsent = sendResetNow(seq, backend);
        return unsent != null ? unsent : resetAnswered(seq, timeout, backend);
    }

    /**
     * The first half of {@link #reset}: sends it without waiting, so that several workers run their destructors side by
     * side ({@link WorkerPool#sendBack}); {@link #resetAnswered} reads the reply.
     *
     * @return why it could not be sent (something unasked was said first, or the pipe is closed), or null
     */
    public String sendResetNow(long seq) {
        return sendResetNow(seq, null);
    }

    private String sendResetNow(long seq, String backend) {
        Received stale = saidByNow();
        if (stale != null) {
            return stale.isEnd() ? "it is gone" : "it said something nobody asked for";
        }
        try {
            sendReset(seq, backend);
        } catch (IOException e) {
            return "it cannot be written to: " + e.getMessage();
        }
        return null;
    }

    /** The second half of {@link #reset}: why the worker did not answer the reset sent cleanly, or null. */
    public String resetAnswered(long seq, Duration timeout) throws InterruptedException {
        return resetAnswered(seq, timeout, null);
    }

    private String resetAnswered(long seq, Duration timeout, String backend) throws InterruptedException {
        Received r = awaitReset(timeout);
        if (r == null) {
            String asleep = lockWaitOf();
            return asleep != null ? "its reset sleeps in a lock wait (" + asleep + ": the destructor's detach waits for a lock"
                    + " nobody will release)" : "no reply to reset within " + timeout.toMillis() + " ms";
        }
        if (r.reply() == null || r.reply().seq() != seq) {
            return r.isEnd() ? "it ended instead of resetting" : "it answered reset with another line";
        }
        WorkerProtocol.Released released = r.reply().value(WorkerProtocol.Released.class);
        if (!r.reply().ok() || released == null) {
            String why = r.reply().protocolError();
            return "reset refused" + (why == null ? "" : ": " + why);
        }
        if (released.objects() != 0) {
            return "it still holds " + released.objects() + " segment object(s)";
        }
        if (backend != null && !backend.equals(released.backend())) {
            return "asked to serve " + backend + ", it serves " + released.backend();
        }
        return saidMore() ? "it said more than its reset reply" : null;
    }

    /**
     * SIGKILL and reap; returns the exit status (128+9 for a kill). Where what it operated is recorded, it is stopped
     * first, so that reading is its last word ({@link StoppedForTheLastLook}).
     */
    public Integer killAndReap(Duration timeout) throws InterruptedException {
        return killAndReap(timeout, () -> { });
    }

    /**
     * As {@link #killAndReap(Duration)}, with {@code whileStopped} run after the worker's last reading, before the
     * SIGKILL: a further look at what it may be making (the schedule's key files, {@link ScheduleAttempt}).
     */
    public Integer killAndReap(Duration timeout, Runnable whileStopped) throws InterruptedException {
        killedHere = true; // its stopped reading is its last word (see reap)
        try (Pidfd stopped = pinnedWhileItLives()) {
            if (stopped != null) {
                StoppedForTheLastLook.stop(stopped, STOP_BOUND);
            }
            recordOrphansItLeft();
            whileStopped.run();
        } finally {
            handle.kill(); // also when the wait was interrupted: a stopped worker must not be left behind
        }
        return reap(timeout);
    }

    /** How long a kill waits for the worker to stop before its last reading (a stop takes microseconds). */
    private static final Duration STOP_BOUND = Duration.ofSeconds(2);

    /** The worker pinned by a pidfd, if a reading is to be recorded for it and it is still this worker; else null. */
    private Pidfd pinnedWhileItLives() {
        java.util.OptionalLong pid = hostPid();
        if (orphansLedger == null || pid.isEmpty()) {
            return null;
        }
        try {
            Pidfd pinned = Pidfd.open(pid.getAsLong());
            if (pinned != null && !handle.pins(pinned)) {
                pinned.close();
                return null;
            }
            return pinned;
        } catch (RuntimeException | LinkageError e) {
            return null; // no pidfd: the reading is taken without the stop, as before
        }
    }

    /** Waits for the process to be gone (it died or exited by itself). */
    public Integer reap(Duration timeout) throws InterruptedException {
        if (exitStatus == null) {
            java.util.OptionalLong pid = hostPid();
            if (!killedHere && handle.pidHold() == null && pid.isPresent() && handle.awaitEndKeepingItsPid(timeout)) {
                lookAfterItsEnd(pid.getAsLong(), handle::stillHoldsItsPid); // a forked worker: unreaped, its pid is its own
            }
            exitStatus = handle.awaitExit(timeout);
            if (exitStatus != null) {
                stopReading();
            }
            org.shmconform.engine.launch.PidHold hold = handle.pidHold();
            if (exitStatus != null && hold != null) {
                if (!killedHere && pid.isPresent() && hold.pinnedPid() == pid.getAsLong()) {
                    lookAfterItsEnd(pid.getAsLong(), hold::holds);
                }
                hold.close();
            }
        }
        return exitStatus;
    }

    /** Set by the engine's kill: the reading taken while it was stopped saw all it did ({@link StoppedForTheLastLook}). */
    private volatile boolean killedHere;

    /**
     * Once it has ended by another hand than the engine's kill (SIGKILLed from outside, a crash, an exit), what it made or
     * used last is recorded from a reading taken after its end, while {@code itsPid} vouches (asked after the reading) that
     * its pid has been nobody else's since it had it: its {@link org.shmconform.engine.launch.PidHold}, or, for a forked
     * worker, its not being reaped yet. What it made inside the op it died in was seen by no reading while it lived (a
     * segment and a set made by a worker SIGKILLed from outside in its create outlived the run:
     * ObjectsOfAWorkerKilledFromOutsideTest). The proofs are those of a live worker's ({@link #provenOf}), with that
     * voucher in the place of the pinned process's life.
     */
    private void lookAfterItsEnd(long pid, java.util.function.BooleanSupplier itsPid) {
        Ledger ledger = orphansLedger;
        if (ledger == null) {
            return;
        }
        try {
            SysVReading now = SysVReading.now();
            List<SysVObjects.Obj> proven = new ArrayList<>();
            SetsOfLiveWorker.lastOperatedBy(now, pid, itsPid, heldPidSinceMillis, setsBeforeIt, ledger.startSecond())
                    .forEach(set -> proven.add(set.obj()));
            SegmentsOfLiveWorker.madeOrUsedLastBy(now, pid, itsPid, heldPidSinceMillis, segmentsBeforeIt, ledger.startSecond())
                    .forEach(segment -> proven.add(segment.obj()));
            ledger.recordProvenOfLiveWorker(proven, creators(now));
        } catch (RuntimeException | LinkageError e) {
            // no listing, no proof: nothing recorded
        }
    }

    /**
     * Asks the worker to exit the way a program ends (destructors run); kills it if it does not. Where what it operated
     * is recorded, it first drops its objects by the destructor a reset runs (the same as exit's), and the last reading
     * comes after that destructor: a detach there may open, make or operate a set whose owner is gone, and once the
     * process has exited nobody can prove that set the run's. A worker that does not answer that reset (still in an op,
     * or its destructor waits for a lock) is stopped, read and killed instead ({@link #killAndReap}); so is one given
     * no grace.
     */
    public void shutdown(Duration grace) throws InterruptedException {
        if (handle.isAlive() && (grace.isZero() || orphansLedger != null && !droppedItsObjects(grace))) {
            killAndReap(grace);
        } else if (handle.isAlive()) {
            recordOrphansItLeft();
            try {
                send(new Request(Long.MAX_VALUE, Op.exit, Args.NONE));
            } catch (IOException e) {
                // already gone: reaped below
            }
            if (handle.awaitExit(grace) == null) {
                handle.kill();
            }
        }
        reap(grace);
        handle.release();
    }

    /**
     * Gives back what the environment holds for this worker alone, once it is gone (a docker-shareable worker's own
     * container), as {@link #shutdown} does: for a worker ended by {@link #killAndReap} whose end is not a shutdown.
     */
    public void release() {
        handle.release();
    }

    /**
     * Once it is reaped: what it said last is read into the queue (a crash banner then reaches its log, as the reader
     * thread copied it), and the harness's read end of its stdout is closed, one descriptor less per ended worker.
     */
    private void stopReading() {
        if (lines == null) {
            return;
        }
        try {
            readWhatItSaid();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lines.close();
    }

    private void readReplies() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(handle.stdout(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Received r = receivedOf(line, System.nanoTime());
                if (r != null) {
                    received.add(r);
                }
            }
        } catch (IOException e) {
            // the pipe broke: the worker is gone
        } finally {
            received.add(new Received(null, System.nanoTime(), null));
        }
    }

    /** A protocol line as the reply it is; null for anything else, which goes to its log ({@link #notProtocol}). */
    private Received receivedOf(String line, long nanos) {
        if (line.startsWith("{")) {
            try {
                return new Received(WorkerProtocol.decodeReply(line), nanos, null);
            } catch (IOException e) {
                // not a reply: kept as evidence below
            }
        }
        notProtocol(line);
        return null;
    }

    /** The signal named in a JVM crash banner ("#  SIGSEGV (0xb) at pc=..."), if the worker printed one. */
    public String crashSignal() {
        return crashSignal;
    }

    /**
     * The room of the file system of the worker's segment (/dev/shm, a file-map segment's) when it faulted with SIGBUS, as
     * its banner said ("# SIGBUS (0x7) in qt_shm_worker: the file system of its segment had F bytes free of T, in pages of
     * P", written by its handler before it dies of the signal); null if it said none (a JVM, a Qt worker of System V keys).
     */
    public WorkerDeath.Room roomAtFault() {
        return roomAtFault;
    }

    /**
     * A JVM that crashes prints its fatal-error banner on stdout whatever the flags say: keep it as
     * evidence in the worker's log, remember the signal it names, and never mistake it for a reply.
     */
    private void notProtocol(String line) {
        strayOutput = true;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^#\\s+(SIG[A-Z]+) \\(0x").matcher(line);
        if (m.find()) {
            crashSignal = m.group(1);
            java.util.regex.Matcher room = ROOM_AT_FAULT.matcher(line);
            if (room.find()) {
                roomAtFault = new WorkerDeath.Room(Long.parseLong(room.group(1)), Long.parseLong(room.group(2)),
                        Long.parseLong(room.group(3)));
            }
        }
        try {
            Files.writeString(stderrLog, "[stdout] " + line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // evidence lost, the run goes on
        }
    }

    private static final java.util.regex.Pattern ROOM_AT_FAULT = java.util.regex.Pattern.compile(
            "^#\\s+SIGBUS \\(0x7\\) in qt_shm_worker: the file system of its segment had ([0-9]{1,18}) bytes free of ([0-9]{1,18}),"
                    + " in pages of ([0-9]{1,9})$");

    /** Copies stderr, chunk by chunk, to wherever its log is now. */
    private void copyStderr() {
        byte[] buf = new byte[8192];
        try (var in = handle.stderr()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                try {
                    Files.write(stderrLog, java.util.Arrays.copyOf(buf, n), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    // log lost, nothing else
                }
            }
        } catch (IOException e) {
            // the pipe broke: the worker is gone
        }
    }
}
