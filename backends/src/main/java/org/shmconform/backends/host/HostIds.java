package org.shmconform.backends.host;

import com.sun.jna.Function;
import org.shmconform.backends.linux.LibC;

/** The calling process's and thread's ids as the kernel numbers them in this pid namespace. */
public final class HostIds {
    private HostIds() {
    }

    /** The real user id (getuid). */
    public static int uid() {
        return LibC.INSTANCE.getuid();
    }

    /** The kernel's id of the calling thread (gettid, glibc 2.30+); the pid for the main thread. */
    public static long threadId() {
        return Function.getFunction("c", "gettid").invokeInt(new Object[0]);
    }
}
