package org.shmconform.backends.sysv;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.QtStyleSegment;
import org.shmconform.spi.SegmentError;
import org.shmconform.backends.linux.LibC;

/**
 * One {@code QSharedMemory} object of Qt 6.4's System V build, mirroring qsharedmemory.cpp and
 * qsharedmemory_systemv.cpp call for call, so that Java and Qt processes meet on one segment and
 * one lock: key file {@code <tmp>/qipc_sharedmemory_<name>}, {@code ftok(file,'Q')},
 * {@code shmget(IPC_CREAT|IPC_EXCL|0600)}, and a last detacher (shm_nattch == 0 after shmdt) that
 * runs IPC_RMID and unlinks the key file. create/attach/detach hold the lock as
 * {@code QSharedMemoryLocker} does, including its quirk of releasing a lock the caller already held.
 */
final class SysVSegment extends QtStyleSegment {
    private final Path keyFile;
    /** Qt's {@code unix_key}: 0 until handle() ftoks the key file; reset by every initKey/detach. */
    private int unixKey;

    SysVSegment(String key, Path tempDir) {
        super(key, new SysVSemaphore(tempDir));
        this.keyFile = key().isEmpty() ? null : QtKeys.systemVKeyFile(tempDir, key(), QtKeys.SHARED_MEMORY_PREFIX);
    }

    @Override
    public String nativeKey() {
        return keyFile == null ? "" : keyFile.toString();
    }

    @Override
    protected boolean createAndAttachLocked(long size, AccessMode mode) {
        return createSegment(size) && attachSegment(mode);
    }

    @Override
    protected boolean attachLocked(AccessMode mode) {
        return handle() != 0 && attachSegment(mode);
    }

    /** {@code initKey} forgets the ftok key. */
    @Override
    protected void forgetHandleForNewKey() {
        unixKey = 0;
    }

    @Override
    protected void releaseHandle() {
        unixKey = 0;
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
    @Override
    protected boolean detachLocked() {
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
