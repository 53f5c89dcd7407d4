package org.shmconform.backends.host;

import com.sun.jna.Function;
import org.shmconform.backends.linux.LibC;

/** The calling process's and thread's ids as the kernel numbers them in this pid namespace, and the C library's version. */
public final class HostIds {
    private HostIds() {
    }

    /** The real user id (getuid). */
    public static int uid() {
        return LibC.INSTANCE.getuid();
    }

    /**
     * "glibc 2.36", as {@code getconf GNU_LIBC_VERSION} prints it, from the C library loaded in this process
     * (gnu_get_libc_version(3)), not from a file or a package name; null on a C library without that function (musl).
     */
    public static String libcVersion() {
        try {
            return "glibc " + Function.getFunction("c", "gnu_get_libc_version").invokeString(new Object[0], false);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /** The kernel's id of the calling thread (gettid, glibc 2.30+); the pid for the main thread. */
    public static long threadId() {
        return Function.getFunction("c", "gettid").invokeInt(new Object[0]);
    }
}
