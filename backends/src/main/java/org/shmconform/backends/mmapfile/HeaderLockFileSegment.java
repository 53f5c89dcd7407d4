package org.shmconform.backends.mmapfile;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.SegmentError;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.LockCalls;
import org.shmconform.backends.linux.OfdLock;

/**
 * A tmpfs file like {@link MmapFileSegment}'s, whose user lock lives in the file itself: one header
 * page before the user's bytes holds an {@link InSegmentLock} at offset 0 and a layout tag. The
 * header is mapped read-write by every attacher (a ReadOnly attach can still lock); the user's
 * bytes are a second mapping at file offset one page, PROT_READ for ReadOnly, so the bytes start
 * page-aligned and truncation past them faults exactly as with mmapfile. size() and every offset
 * are the user's; the file is one page longer. truncateBacking(n) makes the file page + n bytes,
 * so no peer of the API can cut the lock away.
 *
 * <p>create, attach and detach keep mmapfile's OFD step lock and attach count (a byte past the
 * end of the file): they are not the user's lock, so a holder that dies with the in-segment lock
 * taken does not stop others from attaching, detaching and removing the file (which removes its
 * lock with it). detach (and close) releases the in-segment lock if this object holds it, as
 * closing mmapfile's descriptor drops its OFD lock.
 */
class HeaderLockFileSegment extends KeyFileSegment {
    static final int PAGE = LockCalls.INSTANCE.getpagesize();
    /** Header offset of the layout tag, past any lock (a pthread mutex is 40 bytes). */
    static final int TAG_OFFSET = 64;
    private static final int NAME_MAX = 255;

    private final Path dir;
    private final Path file;
    private final InSegmentLock lock;
    private final byte[] tag;
    private Pointer header;
    private boolean userLocked;
    private boolean ownerDied;

    HeaderLockFileSegment(String key, Path dir, Path file, InSegmentLock lock, String tag) {
        super(key);
        this.dir = dir;
        this.file = file;
        this.lock = lock;
        this.tag = (tag + "\0").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String nativeKey() {
        return file == null ? "" : file.toString();
    }

    /** The header page of the attached segment (tests read the lock word through it), or null. */
    Pointer header() {
        return header;
    }

    @Override
    public boolean create(long size, AccessMode mode) {
        if (!readyToCreate(size)) {
            return false;
        }
        if (isAttached() || Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return fail(SegmentError.AlreadyExists, "create: " + file + " already exists");
        }
        if (size > Long.MAX_VALUE - PAGE) {
            return fail(SegmentError.OutOfResources, "create: " + size + " bytes and a header page do not fit a file");
        }
        int fd = LibC.INSTANCE.open(dir.toString(), LibC.O_TMPFILE | LibC.O_RDWR | LibC.O_CLOEXEC, 0600);
        if (fd < 0) {
            return failErrno("create (open O_TMPFILE in " + dir + ")", LibC.errno());
        }
        // Unreachable until linkat, so granted at once; attachers wait on them until the file is complete.
        OfdLock.exclusive(fd, LOCK_START, 1);
        OfdLock.shared(fd, ATTACHED_START, 1);
        long fileLength = PAGE + size;
        if (LibC.INSTANCE.ftruncate(fd, fileLength) != 0) {
            return closeAndFail(fd, "create (ftruncate)", LibC.errno());
        }
        int rc = LibC.INSTANCE.posix_fallocate(fd, 0, fileLength);
        if (rc != 0) {
            return closeAndFail(fd, "create (posix_fallocate)", rc);
        }
        Pointer newHeader = mapHeader(fd);
        if (newHeader == null) {
            return closeAndFail(fd, "create (mmap header)", LibC.errno());
        }
        rc = lock.initialise(newHeader);
        if (rc != 0) {
            LibC.INSTANCE.munmap(newHeader, PAGE);
            return closeAndFail(fd, "create (initialise " + lock.describe() + ")", rc);
        }
        newHeader.write(TAG_OFFSET, tag, 0, tag.length);
        Pointer data = mapData(fd, size, mode);
        if (data == null) {
            LibC.INSTANCE.munmap(newHeader, PAGE);
            return closeAndFail(fd, "create (mmap)", LibC.errno());
        }
        if (LibC.INSTANCE.linkat(LibC.AT_FDCWD, fdPath(fd).toString(), LibC.AT_FDCWD, file.toString(),
                LibC.AT_SYMLINK_FOLLOW) != 0) {
            LibC.INSTANCE.munmap(newHeader, PAGE);
            return closeAndFail(fd, data, size, "create (linkat " + file + ")", LibC.errno());
        }
        header = newHeader;
        attached(fd, data, size, mode);
        unlockStep(fd, true);
        return true;
    }

    @Override
    Path file() {
        return file;
    }

    @Override
    boolean mapAttached(int fd, boolean stepLocked, AccessMode mode) {
        boolean ok = mapBoth(fd, mode);
        unlockStep(fd, stepLocked && ok);
        return ok;
    }

    /** attach's last step: checks the header's layout tag and maps header and bytes; closes fd on failure. */
    private boolean mapBoth(int fd, AccessMode mode) {
        long fileLength;
        try {
            fileLength = sizeOf(fd);
        } catch (IOException e) {
            LibC.INSTANCE.close(fd);
            return fail(SegmentError.UnknownError, "attach (stat " + file + "): " + e.getMessage());
        }
        if (fileLength < PAGE) {
            LibC.INSTANCE.close(fd);
            return fail(SegmentError.UnknownError, "attach: " + file + " (" + fileLength + " bytes) is shorter than its header page");
        }
        Pointer newHeader = mapHeader(fd);
        if (newHeader == null) {
            return closeAndFail(fd, "attach (mmap header)", LibC.errno());
        }
        if (!java.util.Arrays.equals(newHeader.getByteArray(TAG_OFFSET, tag.length), tag)) {
            LibC.INSTANCE.munmap(newHeader, PAGE);
            LibC.INSTANCE.close(fd);
            return fail(SegmentError.UnknownError, "attach: " + file + " does not carry the header of "
                    + new String(tag, 0, tag.length - 1, StandardCharsets.US_ASCII));
        }
        long size = fileLength - PAGE;
        Pointer data = mapData(fd, size, mode);
        if (data == null) {
            LibC.INSTANCE.munmap(newHeader, PAGE);
            return closeAndFail(fd, "attach (mmap " + size + " bytes)", LibC.errno());
        }
        header = newHeader;
        attached(fd, data, size, mode);
        return true;
    }

    @Override
    public boolean detach() {
        if (!isAttached()) {
            return false; // Qt: false, error untouched (P11)
        }
        if (userLocked) {
            unlock(); // the lock word goes away with our mapping: leave it free, as closing an OFD lock does
        }
        int fd = fd();
        lockStep(fd, false); // released with the descriptor below
        unmapAndRemoveIfLast(fd);
        return true;
    }

    private void unmapAndRemoveIfLast(int fd) {
        LibC.INSTANCE.munmap(mapping(), size());
        unmapped();
        LibC.INSTANCE.munmap(header, PAGE);
        header = null;
        boolean last = OfdLock.tryExclusive(fd, ATTACHED_START, 1) == 0;
        if (last && isFileAtPath(fd)) {
            LibC.INSTANCE.unlink(file.toString());
        }
        unmapAndClose(); // closes the descriptor: the mapping is already gone
    }

    @Override
    public boolean lock() {
        if (userLocked) {
            ownerDied = false; // this lock() took nothing over: it already held the lock
            return true; // Qt: "already locked", true without acquiring again (P21)
        }
        if (header == null) {
            return fail(SegmentError.LockError, "lock: not attached, so there is no lock to take");
        }
        return took(lock.lock(header), "lock");
    }

    /** Takes the lock only if it is free now (never waits): what a test uses to show a lock that stays taken. */
    boolean tryLock() {
        if (userLocked) {
            return true;
        }
        if (header == null) {
            return fail(SegmentError.LockError, "tryLock: not attached");
        }
        return took(lock.tryLock(header), "tryLock");
    }

    private boolean took(InSegmentLock.Outcome outcome, String function) {
        ownerDied = false;
        if (!outcome.acquired()) {
            return fail(SegmentError.LockError, function + " (" + lock.describe() + "): " + Errno.describe(outcome.errno()));
        }
        userLocked = true;
        ownerDied = outcome.ownerDied();
        return true;
    }

    @Override
    public boolean unlock() {
        if (!userLocked) {
            return false; // Qt: false, error left as it was (P21)
        }
        int rc = lock.unlock(header);
        // EPERM: a robust mutex unlocked from a thread that does not own it is still held, by its owner thread.
        userLocked = rc == Errno.EPERM;
        if (rc != 0) {
            return fail(SegmentError.LockError, "unlock (" + lock.describe() + "): " + Errno.describe(rc));
        }
        return true;
    }

    /** Whether the last successful lock() took the lock over from a holder that had died (only a robust lock can tell). */
    boolean lastLockFoundOwnerDead() {
        return ownerDied;
    }

    /** ftruncate to page + length: the user's bytes end at {@code length}, the header stays. */
    @Override
    public boolean truncateBacking(long length) {
        if (fd() < 0) {
            return fail(SegmentError.NotFound, "truncateBacking: not attached");
        }
        if (LibC.INSTANCE.ftruncate(fd(), length < 0 ? length : PAGE + length) != 0) {
            return failErrno("truncateBacking (ftruncate)", LibC.errno());
        }
        return true;
    }

    @Override
    protected boolean checkKey(String function) {
        if (file == null) {
            return fail(SegmentError.KeyError, function + ": key is empty");
        }
        int length = file.getFileName().toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > NAME_MAX) {
            return fail(SegmentError.KeyError, function + ": file name of " + length
                    + " bytes is longer than NAME_MAX " + NAME_MAX + " (ENAMETOOLONG)");
        }
        return true;
    }

    private static Pointer mapHeader(int fd) {
        Pointer p = LibC.INSTANCE.mmap(null, PAGE, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        return p == null || Pointer.nativeValue(p) == LibC.MAP_FAILED ? null : p;
    }

    private static Pointer mapData(int fd, long size, AccessMode mode) {
        int prot = mode == AccessMode.ReadOnly ? LibC.PROT_READ : LibC.PROT_READ | LibC.PROT_WRITE;
        Pointer p = LibC.INSTANCE.mmap(null, size, prot, LibC.MAP_SHARED, fd, PAGE);
        return p == null || Pointer.nativeValue(p) == LibC.MAP_FAILED ? null : p;
    }
}
