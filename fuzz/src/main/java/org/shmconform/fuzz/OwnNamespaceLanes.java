package org.shmconform.fuzz;

import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.env.IpcNamespaceEnvironment;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.schedule.Schedule;

/**
 * A campaign's lanes each in an IPC namespace of its own (the default; {@code fuzz --no-own-ipc-namespaces} keeps the
 * host's), for a column whose schedules would otherwise take the machine-wide key-file turn ({@code KeyFileTurns}: the
 * System V Qt columns, whose sets outlive their key files) and whose worker is a native program: lane N's schedules run
 * in group "lane-N" of one {@link IpcNamespaceEnvironment#forkingWorkers} environment, whose workers are forked by a
 * fork server in that group's namespace. Another run's key file cannot reach a set there, nor can the other lane's, so
 * no schedule waits for a turn and the lanes overlap, as a POSIX column's do; what a schedule leaves in its namespace
 * is removed before the lane's next one ({@code OwnNamespaceReaper}). A fresh IPC namespace starts with the kernel's default System V limits
 * (kernel.shmmax, kernel.sem, ...), not the host's: a schedule's few small objects are far inside them.
 *
 * <p>Each lane's key files are on a file system of its own ({@link #keyFileSystems}: a small ext4 on a loop device,
 * engine's {@code KeyFileSystem}). On one ext4 directory, as first built, the two lanes' key files were made and unlinked
 * side by side, so a freed inode that one schedule's next key file would take (ext4 gives the lowest free one) could be
 * taken by the other lane's and given back later, and a key file made further on then reached a set whose file went (a
 * nameless set) where the generator's shadow foresaw no wait: the step blocked, the engine killed its worker, and the
 * schedule ended UNKNOWN (4 of 39 qt campaigns of 10-15 s, none in the 23 alternated with them in the host's namespace;
 * each such schedule replayed alone passed). On a file system of its own a lane reuses inodes as a schedule alone does.
 * Where this machine cannot unshare an IPC namespace (not root, no unshare) or make those file systems, the campaign
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
        String notForIt = notForIt(first, nativeWorkers);
        return notForIt != null ? notForIt : unavailableHere();
    }

    /** Why such a campaign has nothing to gain from namespaces of its own, or null if it has. */
    private static String notForIt(Schedule first, boolean nativeWorkers) {
        if (!nativeWorkers) {
            return "its worker is a JVM: its JVM starts bound it, not the key-file turn";
        }
        if (ScheduleRunner.mayRunSideBySide(first) || !first.workers().stream().allMatch(w -> w.env().equals(LocalEnvironment.NAME))) {
            return "its schedules take no key-file turn";
        }
        return null;
    }

    /**
     * Why a campaign that would run its lanes in namespaces of their own (a native column whose schedules take the turn)
     * cannot here, or null: worth a line by default, unlike a column the mode does not apply to.
     */
    static String missedHere(Schedule first, boolean nativeWorkers) {
        return notForIt(first, nativeWorkers) != null ? null : unavailableHere();
    }

    /** Why no IPC namespace can be unshared on this machine, or null where one can. */
    private static String unavailableHere() {
        return availableHere() ? null : "no IPC namespace can be unshared here: " + unavailableReason;
    }

    /**
     * The schedule as lane {@code lane} runs it: every worker in that lane's group of the environment, with that lane's
     * TMPDIR, named as the group (a worker that asked for a TMPDIR of its own keeps it: the generator makes none).
     */
    static Schedule inLane(Schedule s, int lane) {
        return new Schedule(s.name(), s.seed(), s.workers().stream()
                .map(w -> w.in(IpcNamespaceEnvironment.NAME, group(lane)).withTmpdir(w.tmpdir() == null ? group(lane) : w.tmpdir()))
                .toList(), s.steps());
    }

    /**
     * Gives each of the campaign's {@code lanes} lanes' TMPDIR a file system of its own ({@code KeyFileSystem}): a lane's
     * key files then reuse inodes as one schedule's alone do, whatever the other lane makes and unlinks meanwhile.
     *
     * @return null if each has one, else why not
     */
    static String keyFileSystems(RunContext run, int lanes) {
        for (int lane = 0; lane < lanes; lane++) {
            String why = run.keyFilesOnAFileSystemOfTheirOwn(group(lane));
            if (why != null) {
                return why;
            }
        }
        return null;
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
