package org.shmconform.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * pid, the worker has not exited when the reading is over, and the change that set that pid came after a moment when
 * the worker already held it, which one of these shows:
 * <ul>
 * <li>its last semop ({@code otime}) is no earlier than that moment;</li>
 * <li>the set's id was not listed at that moment: it was made later, and every change of it too;</li>
 * <li>it was listed then with another last operator: its last operator changed to the worker's pid since. This dates
 * what otime (whole seconds) cannot: a pooled spare started in the second a set made before it was last operated, by
 * that spare (the set 0x51005639 left by a qt fuzz, created and last operated in one second by a worker since killed).</li>
 * </ul>
 * A pid is reused only after its process is reaped, so while the worker lives no other process has that pid; an
 * earlier holder of the same number died before the worker got it, hence before that moment, and a change at or after
 * it (a semop or SETVAL, which set the last pid) was the worker's own. The pidfd, checked after every reading, excludes
 * a reuse during the readings. A set whose last operator was another process (another program's set of the same shape
 * and key, ftok collision or not) is never among them.
 *
 * <p>What it proves is that a worker of the run used the set last, after the run started: how the ledger records the
 * run's sets, with or without a key file (the ftok value of a key file of ours proves nothing: another program of the
 * same user makes its set at that value too, {@link Ledger#observe}). A set nobody has operated yet, which a worker
 * waits on, is proven by that wait ({@link #waitedOnBy}).
 */
final class SetsOfLiveWorker {
    private SetsOfLiveWorker() {
    }

    /**
     * @param pinned the worker, pinned while it was known not reaped (so the pidfd is that worker's)
     * @param heldPidSinceMillis a wall-clock time (ms) at which the worker already had its pid (read after it started)
     * @param now a reading of the kernel's objects taken once the worker had its pid
     * @param lastOperatorsWhileItHadItsPid the sets' ids in a reading taken at a moment the worker already had its pid,
     *                                      with their last operator then (-1: not read)
     * @param runStartSecond the run's start: older sets are never the run's
     * @return the sets, or none if the worker exited before the readings were over
     */
    static List<SemSet> lastOperatedBy(SysVReading now, Pidfd pinned, long heldPidSinceMillis,
                                       Map<Integer, Integer> lastOperatorsWhileItHadItsPid, long runStartSecond) {
        // exited: its pid may be another process's since a reading
        return lastOperatedBy(now, pinned.pid(), () -> !pinned.exited(), heldPidSinceMillis, lastOperatorsWhileItHadItsPid,
                runStartSecond);
    }

    /**
     * As above, for a worker whose pid {@code stillItsPid} vouches for, asked after the reading: that no other process
     * has had {@code pid} since the worker had it, alive or not (a dead worker's pid held by its process group:
     * {@link org.shmconform.engine.launch.PidHold}; its exit's undo, which makes it a set's last operator, is its own).
     */
    static List<SemSet> lastOperatedBy(SysVReading now, long pid, java.util.function.BooleanSupplier stillItsPid,
                                       long heldPidSinceMillis, Map<Integer, Integer> lastOperatorsWhileItHadItsPid,
                                       long runStartSecond) {
        List<SemSet> found = new ArrayList<>();
        for (SemSet s : now.sets()) {
            // otime is whole seconds, rounded down: otime*1000 >= heldPidSince puts the semop at or after it. One
            // semaphore only (Qt's shape): a set's otime is its latest semop on ANY semaphore, GETPID that of one.
            // Or the set did not exist yet when the worker had its pid (its id, which names one set for its whole life,
            // was not listed then): every change of it came later, the last one from the holder of the pid then. Or its
            // last operator then was another pid: the change to this one came later. These find the sets made or used in
            // the second the worker started, which otime (whole seconds) cannot date.
            Integer then = lastOperatorsWhileItHadItsPid.get(s.id());
            boolean operatedSince = (s.otime() > 0 && s.otime() * 1000 >= heldPidSinceMillis) || then == null
                    || then >= 0 && then != pid;
            if (s.nsems() == 1 && s.ctime() >= runStartSecond && operatedSince
                    && now.lastOperator(s.id()) == pid) {
                found.add(s);
            }
        }
        return stillItsPid.getAsBoolean() ? found : List.of();
    }

    /**
     * The sets among {@code now}'s, made after the run started, that a thread of the pinned worker is in a semop on
     * ({@code inSemop}, read from its {@code syscall} files after it was pinned): a set nobody has operated yet has no
     * last operator to prove it by. Qt's {@code QSystemSemaphorePrivate::handle} (qtbase,
     * {@code qsystemsemaphore_systemv.cpp}) makes one in Open mode when the set its {@code semget(IPC_EXCL)} met (EEXIST)
     * is removed, and its key file unlinked, by its owner before its second {@code semget(IPC_CREAT)}: only the set's
     * maker (or Create mode) sets its value and removes it, so this one keeps value 0, its key file is gone, and the lock
     * waits on it for good. Two of six {@code fuzz -b qt --count 300} campaigns left sets of that shape (value 0, last
     * operator 0) on 2026-12-04: this is how Qt's code makes them, not a making that was watched. A set's id names that
     * one set for its whole life, so the worker being in a semop on that id, while it lives, proves that it used this
     * set after the run started: the standard of {@link #lastOperatedBy}.
     *
     * <p>Only sets with no last operator in {@code now} are asked about: a set someone operated is proven by its last
     * operator or by no one, and the worker's threads' {@code syscall} files (a Java worker has a dozen threads) are
     * read only when such a set exists, which is rare.
     *
     * @param inSemop reads the ids of the sets the worker's threads are in a semop on, once pinned
     * @return the sets, or none if the worker exited before the readings were over
     */
    static List<SemSet> waitedOnBy(SysVReading now, Pidfd pinned, java.util.function.Supplier<java.util.Set<Integer>> inSemop,
                                   long runStartSecond) {
        List<SemSet> unoperated = now.sets().stream().filter(s -> s.ctime() >= runStartSecond && now.lastOperator(s.id()) == 0)
                .toList();
        if (unoperated.isEmpty()) {
            return List.of();
        }
        java.util.Set<Integer> waited = inSemop.get();
        List<SemSet> found = unoperated.stream().filter(s -> waited.contains(s.id())).toList();
        return pinned.exited() ? List.of() : found;
    }
}
