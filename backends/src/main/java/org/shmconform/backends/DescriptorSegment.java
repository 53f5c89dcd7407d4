package org.shmconform.backends;

import org.shmconform.backends.linux.Errno;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.OfdLock;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.SegmentError;

/**
 * A segment reached through one file descriptor (a tmpfs file or a memfd), mapped MAP_SHARED,
 * whose lock is an OFD write lock on the byte at {@link #LOCK_START} of that file.
 *
 * <p>The lock byte lies far past any segment's end: OFD locks may cover offsets past EOF, so the
 * lock takes nothing out of the user's bytes and never changes the file's size. Every opener of
 * the inode has its own open file description, so the lock excludes across processes and across
 * objects in one process (as Qt's semaphore does), and the kernel drops it when the holder dies.
 *
 * <p>The descriptor is always opened O_RDWR, also for a ReadOnly attach: an OFD write lock needs
 * a writable descriptor (EBADF otherwise). ReadOnly is enforced where Qt's SysV backend enforces
 * it, on the mapping (PROT_READ), so a raw store still dies with SIGSEGV.
 */
public abstract class DescriptorSegment extends SegmentBase {
    /** Offset of the lock byte: 1 TiB, beyond any segment this harness makes. */
    public static final long LOCK_START = 1L << 40;

    private int fd = -1;
    private boolean locked;

    protected DescriptorSegment(String key) {
        super(key);
    }

    /** The descriptor of the attached segment, or -1. */
    protected int fd() {
        return fd;
    }

    protected boolean lockedByMe() {
        return locked;
    }

    /** Records a successful create/attach: from here on the object owns {@code descriptor}. */
    protected void attached(int descriptor, Pointer address, long size, AccessMode mode) {
        this.fd = descriptor;
        mapped(address, size, mode);
    }

    /**
     * The checks create makes before any kernel call, in this order: reset the error, the key
     * ({@link #checkKey}), then the size.
     */
    protected boolean readyToCreate(long size) {
        clearError();
        if (!checkKey("create")) {
            return false;
        }
        if (size <= 0) {
            return fail(SegmentError.InvalidSize, "create: size " + size + " is not positive");
        }
        return true;
    }

    /** The checks attach makes first; an attached object returns false with the error untouched (Qt, P10). */
    protected boolean readyToAttach() {
        if (isAttached()) {
            return false;
        }
        clearError();
        return checkKey("attach");
    }

    /** KeyError when the key is empty or its kernel name too long; {@code function} names the caller. */
    protected abstract boolean checkKey(String function);

    /**
     * attach's last step once {@code descriptor} is the segment's: maps the whole file, records the
     * attachment and drops the step lock. On failure closes the descriptor; {@code statFunction}
     * names the size lookup in the message.
     */
    protected boolean mapAndAttach(int descriptor, boolean stepLocked, AccessMode mode, String statFunction) {
        long size;
        try {
            size = sizeOf(descriptor);
        } catch (IOException e) {
            LibC.INSTANCE.close(descriptor);
            return fail(SegmentError.UnknownError, statFunction + ": " + e.getMessage());
        }
        Pointer address = mapShared(descriptor, size, mode);
        if (address == null) {
            return closeAndFail(descriptor, "attach (mmap " + size + " bytes)", LibC.errno());
        }
        attached(descriptor, address, size, mode);
        unlockStep(descriptor, stepLocked);
        return true;
    }

    /** Closes a descriptor that create/attach will not keep, and fails with errno. */
    protected boolean closeAndFail(int descriptor, String function, int errno) {
        return closeAndFail(descriptor, null, 0, function, errno);
    }

    /** Like {@link #closeAndFail(int, String, int)}, unmapping {@code address} first if not null. */
    protected boolean closeAndFail(int descriptor, Pointer address, long length, String function, int errno) {
        if (address != null) {
            LibC.INSTANCE.munmap(address, length);
        }
        LibC.INSTANCE.close(descriptor);
        return failErrno(function, errno);
    }

    /** Unmaps and closes; closing drops every OFD lock this object held, the segment lock too. */
    protected void unmapAndClose() {
        if (mapping() != null) {
            LibC.INSTANCE.munmap(mapping(), size());
            unmapped();
        }
        if (fd >= 0) {
            LibC.INSTANCE.close(fd);
        }
        fd = -1;
        locked = false;
    }

    @Override
    public boolean lock() {
        if (locked) {
            return true; // Qt: qWarning "already locked", true without acquiring again (P21)
        }
        if (fd < 0) {
            return fail(SegmentError.LockError, "lock: not attached, so there is no descriptor to lock");
        }
        int rc = OfdLock.exclusive(fd, LOCK_START, 1);
        if (rc != 0) {
            return fail(SegmentError.LockError, "lock (F_OFD_SETLKW): " + Errno.describe(rc));
        }
        locked = true;
        return true;
    }

    @Override
    public boolean unlock() {
        if (!locked) {
            return false; // Qt: false, error left as it was (P21)
        }
        locked = false;
        int rc = OfdLock.unlock(fd, LOCK_START, 1);
        if (rc != 0) {
            return fail(SegmentError.LockError, "unlock (F_OFD_SETLK F_UNLCK): " + Errno.describe(rc));
        }
        return true;
    }

    /**
     * Takes the segment lock around a create/attach/detach step, as Qt's QSharedMemoryLocker does,
     * unless this object already holds it. Returns whether the caller must release it.
     */
    protected static boolean lockStep(int descriptor, boolean alreadyHeld) {
        return !alreadyHeld && OfdLock.exclusive(descriptor, LOCK_START, 1) == 0;
    }

    protected static void unlockStep(int descriptor, boolean taken) {
        if (taken) {
            OfdLock.unlock(descriptor, LOCK_START, 1);
        }
    }

    /** ftruncate on the descriptor, as an untrusted peer could do. */
    @Override
    public boolean truncateBacking(long length) {
        if (fd < 0) {
            return fail(SegmentError.NotFound, "truncateBacking: not attached");
        }
        if (LibC.INSTANCE.ftruncate(fd, length) != 0) {
            return failErrno("truncateBacking (ftruncate)", LibC.errno());
        }
        return true;
    }

    @Override
    public void close() {
        detach();
    }

    /** mmap(MAP_SHARED) of the first {@code length} bytes; null when it failed (errno is set). */
    protected static Pointer mapShared(int descriptor, long length, AccessMode mode) {
        int prot = mode == AccessMode.ReadOnly ? LibC.PROT_READ : LibC.PROT_READ | LibC.PROT_WRITE;
        Pointer p = LibC.INSTANCE.mmap(null, length, prot, LibC.MAP_SHARED, descriptor, 0);
        return p == null || Pointer.nativeValue(p) == LibC.MAP_FAILED ? null : p;
    }

    /** The magic link through which this process reaches its own descriptor. */
    public static Path fdPath(int descriptor) {
        return Path.of("/proc/self/fd/" + descriptor);
    }

    /** st_size of the file behind a descriptor (stat follows the /proc magic link). */
    protected static long sizeOf(int descriptor) throws IOException {
        return Files.size(fdPath(descriptor));
    }
}
