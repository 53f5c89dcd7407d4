package org.shmconform.backends.sysv;

import java.nio.file.Path;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.QtSystemSemaphore;
import org.shmconform.spi.SegmentError;
import org.shmconform.backends.linux.LibC;

/**
 * Qt 6.4's System V {@code QSystemSemaphore}, step for step, because a real Qt process shares it:
 * key file {@code <tmp>/qipc_systemsem_<name>} (made if missing, 0640), {@code ftok(file,'Q')},
 * {@code semget(nsems=1, 0600|IPC_CREAT|IPC_EXCL)} falling back to the existing set on EEXIST, and
 * {@code semop(±1, SEM_UNDO)} so a killed holder's acquire is undone by the kernel.
 *
 * <p>Ownership follows Qt exactly: the object that created the set (or asked for
 * {@link Mode#Create}, which {@code QSharedMemory::create} does) sets its value and later removes
 * it and its key file in {@link #cleanHandle()} — on every re-key as well as on destruction.
 */
final class SysVSemaphore extends QtSystemSemaphore {
    /** Bound on Qt's "semaphore was removed, re-create it and retry" recursion. */
    private static final int MAX_RECREATE_RETRIES = 8;

    private final Path tempDir;
    private Path fileName;
    private int unixKey = -1;
    private int semaphore = -1;
    private boolean createdFile;
    private boolean createdSemaphore;

    /** Like {@code QSystemSemaphore(QString())}: no key, so acquire() fails with KeyError. */
    SysVSemaphore(Path tempDir) {
        this.tempDir = tempDir;
    }

    @Override
    protected void keyChanged(String newKey) {
        fileName = newKey.isEmpty() ? null : QtKeys.systemVKeyFile(tempDir, newKey, QtKeys.SYSTEM_SEMAPHORE_PREFIX);
    }

    /** Qt's "same key, Create" shortcut: a set and key file this object made are kept. */
    @Override
    protected boolean keepsOwnedHandleOnCreate() {
        return createdSemaphore && createdFile;
    }

    /** Forgets the ftok key first, so the shortcut above really runs handle() again. */
    @Override
    protected void open(Mode mode) {
        unixKey = -1;
        handle(mode);
    }

    /** {@code QSystemSemaphorePrivate::handle}: the ftok key, or -1 with the error set. */
    private int handle(Mode mode) {
        if (key().isEmpty()) {
            return failKey("QSystemSemaphore::handle:: key is empty");
        }
        if (unixKey != -1) {
            return unixKey;
        }
        int built = SysVCalls.createKeyFile(fileName);
        if (built < 0) {
            return failKey(
                    "QSystemSemaphore::handle:: unable to make key (open " + fileName + ": " + Errno.describe(-built) + ")");
        }
        createdFile = built == 1;

        unixKey = SysVCalls.ftok(fileName);
        if (unixKey == -1) {
            return failKey("QSystemSemaphore::handle:: ftok failed: " + Errno.describe(LibC.errno()));
        }

        semaphore = LibC.INSTANCE.semget(unixKey, 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        if (semaphore == -1) {
            int errno = LibC.errno();
            if (errno == Errno.EEXIST) {
                semaphore = LibC.INSTANCE.semget(unixKey, 1, 0600 | LibC.IPC_CREAT);
                errno = LibC.errno();
            }
            if (semaphore == -1) {
                failErrno("QSystemSemaphore::handle (semget)", errno);
                cleanHandle();
                return -1;
            }
        } else {
            createdSemaphore = true;
            // Qt: force cleanup of the file, it may be left over from a crash.
            createdFile = true;
        }

        if (mode == Mode.Create) {
            createdSemaphore = true;
            createdFile = true;
        }

        if (createdSemaphore && initialValue() >= 0
                && LibC.INSTANCE.semctl(semaphore, 0, LibC.SETVAL, initialValue()) == -1) {
            failErrno("QSystemSemaphore::handle (semctl SETVAL)", LibC.errno());
            cleanHandle();
            return -1;
        }
        return unixKey;
    }

    /** {@code QSystemSemaphorePrivate::cleanHandle}: forgets the key, removes what this object owns. */
    @Override
    public void cleanHandle() {
        unixKey = -1;
        if (createdFile) {
            LibC.INSTANCE.unlink(fileName.toString());
            createdFile = false;
        }
        if (createdSemaphore) {
            if (semaphore != -1) {
                if (LibC.INSTANCE.semctl(semaphore, 0, LibC.IPC_RMID) == -1) {
                    failErrno("QSystemSemaphore::cleanHandle (semctl IPC_RMID)", LibC.errno());
                }
                semaphore = -1;
            }
            createdSemaphore = false;
        }
    }

    @Override
    protected boolean modifySemaphore(int count, int retries) {
        if (handle(Mode.Open) == -1) {
            return false;
        }
        int errno = SysVCalls.semop(semaphore, (short) count);
        if (errno != 0) {
            // Qt: if the semaphore was removed, be nice: create it again and retry.
            if ((errno == Errno.EINVAL || errno == Errno.EIDRM) && retries < MAX_RECREATE_RETRIES) {
                semaphore = -1;
                cleanHandle();
                handle(Mode.Open);
                return modifySemaphore(count, retries + 1);
            }
            failErrno("QSystemSemaphore::modifySemaphore (semop)", errno);
            return false;
        }
        clearError();
        return true;
    }

    /** handle()'s failures that are KeyError; -1 is its "no key" result. */
    private int failKey(String message) {
        fail(SegmentError.KeyError, message);
        return -1;
    }
}
