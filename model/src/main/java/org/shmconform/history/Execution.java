package org.shmconform.history;

import java.util.List;
import java.util.Map;

/**
 * What running a schedule produced: the history, and what the checker needs to know of each
 * worker (its backend's semantics are looked up by impl; its namespaces decide what it can see).
 *
 * @param problems every step the engine could not perform as written (a worker that did not start or
 *                 had died, an unknown worker, a missing environment, a harness I/O error, a reply
 *                 deadline passed): a history with problems cannot PASS, it is UNKNOWN with these reasons
 *                 unless it already proves a violation
 * @param leftovers every object of this execution the run's ledger still found after it (native name or
 *                 id, with what it is): "nothing of ours left behind" fails when there is one. The engine
 *                 does not fill it yet: empty
 */
public record Execution(String scheduleName, String keyPrefix, History history, Map<String, WorkerInfo> workers,
                        List<String> notes, List<String> problems, List<String> leftovers) {

    public Execution {
        problems = problems == null ? List.of() : List.copyOf(problems);
        leftovers = leftovers == null ? List.of() : List.copyOf(leftovers);
    }

    /** An execution whose leftovers were not looked for. */
    public Execution(String scheduleName, String keyPrefix, History history, Map<String, WorkerInfo> workers,
                     List<String> notes, List<String> problems) {
        this(scheduleName, keyPrefix, history, workers, notes, problems, List.of());
    }

    /**
     * How a problem starts that says an object older than the run (another program's) carries the key of one of the
     * execution's objects: its history may tell that object's story, not the subject's, so no verdict stands on it, a
     * FAIL included ({@code ScheduleChecker}).
     */
    public static final String FOREIGN_OBJECT = "an object this run did not make shares a key of this execution: ";

    /** Whether a problem says the execution met another program's object at one of its keys ({@link #FOREIGN_OBJECT}). */
    public boolean metAForeignObject() {
        return problems.stream().anyMatch(p -> p.startsWith(FOREIGN_OBJECT));
    }

    /**
     * How a problem starts that says a worker ended by another hand than the engine's and not by a fault of the code it
     * ran (an OOM kill, a container stopped under it, an operator's signal): what the others saw after it may be its
     * death's doing (the kernel releases its lock's undo and detaches its segments), so no verdict stands on the history,
     * a FAIL included ({@code ScheduleChecker}).
     */
    public static final String ENDED_FROM_OUTSIDE = "a worker ended by no hand of the engine's and no fault of its own: ";

    /**
     * How a problem starts that says a worker the engine killed, or saw die, had not ended by the reply deadline (a process
     * in uninterruptible sleep, a reaper kept off the CPU): the history dates its death when it was seen, but the kernel
     * may have released its lock's undo and detached its segments later, after what the others did next, so no verdict
     * stands on the history, a FAIL included ({@code ScheduleChecker}).
     */
    public static final String END_UNCONFIRMED = "a worker's end was not confirmed by the kernel by the reply deadline: ";

    /**
     * How a problem starts that says a backend gave up a wait it bounds by a clock (the memfd columns' claim on a name,
     * 2 s): the answer depends on how long the holder took, which a loaded machine stretches, so no verdict stands on the
     * history ({@code SharedMemoryBackend#gaveUpWaiting}).
     */
    public static final String GAVE_UP_WAITING = "a backend gave up a wait it bounds by a clock, an answer of time: ";

    /**
     * How a problem starts that says a worker died of SIGBUS while the file system its segment lives in (/dev/shm's tmpfs,
     * a file-map segment's) had no room for a page:
     * the kernel could not give the page an access touched (a backend that reserves none at create, as Qt's sparse
     * ftruncate), and what filled that tmpfs may be any program's objects, so the crash is the machine's state at that
     * moment, not a semantics the model could blame ({@code ScheduleChecker}); the worker said the room in its fault.
     */
    public static final String FULL_TMPFS = "a worker died of SIGBUS while the file system of its segment had no room for a page: ";

    /**
     * Whether something outside the run's hand acted on the execution: another program's object at one of its keys, the
     * end of a worker by another hand, a worker's end that came (if it came) after the history dates it, or a tmpfs full
     * when a worker's access faulted, or a backend's wait that a clock ended ({@link #FOREIGN_OBJECT},
     * {@link #ENDED_FROM_OUTSIDE}, {@link #END_UNCONFIRMED}, {@link #FULL_TMPFS}, {@link #GAVE_UP_WAITING}).
     */
    public boolean metAnOutsideHand() {
        return problems.stream().anyMatch(p -> p.startsWith(FOREIGN_OBJECT) || p.startsWith(ENDED_FROM_OUTSIDE)
                || p.startsWith(END_UNCONFIRMED) || p.startsWith(FULL_TMPFS) || p.startsWith(GAVE_UP_WAITING));
    }

    /** The problems in one line, or null when the schedule ran as written. */
    public String broken() {
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** The problem an op that passed the reply deadline without the kernel seeing it blocked makes. */
    public static String deadlinePassed(String worker, String op) {
        return op + " by " + worker + " passed the reply deadline without being blocked in a lock wait";
    }

    /** A worker as it really ran. */
    public record WorkerInfo(String id, String impl, String env, long pid, String user, Map<String, String> namespaces,
                             String helloImpl, Integer exitStatus) {
    }
}
