package org.shmconform.backends.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A named pipe (mkfifo), given to one user with mode 0600: how the harness reaches the stdin,
 * stdout and stderr of a worker that another worker starts as its child. The caller makes it in a
 * directory of that user that nobody else can write, so the name cannot be swapped.
 */
public final class Fifo {
    private interface Calls extends Library {
        Calls INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Calls.class);

        int mkfifo(String path, int mode);

        int lchown(String path, int owner, int group);
    }

    private Fifo() {
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
