package org.shmconform.backends.mmapfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.DescriptorSegment;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.OfdLock;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;

/**
 * What the two file backends ({@link MmapFileSegment}, {@link HeaderLockFileSegment}) share: a segment is a file at a
 * path in a tmpfs directory, each attached object holds a read lock on the byte after the segment lock (the attach
 * count that a detach reads), and an attach must find its descriptor still to be the file at the path, since a last
 * detacher may unlink the file between the attacher's open and its locks. How the opened file is mapped is each
 * backend's own ({@link #mapAttached}).
 */
abstract class KeyFileSegment extends DescriptorSegment {
    /** The byte every attached object read-locks: the attach count, read by detach. */
    static final long ATTACHED_START = LOCK_START + 1;
    /** Attempts when the file at the path is replaced while we attach. */
    private static final int ATTACH_ATTEMPTS = 3;

    KeyFileSegment(String key) {
        super(key);
    }

    /** The file this object is on, or would attach to. */
    abstract Path file();

    /**
     * attach's last step, on a descriptor of the file at the path that holds the attach count's read lock and, when
     * {@code stepLocked}, the step lock: maps it and records the attach, releases the step lock it took, and closes the
     * descriptor on failure.
     */
    abstract boolean mapAttached(int fd, boolean stepLocked, AccessMode mode);

    @Override
    public boolean attach(AccessMode mode) {
        if (!readyToAttach()) {
            return false;
        }
        for (int attempt = 0; attempt < ATTACH_ATTEMPTS; attempt++) {
            // Never through a link: a key's file may sit in a directory all users write (/dev/shm), where a link planted at
            // the key's name could lead a root worker's writes and truncations to any file.
            int fd = LibC.INSTANCE.open(file().toString(), LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NOFOLLOW);
            if (fd < 0) {
                return failErrno("attach (open " + file() + ")", LibC.errno());
            }
            long names = namesOf(fd);
            if (names > 1) {
                // No segment file of a run has two names: a hard link another user made at the key's name (where
                // fs.protected_hardlinks is 0) leads to someone else's file, which a root worker must not map, write or shrink.
                LibC.INSTANCE.close(fd);
                return fail(SegmentError.UnknownError, "attach: " + file() + " has " + names
                        + " names: another file linked at the key's name, not attached");
            }
            boolean stepLocked = lockStep(fd, false);
            OfdLock.shared(fd, ATTACHED_START, 1);
            if (!isFileAtPath(fd)) {
                LibC.INSTANCE.close(fd); // unlinked (or replaced) by a last detacher since our open
                continue;
            }
            return mapAttached(fd, stepLocked, mode);
        }
        return fail(SegmentError.NotFound, "attach: " + file() + " was removed while attaching");
    }

    /** How many names the file open at {@code fd} has (0 once it is unlinked; 1 if it cannot be read: the open stands). */
    private static long namesOf(int fd) {
        try {
            return ((Number) Files.getAttribute(fdPath(fd), "unix:nlink")).longValue();
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /** Whether {@code fd} still is the file named by the path (same device and inode). */
    boolean isFileAtPath(int fd) {
        try {
            return Files.isSameFile(fdPath(fd), file());
        } catch (IOException gone) {
            return false;
        }
    }
}
