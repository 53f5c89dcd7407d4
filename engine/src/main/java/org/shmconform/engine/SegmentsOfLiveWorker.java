package org.shmconform.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.backends.sysv.SysVObjects.Segment;

/**
 * The System V segments a live worker of the run created, or attached or detached last, proven from kernel facts
 * alone, with no key file: Qt 6.8 keys a segment by ftok() of a key file that Qt itself unlinks while the segment
 * lives on, and a file made and unlinked between two looks of the {@link Ledger} leaves no trace there (nattch-0
 * segments keyed {@code 0x51......}, creator = last attacher, after {@code fuzz -b qt68-sysv-safe --seed 1} and a run
 * of the qt68-sysv columns: a killed creator whose key file went unseen). Qt's key has no run prefix, so a segment's
 * key proves nothing; who made or used it, and when, does. The sibling of {@link SetsOfLiveWorker}.
 *
 * <p>A segment is the worker's, for a worker pinned by a pidfd, when one of these holds and the worker has not exited
 * once every reading is over:
 * <ul>
 * <li>its creator ({@code cpid}) is the worker's pid and its id was not in a listing read when the worker already had
 * that pid (the reading before it): the id names one segment for its whole life, so this segment did not exist yet, and
 * was made later, by the process that then had the pid. Not its change time: {@code ctime} is the creation only until
 * an IPC_SET (by anyone with the right) moves it on, so an old segment of a former holder of the pid could show a late
 * one;</li>
 * <li>its last attach or detach ({@code lpid}) is the worker's, at or after a moment it already had its pid: the kernel
 * sets lpid with atime on an attach and with dtime on a detach, so the later of the two (whole seconds, rounded down:
 * {@code max(atime, dtime)*1000 >= heldPidSince} puts it at or after that moment) dates the operation that set lpid;
 * or, where whole seconds cannot date it, the segment was not listed at that moment, or was listed with another
 * lpid: the attach or detach that set the worker's pid came later.</li>
 * </ul>
 * Why a reused pid cannot pass: a pid is given to a new process only after its former holder was reaped, and while
 * the worker lives (pinned, and not exited after the readings) no other process has it. A former holder of the same
 * number therefore died before the worker got it, hence before the moment used above, and can neither have created a
 * segment absent from the listing then nor attached or detached at or after it (its exit's detach included); a later
 * holder cannot exist yet. The pidfd, checked after every reading, excludes a reuse during the readings. The pids are
 * those of the harness's pid namespace, where the worker's pid is read and where a process it cannot see shows as 0.
 * Both times are the kernel's real-time clock, the one {@link System#currentTimeMillis} reads.
 *
 * <p>What it proves is that a worker of the run made or used the segment last, after the run started (older segments
 * are never the run's): how the ledger records the run's segments, as {@link SetsOfLiveWorker} its sets. A segment of
 * another process of the same shape and key (an ftok collision or not, made while a key file of ours is there or not)
 * that no worker made or used last is never among them; nothing is chosen by key.
 */
final class SegmentsOfLiveWorker {
    private SegmentsOfLiveWorker() {
    }

    /**
     * @param pinned the worker, pinned while it was known not reaped (so the pidfd is that worker's)
     * @param heldPidSinceMillis a wall-clock time (ms) at which the worker already had its pid (read after it started)
     * @param now a reading of the kernel's objects taken once the worker had its pid
     * @param lastUsersWhileItHadItsPid the segments' ids in a reading taken at a moment the worker already had its pid,
     *                                  with their lpid then
     * @param runStartSecond the run's start: older segments are never the run's
     * @return the segments, or none if the worker exited before the readings were over
     */
    static List<Segment> madeOrUsedLastBy(SysVReading now, Pidfd pinned, long heldPidSinceMillis,
                                          Map<Integer, Integer> lastUsersWhileItHadItsPid, long runStartSecond) {
        // exited: its pid may be another process's since a reading
        return madeOrUsedLastBy(now, pinned.pid(), () -> !pinned.exited(), heldPidSinceMillis, lastUsersWhileItHadItsPid,
                runStartSecond);
    }

    /**
     * As above, for a worker whose pid {@code stillItsPid} vouches for, asked after the reading: that no other process
     * has had {@code pid} since the worker had it, alive or not (a dead worker's pid held by its process group:
     * {@link org.shmconform.engine.launch.PidHold}). The proof is the same: it needs the pid to be the worker's
     * throughout, not the worker to live.
     */
    static List<Segment> madeOrUsedLastBy(SysVReading now, long pid, java.util.function.BooleanSupplier stillItsPid,
                                          long heldPidSinceMillis, Map<Integer, Integer> lastUsersWhileItHadItsPid,
                                          long runStartSecond) {
        List<Segment> found = new ArrayList<>();
        for (Segment s : now.segments()) {
            Integer usedThen = lastUsersWhileItHadItsPid.get(s.id());
            boolean created = s.cpid() == pid && usedThen == null;
            boolean datedSince = s.lastAttachOrDetach() > 0 && s.lastAttachOrDetach() * 1000 >= heldPidSinceMillis;
            boolean usedLast = s.lpid() == pid && (datedSince || usedThen == null || usedThen != pid);
            if (s.ctime() >= runStartSecond && (created || usedLast)) {
                found.add(s);
            }
        }
        return stillItsPid.getAsBoolean() ? found : List.of();
    }
}
