package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.host.Pidfd;
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
public final class OwnIpcNamespace implements AutoCloseable {
    private final long holderPid;
    private final String link;
    /** The holder, pinned when it was proven the group's (null where this kernel has no pidfd: the pid and link alone). */
    private final Pidfd pinned;

    OwnIpcNamespace(long holderPid, String link) {
        this(holderPid, link, null);
    }

    OwnIpcNamespace(long holderPid, String link, Pidfd pinned) {
        this.holderPid = holderPid;
        this.link = link;
        this.pinned = pinned;
    }

    /**
     * The namespace process {@code pid} is in now: call it while that process is known to be the group's holder. The
     * holder is pinned by a pidfd from then on, so that the namespace is entered only while that very process lives: a
     * container's main process may end while its environment is open (stopped, killed by the kernel), and then its pid
     * and its namespace's inode number may both be given to another's (DockerEnvironment's namespace is read once).
     */
    static OwnIpcNamespace of(long pid) throws IOException {
        Pidfd pinned = Pidfd.open(pid);
        try {
            String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "ipc")).toString();
            if (pinned != null && pinned.exited()) {
                throw new IOException("process " + pid + " ended while its namespace was read");
            }
            return new OwnIpcNamespace(pid, link, pinned);
        } catch (IOException | RuntimeException e) {
            if (pinned != null) {
                pinned.close();
            }
            throw e;
        }
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
     * Removes every semaphore set and every unattached segment of the namespace from inside it, if the holder still lives
     * and its pid still leads to it ({@link ForeignIpcNamespace#removeLeftovers}).
     */
    public ForeignIpcNamespace.Removal removeLeftovers() {
        return ForeignIpcNamespace.removeLeftovers(holderPid, link, () -> pinned == null || !pinned.exited());
    }

    /** Lets go of the pinned holder: once its group's container or holder is gone. */
    @Override
    public void close() {
        if (pinned != null) {
            pinned.close();
        }
    }
}
