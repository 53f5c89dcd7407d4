package org.shmconform.backends.posix;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.QtStyleSegment;
import org.shmconform.spi.SegmentError;
import org.shmconform.backends.linux.LibC;

/**
 * One {@code QSharedMemory} object of a Qt 6.4 build with QT_POSIX_IPC: names
 * {@code /qipc_sharedmemory_<name>} for shm_open and {@code /qipc_systemsem_<name>} for the lock,
 * create = shm_open(O_CREAT|O_EXCL, 0600) + ftruncate, attach = shm_open + fstat + mmap +
 * (ignored) F_SEAL_SHRINK, and create/attach/detach under the lock as Qt's QSharedMemoryLocker does.
 *
 * <p>Two deliberate differences from Qt, which "simply leaks" POSIX objects (P13):
 * <ul>
 * <li><b>The last detach destroys</b>, as QSharedMemory is documented to. Each attached object
 * keeps its descriptor open with a shared OFD lock on it ({@link OfdAttachCount}); detach unmaps,
 * and if it can take the exclusive lock nobody else is attached, so it shm_unlinks the name.
 * Killed processes lose their locks, so after a crash the object survives (the name stays) until
 * an attach + detach removes it, like System V. An attacher that opened the name just before a
 * detacher unlinked it waits for the detacher's exclusive lock, then finds {@code st_nlink == 0}
 * and fails with NotFound instead of attaching to a dead object.</li>
 * <li><b>create reserves the memory</b> with posix_fallocate, so a full /dev/shm fails create with
 * ENOSPC (OutOfResources) instead of killing a later writer with SIGBUS; a failed create
 * unlinks what it made.</li>
 * </ul>
 */
final class PosixSegment extends QtStyleSegment {
    private final String shmName;
    /** Qt's {@code hand}: the descriptor of the attached object, carrying the attach-count lock. */
    private int fd = -1;

    PosixSegment(String key) {
        super(key, new PosixSemaphore());
        this.shmName = QtKeys.posixName(key(), QtKeys.SHARED_MEMORY_PREFIX);
    }

    @Override
    public String nativeKey() {
        return shmName;
    }

    /** Keeps the descriptor made by create open until attachObject has joined the attach count. */
    @Override
    protected boolean createAndAttachLocked(long size, AccessMode mode) {
        int creation = createObject(size);
        try {
            return creation != -1 && attachObject(mode);
        } finally {
            if (creation != -1) {
                LibC.INSTANCE.close(creation); // only now: it counted as attached until attachObject joined
            }
        }
    }

    @Override
    protected boolean attachLocked(AccessMode mode) {
        return attachObject(mode);
    }

    /** Shrinks the object through our descriptor, as an untrusted peer could (SIGBUS provocation). */
    @Override
    public boolean truncateBacking(long length) {
        if (fd == -1) {
            return fail(SegmentError.NotFound, "truncateBacking: not attached");
        }
        if (LibC.INSTANCE.ftruncate(fd, length) == -1) {
            return failErrno("truncateBacking (ftruncate)", LibC.errno());
        }
        return true;
    }

    /**
     * Qt's cleanHandle in {@code initKey} would also close the descriptor; we keep it while
     * attached because it carries our attach-count lock.
     */
    @Override
    protected void forgetHandleForNewKey() {
        if (!isAttached()) {
            closeHandle();
        }
    }

    @Override
    protected void releaseHandle() {
        closeHandle();
    }

    /**
     * Makes and sizes the object. Returns its descriptor, already counted as attached so that no
     * other detacher can unlink it before our attach joins, or -1 with the error set.
     */
    private int createObject(long size) {
        if (shmName.isEmpty()) {
            fail(SegmentError.KeyError, "QSharedMemory::handle: key is empty");
            return -1;
        }
        int created = shmOpen(LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL, 0600);
        if (created == -1) {
            shmOpenFailed("QSharedMemory::create (shm_open)", LibC.errno());
            return -1;
        }
        String failed = null;
        int errno = 0;
        if (LibC.INSTANCE.ftruncate(created, size) == -1) {
            failed = "QSharedMemory::create (ftruncate)";
            errno = LibC.errno();
        } else if ((errno = fallocate(created, size)) != 0) {
            failed = "QSharedMemory::create (posix_fallocate)";
        } else if ((errno = OfdAttachCount.join(created)) != 0) {
            failed = "QSharedMemory::create (F_OFD_SETLKW)";
        }
        if (failed != null) {
            failErrno(failed, errno);
            LibC.INSTANCE.close(created);
            LibC.INSTANCE.shm_unlink(shmName);
            return -1;
        }
        return created;
    }

    private boolean attachObject(AccessMode mode) {
        boolean readOnly = mode == AccessMode.ReadOnly;
        // Read-write descriptor even for ReadOnly (the mapping is what is read-only): the exclusive
        // attach-count lock needs it. Without write permission, fall back to Qt's O_RDONLY.
        int opened = shmOpen(LibC.O_RDWR, 0600);
        if (opened == -1 && readOnly && LibC.errno() == Errno.EACCES) {
            opened = shmOpen(LibC.O_RDONLY, 0400);
        }
        if (opened == -1) {
            return shmOpenFailed("QSharedMemory::attach (shm_open)", LibC.errno());
        }
        int errno = OfdAttachCount.join(opened);
        if (errno != 0) {
            LibC.INSTANCE.close(opened);
            return failErrno("QSharedMemory::attach (F_OFD_SETLKW)", errno);
        }
        Memory stat = new Memory(LibC.STAT_SIZE);
        if (LibC.INSTANCE.fstat(opened, stat) == -1) {
            errno = LibC.errno();
            LibC.INSTANCE.close(opened);
            return failErrno("QSharedMemory::attach (fstat)", errno);
        }
        if (stat.getLong(LibC.STAT_NLINK) == 0) {
            LibC.INSTANCE.close(opened);
            return fail(SegmentError.NotFound,
                    "QSharedMemory::attach: " + shmName + " was removed by the last detacher while we opened it");
        }
        if (stat.getLong(LibC.STAT_NLINK) > 1) {
            // No segment of a run has two names: a hard link another user made at the key's name (where
            // fs.protected_hardlinks is 0) leads to someone else's file, which a root worker must not map, write or shrink.
            LibC.INSTANCE.close(opened);
            return fail(SegmentError.UnknownError, "QSharedMemory::attach: " + shmName + " has " + stat.getLong(LibC.STAT_NLINK)
                    + " names: another file linked at the key's name, not attached");
        }
        long size = stat.getLong(LibC.STAT_ST_SIZE);
        int prot = readOnly ? LibC.PROT_READ : LibC.PROT_READ | LibC.PROT_WRITE;
        Pointer memory = LibC.INSTANCE.mmap(null, size, prot, LibC.MAP_SHARED, opened, 0);
        if (memory == null || Pointer.nativeValue(memory) == LibC.MAP_FAILED) {
            errno = LibC.errno();
            LibC.INSTANCE.close(opened);
            return failErrno("QSharedMemory::attach (mmap)", errno);
        }
        // Qt asks for F_SEAL_SHRINK and ignores the answer (shm_open objects refuse seals, P17).
        LibC.INSTANCE.fcntl(opened, LibC.F_ADD_SEALS, LibC.F_SEAL_SHRINK);
        fd = opened;
        mapped(memory, size, mode);
        return true;
    }

    /** munmap, then unlink the name if this was the last attached descriptor, then close it. */
    @Override
    protected boolean detachLocked() {
        if (LibC.INSTANCE.munmap(mapping(), size()) == -1) {
            return failErrno("QSharedMemory::detach (munmap)", LibC.errno());
        }
        unmapped();
        if (OfdAttachCount.leaveAndCheckLast(fd)
                && LibC.INSTANCE.shm_unlink(shmName) == -1 && LibC.errno() != Errno.ENOENT) {
            failErrno("QSharedMemory::detach (shm_unlink)", LibC.errno());
        }
        closeHandle();
        return true;
    }

    private void closeHandle() {
        if (fd != -1) {
            LibC.INSTANCE.close(fd);
            fd = -1;
        }
    }

    private int shmOpen(int flags, int mode) {
        while (true) {
            int opened = LibC.INSTANCE.shm_open(shmName, flags | LibC.O_CLOEXEC, mode);
            if (opened != -1 || LibC.errno() != Errno.EINTR) {
                return opened;
            }
        }
    }

    /** Qt maps EINVAL from shm_open to KeyError ("bad name"), the rest with its errno table. */
    private boolean shmOpenFailed(String function, int errno) {
        if (errno == Errno.EINVAL) {
            return fail(SegmentError.KeyError, function + ": bad name (" + Errno.describe(errno) + ")");
        }
        return failErrno(function, errno);
    }

    private static int fallocate(int descriptor, long size) {
        int rc;
        do {
            rc = LibC.INSTANCE.posix_fallocate(descriptor, 0, size);
        } while (rc == Errno.EINTR);
        return rc;
    }
}
