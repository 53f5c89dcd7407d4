package org.shmconform.backends.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.linux.LibC;

/**
 * A namespace this process holds open: {@code /proc/<pid>/ns/<kind>} opened once, while the caller knows that pid is
 * the process it means, and named from then on by this process's own descriptor, {@code /proc/<our pid>/fd/<n>}, which
 * a program we start (nsenter) opens to enter it. A pid is given to another process once its own is gone, so a later
 * {@code nsenter --target <pid>} may enter that other process's namespaces; the namespace a held descriptor names is
 * the one opened, and it lives as long as it is held.
 */
public final class HeldNamespace implements AutoCloseable {
    private final int fd;
    private final String link;
    private volatile boolean closed;

    private HeldNamespace(int fd, String link) {
        this.fd = fd;
        this.link = link;
    }

    /**
     * Opens {@code kind}'s namespace ("ipc", "mnt") of process {@code pid}. The caller proves afterwards that {@code pid}
     * was still its process when this returned (a child of its own that is still alive, a pidfd that has not exited).
     */
    public static HeldNamespace open(long pid, String kind) throws IOException {
        int fd = LibC.INSTANCE.open("/proc/" + pid + "/ns/" + kind, LibC.O_RDONLY | LibC.O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open the " + kind + " namespace of pid " + pid + ": errno " + LibC.errno());
        }
        try {
            return new HeldNamespace(fd, Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (IOException | RuntimeException e) {
            LibC.INSTANCE.close(fd);
            throw e;
        }
    }

    /**
     * The path another process of this process's user opens to reach the namespace, {@code /proc/<our pid>/fd/<n>}:
     * valid only while held, so it is asked for just before each use.
     */
    public String path() {
        if (closed) {
            throw new IllegalStateException(link + " is no longer held");
        }
        return "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
    }

    /** What the kernel calls it, e.g. {@code ipc:[4026532281]}. */
    public String link() {
        return link;
    }

    /** Lets it go: the kernel frees it once nothing else holds it either (no process in it, nothing bound to it). */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.INSTANCE.close(fd);
        }
    }
}
