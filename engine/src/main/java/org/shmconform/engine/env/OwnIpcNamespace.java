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
 * but the run's workers of that group lives in it. Its System V semaphore sets can be removed from outside, by a thread
 * that enters it: that voids every process's SEM_UNDO adjustment on them (the kernel drops a set's undo entries with the
 * set), which is what {@code WorkerPool} must know before a worker that locked there serves another schedule. The host's
 * reaper cannot do it: /proc/sysvipc and semctl act in the caller's namespace.
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

    /** What {@link #removeEverySemaphoreSet} did: the sets it removed, or why it could not prove the namespace has none. */
    public record Removal(List<Integer> removed, String failure) {
        public boolean provenEmpty() {
            return failure == null;
        }
    }

    /**
     * Enters the namespace on a thread of its own (which ends after: nothing else ever runs in that namespace in this
     * JVM), removes every semaphore set /proc/sysvipc/sem lists there and lists again. Only if the namespace reached
     * through the holder's pid is still the one recorded (its link, read from the descriptor opened, so a pid taken by
     * another process since cannot lead anywhere else); only semaphore sets, never segments. Waits for that thread even
     * if interrupted (a few system calls), and keeps the interrupt.
     */
    public Removal removeEverySemaphoreSet() {
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
        return result[0] == null ? new Removal(List.of(), "the thread that entered the namespace failed") : result[0];
    }

    private Removal removeInside() {
        int target = LibC.INSTANCE.open("/proc/" + holderPid + "/ns/ipc", LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (target < 0) {
            return new Removal(List.of(), "the group's holder (pid " + holderPid + ") is gone: errno " + LibC.errno());
        }
        int home = -1;
        try {
            String opened = Files.readSymbolicLink(Path.of("/proc/self/fd/" + target)).toString();
            if (!opened.equals(link)) {
                return new Removal(List.of(), "pid " + holderPid + " is in " + opened + ", not the group's " + link);
            }
            home = LibC.INSTANCE.open("/proc/thread-self/ns/ipc", LibC.O_RDONLY | LibC.O_CLOEXEC);
            if (home < 0 || LibC.INSTANCE.setns(target, LibC.CLONE_NEWIPC) != 0) {
                return new Removal(List.of(), "cannot enter " + link + ": errno " + LibC.errno());
            }
            List<Integer> removed = new ArrayList<>();
            try {
                for (SysVObjects.SemSet set : SysVObjects.semaphoreSets()) {
                    if (LibC.INSTANCE.semctl(set.id(), 0, LibC.IPC_RMID) == 0) {
                        removed.add(set.id());
                    }
                }
                List<SysVObjects.SemSet> left = SysVObjects.semaphoreSets();
                return new Removal(removed, left.isEmpty() ? null : "sets " + left.stream().map(SysVObjects.SemSet::id).toList()
                        + " of " + link + " are still there");
            } finally {
                // Back home, or this thread must not live on: it ends here either way.
                if (LibC.INSTANCE.setns(home, LibC.CLONE_NEWIPC) != 0) {
                    throw new IllegalStateException("cannot leave " + link + ": errno " + LibC.errno());
                }
            }
        } catch (IOException e) {
            return new Removal(List.of(), "cannot read the namespace of pid " + holderPid + ": " + e.getMessage());
        } finally {
            LibC.INSTANCE.close(target);
            if (home >= 0) {
                LibC.INSTANCE.close(home);
            }
        }
    }
}
