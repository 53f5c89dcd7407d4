package org.shmconform.backends.sysv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.linux.LibC;

/**
 * The System V objects of another IPC namespace than this process's, reached by a thread that enters it: /proc/sysvipc,
 * semctl and shmctl act in the caller's namespace, and {@code setns} moves only the calling thread into an IPC
 * namespace (a multi-threaded process may do that, unlike a mount or user namespace). The thread is one of its own and
 * ends after, so nothing else of this JVM ever runs in that namespace.
 */
public final class ForeignIpcNamespace {
    private ForeignIpcNamespace() {
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
     * In the IPC namespace of process {@code pid}, only if it is {@code link} ({@code ipc:[inode]}, read from the
     * descriptor opened, so a pid taken by another process since leads nowhere else): removes every semaphore set
     * /proc/sysvipc/sem lists there and every segment /proc/sysvipc/shm lists with no attach, and lists the sets again
     * (a listing that cannot be read proves nothing). A segment still attached is left, and named. Waits for the thread
     * even if interrupted (a few system calls), and keeps the interrupt.
     */
    public static Removal removeLeftovers(long pid, String link) {
        return removeLeftovers(pid, link, () -> true);
    }

    /**
     * As {@link #removeLeftovers(long, String)}, and only if {@code stillTheHolder} says, once the namespace's file is
     * open, that the process proven the holder when {@code link} was read still lives (a pidfd pinned then): a pid and an
     * inode number are both reused once they are free, so after the holder's end the two together prove nothing.
     */
    public static Removal removeLeftovers(long pid, String link, java.util.function.BooleanSupplier stillTheHolder) {
        Removal[] result = new Removal[1];
        Thread inside = new Thread(() -> result[0] = removeInside(pid, link, stillTheHolder), "ipc-namespace-" + pid);
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

    private static Removal removeInside(long pid, String link, java.util.function.BooleanSupplier stillTheHolder) {
        int target = LibC.INSTANCE.open("/proc/" + pid + "/ns/ipc", LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (target < 0) {
            return Removal.failed("its holder (pid " + pid + ") is gone: errno " + LibC.errno());
        }
        int home = -1;
        try {
            if (!stillTheHolder.getAsBoolean()) {
                return Removal.failed("its holder (pid " + pid + ") has ended: the pid, and " + link + ", may be another's now");
            }
            String opened = Files.readSymbolicLink(Path.of("/proc/self/fd/" + target)).toString();
            if (!opened.equals(link)) {
                return Removal.failed("pid " + pid + " is in " + opened + ", not the group's " + link);
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
                    if (SysVObjects.remove(set.obj())) {
                        sets.add(set.id());
                    }
                }
                for (SysVObjects.Segment segment : SysVObjects.readSegments()) {
                    if (segment.nattch() > 0) {
                        attached.add(segment.id());
                    } else if (SysVObjects.remove(segment.obj())) {
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
            return Removal.failed("cannot read the namespace of pid " + pid + " or its System V listing: " + e.getMessage());
        } finally {
            LibC.INSTANCE.close(target);
            if (home >= 0) {
                LibC.INSTANCE.close(home);
            }
        }
    }
}
