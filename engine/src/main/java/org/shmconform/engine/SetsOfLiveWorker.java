package org.shmconform.engine;

import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.backends.sysv.SysVObjects.SemSet;

/**
 * The semaphore sets a live worker of the run was the last to operate, proven from kernel facts alone, with no key
 * file: Qt 6.8 keys its set by ftok() of a key file that Qt itself unlinks (a last detach, a re-key, a failed create)
 * while the set lives on, and a file made and unlinked between two looks of the {@link Ledger} leaves no trace there
 * (the orphan {@code 0x5100338f} after a full run, from the qt68-sysv columns). Qt's key has no run prefix, so a
 * set's key proves nothing; its last operator does.
 *
 * <p>The proof, for a worker pinned by a pidfd and a set of one semaphore (Qt's): its {@code GETPID} is the worker's
 * pid, its last semop ({@code otime}) is no earlier than a moment when the worker already held that pid, and the
 * worker has not exited when the reading is over. A pid is reused only after its process is reaped, so while the worker lives no other
 * process has that pid; an earlier holder of the same number died before the worker got it, hence before that
 * moment, and a semop at or after it (which sets both otime and the last pid) was the worker's own. The pidfd,
 * checked after every reading, excludes a reuse during the readings. A set whose last operator was another process
 * (another program's set of the same shape and key, ftok collision or not) is never among them.
 *
 * <p>What it proves is that a worker of the run used the set last, after the run started: the same standard as the
 * ledger's key files (an object with the key of a key file of ours, made after it), for sets the ledger missed.
 */
final class SetsOfLiveWorker {
    private SetsOfLiveWorker() {
    }

    /**
     * @param pinned the worker, pinned while it was known not reaped (so the pidfd is that worker's)
     * @param heldPidSinceMillis a wall-clock time (ms) at which the worker already had its pid (read after it started)
     * @param runStartSecond the run's start: older sets are never the run's
     * @return the sets, or none if the worker exited before the readings were over
     */
    static List<SemSet> lastOperatedBy(Pidfd pinned, long heldPidSinceMillis, long runStartSecond) {
        List<SemSet> found = new ArrayList<>();
        for (SemSet s : SysVObjects.semaphoreSets()) {
            // otime is whole seconds, rounded down: otime*1000 >= heldPidSince puts the semop at or after it. One
            // semaphore only (Qt's shape): a set's otime is its latest semop on ANY semaphore, GETPID that of one.
            if (s.nsems() == 1 && s.ctime() >= runStartSecond && s.otime() > 0 && s.otime() * 1000 >= heldPidSinceMillis
                    && SysVObjects.lastOperator(s.id()) == pinned.pid()) {
                found.add(s);
            }
        }
        return pinned.exited() ? List.of() : found; // exited: its pid may be another process's since a reading
    }
}
