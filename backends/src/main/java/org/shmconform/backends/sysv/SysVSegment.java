package org.shmconform.backends.sysv;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.AccessMode;
import org.shmconform.backends.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.SegmentBase;
import org.shmconform.backends.SegmentError;
import org.shmconform.backends.linux.LibC;

/**
 * One {@code QSharedMemory} object of Qt 6.4's System V build, mirroring qsharedmemory.cpp and
 * qsharedmemory_systemv.cpp call for call, so that Java and Qt processes meet on one segment and
 * one lock: key file {@code <tmp>/qipc_sharedmemory_<name>}, {@code ftok(file,'Q')},
 * {@code shmget(IPC_CREAT|IPC_EXCL|0600)}, and a last detacher (shm_nattch == 0 after shmdt) that
 * runs IPC_RMID and unlinks the key file. create/attach/detach hold the lock as
 * {@code QSharedMemoryLocker} does, including its quirk of releasing a lock the caller already held.
 */
final class SysVSegment extends SegmentBase {
    private final Path keyFile;
    private final SysVSemaphore semaphore;
    /** Qt's {@code unix_key}: 0 until handle() ftoks the key file; reset by every initKey/detach. */
    private int unixKey;
    private boolean lockedByMe;

    SysVSegment(String key, Path tempDir) {
        super(key);
        this.keyFile = key().isEmpty() ? null : QtKeys.systemVKeyFile(tempDir, key(), QtKeys.SHARED_MEMORY_PREFIX);
        this.semaphore = new SysVSemaphore(tempDir);
    }

    @Override
    public String nativeKey() {
        return keyFile == null ? "" : keyFile.toString();
    }

    @Override
    public boolean create(long size, AccessMode mode) {
        if (!initKey()) {
            return false;
        }
        // Qt: take ownership and force the initial value, the semaphore may be left from a crash.
        semaphore.setKey(key(), 1, SysVSemaphore.Mode.Create);
        if (!lockFor("QSharedMemory::create")) {
            return false;
        }
        try {
            if (size <= 0) {
                // Qt's own wording, typo included.
                return fail(SegmentError.InvalidSize, "QSharedMemory::create: create size is less then 0");
            }
            return createSegment(size) && attachSegment(mode);
        } finally {
            unlock();
        }
    }

    @Override
    public boolean attach(AccessMode mode) {
        if (isAttached() || !initKey()) {
            return false;
        }
        if (!lockFor("QSharedMemory::attach")) {
            return false;
        }
        try {
            if (isAttached() || handle() == 0) {
                return false;
            }
            return attachSegment(mode);
        } finally {
            unlock();
        }
    }

    @Override
    public boolean detach() {
        if (!isAttached()) {
            return false;
        }
        if (!lockFor("QSharedMemory::detach")) {
            return false;
        }
        try {
            return detachSegment();
        } finally {
            unlock();
        }
    }

    @Override
    public boolean lock() {
        if (lockedByMe) {
            return true; // Qt warns "already locked" and does not acquire again
        }
        if (semaphore.acquire()) {
            lockedByMe = true;
            return true;
        }
        return fail(SegmentError.LockError, "QSharedMemory::lock: unable to lock (" + semaphore.errorString() + ")");
    }

    @Override
    public boolean unlock() {
        if (!lockedByMe) {
            return false;
        }
        lockedByMe = false;
        if (semaphore.release()) {
            return true;
        }
        return fail(SegmentError.LockError, "QSharedMemory::unlock: unable to unlock (" + semaphore.errorString() + ")");
    }

    /** The destructor: {@code setKey(QString())} detaches, then ~QSystemSemaphore cleans its handle. */
    @Override
    public void close() {
        if (isAttached()) {
            detach();
        }
        unixKey = 0;
        semaphore.cleanHandle();
    }

    /** {@code QSharedMemoryLocker} + {@code tryLocker}: on failure the error is LockError. */
    private boolean lockFor(String function) {
        if (lock()) {
            return true;
        }
        return fail(SegmentError.LockError, function + ": unable to lock (" + semaphore.errorString() + ")");
    }

    /** {@code initKey}: forget the ftok key and re-key the semaphore (Open), which resets errors. */
    private boolean initKey() {
        unixKey = 0;
        semaphore.setKey("", 1, SysVSemaphore.Mode.Open);
        semaphore.setKey(key(), 1, SysVSemaphore.Mode.Open);
        if (semaphore.error() != SegmentError.NoError) {
            return fail(semaphore.error(),
                    "QSharedMemoryPrivate::initKey: unable to set key on lock (" + semaphore.errorString() + ")");
        }
        clearError();
        return true;
    }

    /** {@code QSharedMemoryPrivate::handle}: ftok of the key file, which must already exist. */
    private int handle() {
        if (unixKey != 0) {
            return unixKey;
        }
        if (keyFile == null) {
            fail(SegmentError.KeyError, "QSharedMemory::handle:: key is empty");
            return 0;
        }
        if (!Files.exists(keyFile)) {
            fail(SegmentError.NotFound, "QSharedMemory::handle:: UNIX key file doesn't exist");
            return 0;
        }
        int key = SysVCalls.ftok(keyFile);
        if (key == -1) {
            fail(SegmentError.KeyError, "QSharedMemory::handle:: ftok failed: " + Errno.describe(LibC.errno()));
            return 0;
        }
        unixKey = key;
        return unixKey;
    }

    private boolean createSegment(long size) {
        int built = SysVCalls.createKeyFile(keyFile);
        if (built < 0) {
            return fail(SegmentError.KeyError,
                    "QSharedMemory::handle:: unable to make key (open: " + Errno.describe(-built) + ")");
        }
        boolean createdFile = built == 1;
        if (handle() == 0) {
            if (createdFile) {
                LibC.INSTANCE.unlink(keyFile.toString());
            }
            return false;
        }
        if (LibC.INSTANCE.shmget(unixKey, size, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL) == -1) {
            int errno = LibC.errno();
            if (errno == Errno.EINVAL) {
                fail(SegmentError.InvalidSize, "QSharedMemory::handle: system-imposed size restrictions (shmget: "
                        + Errno.describe(errno) + ")");
            } else {
                failErrno("QSharedMemory::create (shmget)", errno);
            }
            if (createdFile && error() != SegmentError.AlreadyExists) {
                LibC.INSTANCE.unlink(keyFile.toString());
            }
            return false;
        }
        return true;
    }

    private boolean attachSegment(AccessMode mode) {
        boolean readOnly = mode == AccessMode.ReadOnly;
        int id = LibC.INSTANCE.shmget(unixKey, 0, readOnly ? 0400 : 0600);
        if (id == -1) {
            return failErrno("QSharedMemory::attach (shmget)", LibC.errno());
        }
        Pointer memory = LibC.INSTANCE.shmat(id, null, readOnly ? LibC.SHM_RDONLY : 0);
        if (SysVCalls.isMapFailed(memory)) {
            return failErrno("QSharedMemory::attach (shmat)", LibC.errno());
        }
        Memory ds = SysVCalls.shmStat(id);
        if (ds == null) {
            // Qt stays attached here; we detach so no mapping is left without a size.
            int errno = LibC.errno();
            LibC.INSTANCE.shmdt(memory);
            return failErrno("QSharedMemory::attach (shmctl IPC_STAT)", errno);
        }
        mapped(memory, ds.getLong(LibC.SHMID_DS_SEGSZ), mode);
        return true;
    }

    /** shmdt, then IPC_STAT: the detacher that leaves shm_nattch at 0 removes segment and key file. */
    private boolean detachSegment() {
        if (LibC.INSTANCE.shmdt(mapping()) == -1) {
            int errno = LibC.errno();
            if (errno == Errno.EINVAL) {
                return fail(SegmentError.NotFound, "QSharedMemory::detach: not attached");
            }
            return failErrno("QSharedMemory::detach (shmdt)", errno);
        }
        unmapped();

        // Qt looks the id up again with the cached key, then forgets the key (cleanHandle).
        int id = LibC.INSTANCE.shmget(unixKey, 0, 0400);
        unixKey = 0;
        Memory ds = SysVCalls.shmStat(id);
        if (ds == null) {
            return LibC.errno() == Errno.EINVAL; // already removed: fine
        }
        if (ds.getLong(LibC.SHMID_DS_NATTCH) == 0) {
            if (LibC.INSTANCE.shmctl(id, LibC.IPC_RMID, null) == -1) {
                int errno = LibC.errno();
                failErrno("QSharedMemory::remove (shmctl IPC_RMID)", errno);
                return errno == Errno.EINVAL;
            }
            return LibC.INSTANCE.unlink(keyFile.toString()) == 0;
        }
        return true;
    }
}
