package org.shmconform.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.shmconform.backends.host.Pidfd;
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
 * worker has not exited when the reading is over (or, instead of the otime, the set's id was not listed at a moment the
 * worker already had its pid: it was made later, and every change of it too). A pid is reused only after its process
 * is reaped, so while the worker lives no other process has that pid; an earlier holder of the same number died before the worker got it, hence before that
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
     * @param now a reading of the kernel's objects taken once the worker had its pid
     * @param existedWhileItHadItsPid the sets' ids in a reading taken at a moment the worker already had its pid
     * @param runStartSecond the run's start: older sets are never the run's
     * @return the sets, or none if the worker exited before the readings were over
     */
    static List<SemSet> lastOperatedBy(SysVReading now, Pidfd pinned, long heldPidSinceMillis, Set<Integer> existedWhileItHadItsPid, long runStartSecond) {
        List<SemSet> found = new ArrayList<>();
        for (SemSet s : now.sets()) {
            // otime is whole seconds, rounded down: otime*1000 >= heldPidSince puts the semop at or after it. One
            // semaphore only (Qt's shape): a set's otime is its latest semop on ANY semaphore, GETPID that of one.
            // Or the set did not exist yet when the worker had its pid (its id, which names one set for its whole life,
            // was not listed then): every change of it came later, the last one from the holder of the pid then. This
            // finds the sets made and used in the second the worker started, which otime (whole seconds) cannot date.
            boolean operatedSince = (s.otime() > 0 && s.otime() * 1000 >= heldPidSinceMillis) || !existedWhileItHadItsPid.contains(s.id());
            if (s.nsems() == 1 && s.ctime() >= runStartSecond && operatedSince
                    && now.lastOperator(s.id()) == pinned.pid()) {
                found.add(s);
            }
        }
        return pinned.exited() ? List.of() : found; // exited: its pid may be another process's since a reading
    }
}
