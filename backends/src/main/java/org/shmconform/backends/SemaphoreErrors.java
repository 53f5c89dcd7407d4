package org.shmconform.backends;

/**
 * Qt 6.4's {@code QSystemSemaphorePrivate::setErrorString} mapping (P25), which differs from the
 * shared-memory one: EPERM is PermissionDenied, ERANGE is OutOfResources and ENAMETOOLONG is
 * KeyError. {@code QSharedMemoryPrivate::initKey} then copies the value 1:1 into the segment's error.
 */
public final class SemaphoreErrors {
    private SemaphoreErrors() {
    }

    public static SegmentError fromErrno(int errno) {
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> SegmentError.PermissionDenied;
            case Errno.EEXIST -> SegmentError.AlreadyExists;
            case Errno.ENOENT -> SegmentError.NotFound;
            case Errno.ERANGE, Errno.ENOSPC, Errno.EMFILE -> SegmentError.OutOfResources;
            case Errno.ENAMETOOLONG -> SegmentError.KeyError;
            default -> SegmentError.UnknownError;
        };
    }
}
