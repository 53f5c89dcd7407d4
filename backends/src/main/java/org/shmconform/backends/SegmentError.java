package org.shmconform.backends;

/**
 * QSharedMemory::SharedMemoryError, with Qt's numeric values (P25 of the semantics catalogue).
 */
public enum SegmentError {
    NoError, PermissionDenied, InvalidSize, KeyError, AlreadyExists, NotFound, LockError, OutOfResources, UnknownError;

    /** Qt's numeric value of the enum (NoError=0 ... UnknownError=8). */
    public int qtValue() {
        return ordinal();
    }

    /**
     * Qt 6.4's {@code QSharedMemoryPrivate::setUnixErrorString} mapping of an errno. EINVAL is not
     * mapped here because Qt maps it per call (InvalidSize on create, NotFound on shmdt, KeyError on
     * a bad POSIX name): callers handle it before falling back to this.
     */
    public static SegmentError fromErrno(int errno) {
        return switch (errno) {
            case Errno.EACCES -> PermissionDenied;
            case Errno.EEXIST -> AlreadyExists;
            case Errno.ENOENT -> NotFound;
            case Errno.EMFILE, Errno.ENOMEM, Errno.ENOSPC -> OutOfResources;
            default -> UnknownError;
        };
    }
}
