package org.shmconform.engine.state;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.shmconform.backends.host.OfdLockFile;

/**
 * A run's proof of life: the file {@code lock} in its directory, held with an open-file-description
 * lock for the run's whole life. The lock is the kernel's, so it holds across pid namespaces, and
 * the kernel drops it when the harness dies however it dies.
 */
public final class RunLock {
    public static final String FILE = "lock";
    /** Ids of runs this JVM holds, from their creation until they are released. */
    private static final Set<String> HELD_HERE = ConcurrentHashMap.newKeySet();

    private RunLock() {
    }

    /** Creates the lock file of a run being made in {@code runDir} (never through a link) and takes its lock. */
    public static OfdLockFile createIn(Path runDir) {
        return OfdLockFile.createHeld(runDir.resolve(FILE));
    }

    /**
     * Whether the run whose directory is {@code runDir} is alive: its lock is held (by any process,
     * in any pid namespace). When the run is dead the attempt holds its lock, taken: the caller
     * reaps, then closes it.
     */
    public static OfdLockFile.Attempt takeIfDead(Path runDir) {
        return OfdLockFile.tryTake(runDir.resolve(FILE));
    }

    /** Records that this JVM runs {@code runId} (until {@link #releasedHere}). */
    public static void heldHere(String runId) {
        HELD_HERE.add(runId);
    }

    public static void releasedHere(String runId) {
        HELD_HERE.remove(runId);
    }

    public static boolean isHeldHere(String runId) {
        return HELD_HERE.contains(runId);
    }

    /**
     * Whether a run provably lives: it is this JVM's, or its directory's lock is held by some process
     * (in any pid namespace). For sweepers of things that carry a run id but no lock of their own
     * (containers), which must never take a live run elsewhere for a dead one.
     */
    public static boolean provablyLive(String runId) {
        if (!StateDirectory.isRunId(runId)) {
            return false;
        }
        if (isHeldHere(runId)) {
            return true;
        }
        OfdLockFile.Attempt attempt = takeIfDead(StateDirectory.runs().resolve(runId));
        if (attempt.lock() != null) {
            attempt.lock().close();
        }
        return attempt.outcome() == OfdLockFile.Outcome.HELD;
    }
}
