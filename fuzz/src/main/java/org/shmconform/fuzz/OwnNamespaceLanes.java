package org.shmconform.fuzz;

import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.env.IpcNamespaceEnvironment;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.schedule.Schedule;

/**
 * A campaign's lanes each in an IPC namespace of its own ({@code fuzz --own-ipc-namespaces}), for a column whose schedules
 * would otherwise take the machine-wide key-file turn ({@code KeyFileTurns}: the System V Qt columns, whose sets outlive
 * their key files) and whose worker is a native program: lane N's schedules run in group "lane-N" of one
 * {@link IpcNamespaceEnvironment#forkingWorkers} environment, whose workers are forked by a fork server in that group's
 * namespace. Another run's key file cannot reach a set there, nor can the other lane's, so no schedule waits for a turn
 * and the lanes overlap, as a POSIX column's do; what a schedule leaves in its namespace is removed before the lane's
 * next one ({@code OwnNamespaceReaper}). A fresh IPC namespace starts with the kernel's default System V limits
 * (kernel.shmmax, kernel.sem, ...), not the host's: a schedule's few small objects are far inside them.
 *
 * <p>Off by default, measured: the lanes' key files are made and unlinked side by side on one file system, so a freed
 * inode that one schedule's next key file would take (ext4 gives the lowest free one) may be taken by the other lane's
 * and given back later, and a key file made further on in the schedule then reaches a set whose file went (a nameless
 * set) where the generator's shadow foresaw no wait: the step blocks, the engine kills its worker, and the schedule
 * ends UNKNOWN (3 of 27 qt campaigns of 10-15 s, none in the 23 alternated with them in the host's namespace; each such
 * schedule replayed alone passed). Where this machine cannot unshare an IPC namespace (not root, no unshare) the campaign
 * runs in the host's and takes turns, and says why ({@link #whyNot}).
 */
final class OwnNamespaceLanes {
    private static volatile Boolean availableHere;
    private static volatile String unavailableReason;

    private OwnNamespaceLanes() {
    }

    /** Whether a campaign whose first schedule is {@code first} runs its lanes in namespaces of their own. */
    static boolean suit(Schedule first, boolean nativeWorkers) {
        return whyNot(first, nativeWorkers) == null;
    }

    /** Why a campaign whose first schedule is {@code first} keeps the host's IPC namespace, or null if it need not. */
    static String whyNot(Schedule first, boolean nativeWorkers) {
        if (!nativeWorkers) {
            return "its worker is a JVM: its JVM starts bound it, not the key-file turn";
        }
        if (ScheduleRunner.mayRunSideBySide(first) || !first.workers().stream().allMatch(w -> w.env().equals(LocalEnvironment.NAME))) {
            return "its schedules take no key-file turn";
        }
        return availableHere() ? null : "no IPC namespace can be unshared here: " + unavailableReason;
    }

    /** The schedule as lane {@code lane} runs it: every worker in that lane's group of the environment. */
    static Schedule inLane(Schedule s, int lane) {
        return new Schedule(s.name(), s.seed(), s.workers().stream().map(w -> w.in(IpcNamespaceEnvironment.NAME, group(lane))).toList(),
                s.steps());
    }

    static String group(int lane) {
        return "lane-" + lane;
    }

    /** Whether an IPC namespace can be unshared and entered here: asked once, by making one (then ended). */
    private static boolean availableHere() {
        Boolean known = availableHere;
        if (known == null) {
            try (IpcNamespaceEnvironment probe = new IpcNamespaceEnvironment()) {
                known = probe.availability().available();
                unavailableReason = probe.availability().reason();
            }
            availableHere = known;
        }
        return known;
    }
}
