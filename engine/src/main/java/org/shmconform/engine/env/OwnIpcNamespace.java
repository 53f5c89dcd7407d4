package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.sysv.ForeignIpcNamespace;

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
     * Removes every semaphore set and every unattached segment of the namespace from inside it, if the holder's pid still
     * leads to it ({@link ForeignIpcNamespace#removeLeftovers}).
     */
    public ForeignIpcNamespace.Removal removeLeftovers() {
        return ForeignIpcNamespace.removeLeftovers(holderPid, link);
    }
}
