package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.SysVObjects;

/**
 * An IPC namespace an environment made for a group (an {@code unshare --ipc} holder's, a container's own), known by the
 * link its holder's {@code /proc/<pid>/ns/ipc} gave when the environment had just made it ({@code ipc:[inode]}): nothing
 * but the run's workers of that group lives in it. What a schedule left there can be removed from outside, by a thread
 * that enters it (the host's reaper cannot: /proc/sysvipc, semctl and shmctl act in the caller's namespace): every
 * semaphore set, which voids every process's SEM_UNDO adjustment on them (the kernel drops a set's undo entries with the
 * set), what {@code WorkerPool} must know before a worker that locked there serves another schedule; and every segment
 * nobody has attached, which a later schedule's key file could otherwise reach through ftok, as the host's reaper
 * prevents on the host.
 */
public final class OwnIpcNamespace {
    private final long holderPid;
    private final String link;

    OwnIpcNamespace(long holderPid, String link) {
        this.holderPid = holderPid;
        this.link = link;
    }

    /** The namespace process {@code pid} is in now: call it while that process is known to be the group's holder. */
    static OwnIpcNamespace of(long pid) throws IOException {
        return new OwnIpcNamespace(pid, Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "ipc")).toString());
    }

    /** The process whose /proc/<pid>/ns/ipc leads to it (the group's holder, or its container's main process). */
    public long holderPid() {
        return holderPid;
    }

    /** {@code ipc:[inode]}, as /proc names it. */
    public String link() {
        return link;
    }

    /**
     * What {@link #removeLeftovers} did: the sets and segments it removed, the attached segments it left, or why it could
     * not prove the namespace holds no semaphore set.
     */
    public record Removal(List<Integer> sets, List<Integer> segments, List<Integer> attached, String failure) {
        static Removal failed(String why) {
            return new Removal(List.of(), List.of(), List.of(), why);
        }

        /** No semaphore set is left in the namespace, so no process keeps a SEM_UNDO adjustment there. */
        public boolean noSetLeft() {
            return failure == null;
        }
    }

    /**
     * Enters the namespace on a thread of its own (which ends after: nothing else ever runs in that namespace in this
     * JVM), removes every semaphore set /proc/sysvipc/sem lists there and every segment /proc/sysvipc/shm lists with no
     * attach, and lists the sets again. Only if the namespace reached through the holder's pid is still the one recorded
     * (its link, read from the descriptor opened, so a pid taken by another process since cannot lead anywhere else). A
     * segment still attached is left (and named): some process there maps it. Waits for that thread even if interrupted
     * (a few system calls), and keeps the interrupt.
     */
    public Removal removeLeftovers() {
        Removal[] result = new Removal[1];
        Thread inside = new Thread(() -> result[0] = removeInside(), "ipc-namespace-" + holderPid);
        inside.setDaemon(true);
        inside.start();
        boolean interrupted = false;
        while (inside.isAlive()) {
            try {
                inside.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return result[0] == null ? Removal.failed("the thread that entered the namespace failed") : result[0];
    }

    private Removal removeInside() {
        int target = LibC.INSTANCE.open("/proc/" + holderPid + "/ns/ipc", LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (target < 0) {
            return Removal.failed("the group's holder (pid " + holderPid + ") is gone: errno " + LibC.errno());
        }
        int home = -1;
        try {
            String opened = Files.readSymbolicLink(Path.of("/proc/self/fd/" + target)).toString();
            if (!opened.equals(link)) {
                return Removal.failed("pid " + holderPid + " is in " + opened + ", not the group's " + link);
            }
            home = LibC.INSTANCE.open("/proc/thread-self/ns/ipc", LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (home < 0 || LibC.INSTANCE.setns(target, LibC.CLONE_NEWIPC) != 0) {
                return Removal.failed("cannot enter " + link + ": errno " + LibC.errno());
            }
            List<Integer> sets = new ArrayList<>();
            List<Integer> segments = new ArrayList<>();
            List<Integer> attached = new ArrayList<>();
            try {
                for (SysVObjects.SemSet set : SysVObjects.readSemaphoreSets()) {
                    if (LibC.INSTANCE.semctl(set.id(), 0, LibC.IPC_RMID) == 0) {
                        sets.add(set.id());
                    }
                }
                for (SysVObjects.Segment segment : SysVObjects.readSegments()) {
                    if (segment.nattch() > 0) {
                        attached.add(segment.id());
                    } else if (LibC.INSTANCE.shmctl(segment.id(), LibC.IPC_RMID, null) == 0) {
                        segments.add(segment.id());
                    }
                }
                List<SysVObjects.SemSet> left = SysVObjects.readSemaphoreSets();
                return new Removal(sets, segments, attached, left.isEmpty() ? null
                        : "sets " + left.stream().map(SysVObjects.SemSet::id).toList() + " of " + link + " are still there");
            } finally {
                // Back home, or this thread must not live on: it ends here either way.
                if (LibC.INSTANCE.setns(home, LibC.CLONE_NEWIPC) != 0) {
                    throw new IllegalStateException("cannot leave " + link + ": errno " + LibC.errno());
                }
            }
        } catch (IOException e) {
            return Removal.failed("cannot read the namespace of pid " + holderPid + " or its System V listing: " + e.getMessage());
        } finally {
            LibC.INSTANCE.close(target);
            if (home >= 0) {
                LibC.INSTANCE.close(home);
            }
        }
    }
}
