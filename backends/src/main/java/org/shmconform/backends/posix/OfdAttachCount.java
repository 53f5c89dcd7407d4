package org.shmconform.backends.posix;

import org.shmconform.backends.linux.OfdLock;

/**
 * The attach count of a POSIX shm object, kept by the kernel as open-file-description locks on
 * one byte far past any real size ({@link #LOCK_OFFSET}; OFD locks may lie beyond EOF and never
 * touch the data). Every attached descriptor holds a <em>shared</em> lock on it. A detacher that
 * can upgrade its own lock to <em>exclusive</em> without waiting is the only one left, so it may
 * unlink the name. The kernel drops a descriptor's locks when the last reference to it closes,
 * including when its process is killed, so a crashed process never counts as attached.
 */
final class OfdAttachCount {
    static final long LOCK_OFFSET = 1L << 40;
    static final long LOCK_LENGTH = 1;

    private OfdAttachCount() {
    }

    /**
     * Counts {@code fd} as attached. Waits while a detacher holds the exclusive lock: that
     * detacher unlinks the name before it closes, so the caller must then re-check the name.
     *
     * @return 0 or errno
     */
    static int join(int fd) {
        return OfdLock.shared(fd, LOCK_OFFSET, LOCK_LENGTH);
    }

    /**
     * Whether {@code fd} is the only attached descriptor. On true the exclusive lock is held
     * until {@code fd} is closed, which keeps new attachers out while the caller unlinks.
     * A descriptor opened read-only cannot take a write lock (EBADF) and never counts as last.
     */
    static boolean leaveAndCheckLast(int fd) {
        return OfdLock.tryExclusive(fd, LOCK_OFFSET, LOCK_LENGTH) == 0;
    }
}
