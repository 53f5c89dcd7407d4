package org.shmconform.backends.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.shmconform.backends.linux.LibC;

/**
 * A process pinned by a pidfd (Linux 5.3+): once open, it names that very process even if it
 * exits and its pid is reused, so a check made after {@link #open} and a signal sent through
 * {@link #kill} reach the same process or nobody.
 */
public final class Pidfd implements AutoCloseable {
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final int SIGKILL = 9;
    private static final int SIGSTOP = 19;

    private interface Sys extends Library {
        Sys INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Sys.class);

        long syscall(long number, Object... args);

        int poll(int[] fds, long count, int timeoutMillis);

        int ioctl(int fd, long request, byte[] arg);
    }

    /** {@code PIDFD_GET_INFO}: {@code _IOWR(0xFF, 11, struct pidfd_info)}, its first version of 64 bytes (linux/pidfd.h). */
    private static final long PIDFD_GET_INFO = 0xC040FF0BL;
    private static final int PIDFD_INFO_SIZE_VER0 = 64;
    /** In {@code pidfd_info.mask}: asked for, and set in the answer once the kernel keeps how the process ended (6.15+). */
    private static final long PIDFD_INFO_EXIT = 1L << 3;
    /** Where {@code __s32 exit_code} lies in {@code struct pidfd_info} (after mask, cgroupid and eleven ids). */
    private static final int EXIT_CODE_OFFSET = 60;

    private static final int POLLIN = 1;

    private final long pid;
    private int fd;
    /**
     * Held to read while the descriptor is used, to write while it is closed: a use that read the number just before a
     * close on another thread would otherwise reach whatever the next open of this process got that number, another
     * process's pidfd included, and a kill would signal that process.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock inUse = new java.util.concurrent.locks.ReentrantReadWriteLock();

    private Pidfd(long pid, int fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /** Pins process {@code pid}; null if it does not exist (or this kernel has no pidfd_open). */
    public static Pidfd open(long pid) {
        // syscall(2) reads every argument as a long: pass longs.
        int fd = (int) Sys.INSTANCE.syscall(SYS_PIDFD_OPEN, pid, 0L);
        return fd < 0 ? null : new Pidfd(pid, fd);
    }

    public long pid() {
        return pid;
    }

    /** Sends SIGKILL to the pinned process; true if the kernel delivered it (false once it is gone). */
    public boolean kill() {
        return signal(SIGKILL);
    }

    /** Sends SIGSTOP to the pinned process; true if the kernel delivered it (false once it is gone). */
    public boolean stop() {
        return signal(SIGSTOP);
    }

    /** Sends {@code signal} (0: none, only whether it can be sent) through the pidfd; false once it is closed. */
    private boolean signal(int signal) {
        inUse.readLock().lock();
        try {
            return fd >= 0 && Sys.INSTANCE.syscall(SYS_PIDFD_SEND_SIGNAL, (long) fd, (long) signal, null, 0L) == 0;
        } finally {
            inUse.readLock().unlock();
        }
    }

    /** Polls the pidfd for {@code millis}: whether it turned readable (the process exited); false once it is closed. */
    private boolean readable(int millis) {
        inUse.readLock().lock();
        try {
            // struct pollfd {int fd; short events; short revents;}: events in the low half of the second int (little-endian).
            int[] pollfd = {fd, POLLIN};
            return fd >= 0 && Sys.INSTANCE.poll(pollfd, 1, millis) > 0;
        } finally {
            inUse.readLock().unlock();
        }
    }

    /**
     * Waits until the pinned process has exited (its pidfd turns readable: the kernel has closed its
     * descriptors and dropped its mappings, whether or not its parent has reaped it yet), for at most
     * {@code timeout}; true once it has. This works for a process that is not our child.
     */
    public boolean awaitExit(java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
            // A slice at a time, so the calling thread can be interrupted (and a close waits one slice at most).
            if (readable((int) Math.min(left, 100))) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (left == 0) {
                return false;
            }
        }
    }

    /** What the kernel says of how the pinned process ended ({@link #endedHow}). */
    public sealed interface Ending {
        /** It ended: its status as a shell gives it, 128 + the signal for a death by a signal, else the exit code. */
        record Status(int status) implements Ending { }

        /** The kernel does not say yet: it has not been reaped (Linux keeps how it ended only then). */
        record NotYet() implements Ending { }

        /** The kernel will not say: it is older than 6.15 (no PIDFD_INFO_EXIT) or the pidfd is closed. */
        record Never(String why) implements Ending { }
    }

    /**
     * How the pinned process ended, told to any holder of its pidfd, not only to its parent, once the process has been
     * reaped (PIDFD_GET_INFO with PIDFD_INFO_EXIT, Linux 6.15+): where a death must be told apart from a crash, the
     * status of a process that is not our child is otherwise unknown.
     */
    public Ending endedHow() {
        inUse.readLock().lock();
        try {
            return endedHowWhileOpen();
        } finally {
            inUse.readLock().unlock();
        }
    }

    private Ending endedHowWhileOpen() {
        if (fd < 0) {
            return new Ending.Never("its pidfd is closed");
        }
        java.nio.ByteBuffer info = java.nio.ByteBuffer.allocate(PIDFD_INFO_SIZE_VER0).order(java.nio.ByteOrder.nativeOrder());
        info.putLong(0, PIDFD_INFO_EXIT);
        byte[] bytes = info.array();
        if (Sys.INSTANCE.ioctl(fd, PIDFD_GET_INFO, bytes) != 0) {
            return new Ending.Never("the kernel keeps no exit status for a pidfd (PIDFD_INFO_EXIT: Linux 6.15+)");
        }
        java.nio.ByteBuffer answer = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.nativeOrder());
        if ((answer.getLong(0) & PIDFD_INFO_EXIT) == 0) {
            return new Ending.NotYet();
        }
        int wait = answer.getInt(EXIT_CODE_OFFSET); // as wait(2) gives it
        int signal = wait & 0x7f;
        return new Ending.Status(signal != 0 ? 128 + signal : (wait >> 8) & 0xff);
    }

    /**
     * Whether the pinned process still holds its pid: it lives, or it has exited and its parent has not reaped it yet (a
     * zombie). Signal 0 through the pidfd reaches it until it is reaped (ESRCH after), and the kernel gives its number to
     * no other process until then; a pidfd alone does not keep the number once the process is reaped.
     */
    public boolean holdsItsPid() {
        return signal(0);
    }

    /** Whether the pinned process has exited (without waiting); false once the pidfd is closed. */
    public boolean exited() {
        return readable(0);
    }

    @Override
    public void close() {
        inUse.writeLock().lock();
        try {
            if (fd >= 0) {
                LibC.INSTANCE.close(fd);
                fd = -1;
            }
        } finally {
            inUse.writeLock().unlock();
        }
    }
}
