package org.shmconform.backends;

import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.SegmentError;

/**
 * Qt 6.4's {@code QSystemSemaphorePrivate::setErrorString} mapping, which differs from the
 * shared-memory one: EPERM is PermissionDenied and ERANGE is OutOfResources, while EMFILE and
 * ENOMEM fall to UnknownError. Read from the jump table of the installed libQt6Core 6.4.2
 * (errno 1,13 / 2 / 17 / 28,34; everything else, ENAMETOOLONG included, is the default case);
 * later Qt versions add ENAMETOOLONG as KeyError. {@code QSharedMemoryPrivate::initKey} then
 * copies the value 1:1 into the segment's error.
 */
public final class SemaphoreErrors {
    private SemaphoreErrors() {
    }

    public static SegmentError fromErrno(int errno) {
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> SegmentError.PermissionDenied;
            case Errno.EEXIST -> SegmentError.AlreadyExists;
            case Errno.ENOENT -> SegmentError.NotFound;
            case Errno.ERANGE, Errno.ENOSPC -> SegmentError.OutOfResources;
            default -> SegmentError.UnknownError;
        };
    }
}
