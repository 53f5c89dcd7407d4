package org.shmconform.backends.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A named pipe (mkfifo), given to one user with mode 0600: how the harness reaches the stdin,
 * stdout and stderr of a worker that another worker starts as its child. The caller makes it in a
 * directory of its own that this user can pass through but not write, so the name cannot be swapped.
 */
public final class Fifo {
    private interface Calls extends Library {
        Calls INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Calls.class);

        int mkfifo(String path, int mode);

        int lchown(String path, int owner, int group);
    }

    private Fifo() {
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    /**
     * Whether {@code path} is a FIFO (not reached through a link) that no process has open for reading: a non-blocking
     * open for writing fails with ENXIO then, and succeeds (and is closed again at once, writing nothing) while a reader
     * holds it. False for anything else, or when it cannot be told.
     */
    public static boolean hasNoReader(Path path) {
        try {
            int mode = (Integer) java.nio.file.Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if ((mode & S_IFMT) != S_IFIFO) {
                return false;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        int fd = org.shmconform.backends.linux.LibC.INSTANCE.open(path.toString(), org.shmconform.backends.linux.LibC.O_WRONLY
                | org.shmconform.backends.linux.LibC.O_NONBLOCK | org.shmconform.backends.linux.LibC.O_NOFOLLOW
                | org.shmconform.backends.linux.LibC.O_CLOEXEC);
        if (fd >= 0) {
            org.shmconform.backends.linux.LibC.INSTANCE.close(fd); // a reader holds it; closing a writer's end tells it nothing while another writer lives
            return false;
        }
        return org.shmconform.backends.linux.LibC.errno() == org.shmconform.backends.linux.LibC.ENXIO;
    }

    /** Makes a FIFO at {@code path} (mode 0600) owned by {@code uid} (-1: ours). */
    public static void make(Path path, int uid) throws IOException {
        if (Calls.INSTANCE.mkfifo(path.toString(), 0600) != 0) {
            throw new IOException("mkfifo(" + path + "): errno " + Native.getLastError());
        }
        if (uid >= 0 && Calls.INSTANCE.lchown(path.toString(), uid, -1) != 0) {
            int errno = Native.getLastError();
            java.nio.file.Files.deleteIfExists(path);
            throw new IOException("lchown(" + path + ", " + uid + "): errno " + errno);
        }
    }
}
