package org.shmconform.backends.linux;

import org.shmconform.spi.SegmentError;

/** The Linux errno values the backends map or test for, and their names for messages. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOSPC = 28;
    public static final int ERANGE = 34;
    public static final int EDEADLK = 35;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int EIDRM = 43;
    public static final int EADDRINUSE = 98;

    private Errno() {
    }

    /**
     * Qt 6.4's {@code QSharedMemoryPrivate::setUnixErrorString} mapping of an errno. EINVAL is not
     * mapped here because Qt maps it per call (InvalidSize on create, NotFound on shmdt, KeyError on
     * a bad POSIX name): callers handle it before falling back to this.
     */
    public static SegmentError segmentError(int errno) {
        return switch (errno) {
            case EACCES -> SegmentError.PermissionDenied;
            case EEXIST -> SegmentError.AlreadyExists;
            case ENOENT -> SegmentError.NotFound;
            case EMFILE, ENOMEM, ENOSPC -> SegmentError.OutOfResources;
            default -> SegmentError.UnknownError;
        };
    }

    /** "ENOENT (No such file or directory)"-style text; falls back to the number. */
    public static String describe(int errno) {
        String name = switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOSPC -> "ENOSPC";
            case ERANGE -> "ERANGE";
            case EDEADLK -> "EDEADLK";
            case ENAMETOOLONG -> "ENAMETOOLONG";
            case ENOSYS -> "ENOSYS";
            case EIDRM -> "EIDRM";
            case EADDRINUSE -> "EADDRINUSE";
            default -> "errno " + errno;
        };
        return name + " (" + org.shmconform.backends.linux.LibC.INSTANCE.strerror(errno) + ")";
    }
}
