package org.shmconform.backends.linux;

import com.sun.jna.Memory;

/**
 * Open-file-description byte-range locks ({@code F_OFD_SETLK[W]}): owned by the open file
 * description rather than the process, so two descriptors in one process exclude each other, and
 * released by the kernel when the last descriptor closes, including when the process is killed.
 * That kernel release is why the file-based backends use them for their lock and attach count.
 */
public final class OfdLock {
    /** x86_64 {@code struct flock}: l_type@0 (short), l_whence@2, l_start@8, l_len@16, l_pid@24. */
    private static final int FLOCK_SIZE = 32;

    private OfdLock() {
    }

    /** Blocks until the shared lock on [start, start+len) is held; returns 0 or errno. */
    public static int shared(int fd, long start, long len) {
        return set(fd, LibC.F_RDLCK, start, len, true);
    }

    /** Blocks until the exclusive lock on [start, start+len) is held; returns 0 or errno. */
    public static int exclusive(int fd, long start, long len) {
        return set(fd, LibC.F_WRLCK, start, len, true);
    }

    /** Takes the exclusive lock if nobody holds a conflicting one: 0, or EAGAIN when busy, or errno. */
    public static int tryExclusive(int fd, long start, long len) {
        return set(fd, LibC.F_WRLCK, start, len, false);
    }

    /** Takes the shared lock if nobody holds an exclusive one: 0, or EAGAIN when busy, or errno. */
    public static int tryShared(int fd, long start, long len) {
        return set(fd, LibC.F_RDLCK, start, len, false);
    }

    public static int unlock(int fd, long start, long len) {
        return set(fd, LibC.F_UNLCK, start, len, false);
    }

    private static int set(int fd, short type, long start, long len, boolean wait) {
        Memory flock = new Memory(FLOCK_SIZE);
        flock.clear();
        flock.setShort(0, type);
        flock.setShort(2, (short) 0); // SEEK_SET
        flock.setLong(8, start);
        flock.setLong(16, len);
        flock.setInt(24, 0); // must be 0 for OFD locks
        while (true) {
            int rc = LibC.INSTANCE.fcntl(fd, wait ? LibC.F_OFD_SETLKW : LibC.F_OFD_SETLK, flock);
            if (rc == 0) {
                return 0;
            }
            int errno = LibC.errno();
            if (errno == 4 /* EINTR */) {
                continue;
            }
            return errno == 13 /* EACCES: busy, like EAGAIN */ ? 11 : errno;
        }
    }
}
