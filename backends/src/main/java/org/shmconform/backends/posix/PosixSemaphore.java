package org.shmconform.backends.posix;

import com.sun.jna.Pointer;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.QtSystemSemaphore;
import org.shmconform.spi.SegmentError;
import org.shmconform.backends.linux.LibC;

/**
 * Qt 6.4's POSIX {@code QSystemSemaphore} (qsystemsemaphore_posix.cpp): a named semaphore
 * {@code /qipc_systemsem_<name>} (in /dev/shm as {@code sem.qipc_systemsem_<name>}), always opened
 * with O_EXCL first so the object knows whether it created it. The creator sem_unlinks it in
 * {@link #cleanHandle()}; {@link Mode#Create} unlinks an existing one and makes a fresh one.
 * Named semaphores have no undo: a holder that dies leaves it at 0 (P20).
 */
final class PosixSemaphore extends QtSystemSemaphore {
    private static final int MAX_REOPEN_RETRIES = 8;

    private String name = "";
    private Pointer semaphore;
    private boolean createdSemaphore;

    @Override
    protected void keyChanged(String newKey) {
        name = QtKeys.posixName(newKey, QtKeys.SYSTEM_SEMAPHORE_PREFIX);
    }

    @Override
    protected void open(Mode mode) {
        handle(mode);
    }

    private boolean handle(Mode mode) {
        if (semaphore != null) {
            return true;
        }
        if (name.isEmpty()) {
            return fail(SegmentError.KeyError, "QSystemSemaphore::handle: key is empty");
        }
        int oflag = LibC.O_CREAT | LibC.O_EXCL;
        int errno = 0;
        for (int tryNum = 0, maxTries = 1; tryNum < maxTries; ++tryNum) {
            do {
                semaphore = LibC.INSTANCE.sem_open(name, oflag, 0600, initialValue());
                errno = semaphore == null ? LibC.errno() : 0;
            } while (semaphore == null && errno == Errno.EINTR);
            if (semaphore == null && errno == Errno.EEXIST) {
                if (mode == Mode.Create) {
                    if (LibC.INSTANCE.sem_unlink(name) == -1 && LibC.errno() != Errno.ENOENT) {
                        return failErrno("QSystemSemaphore::handle (sem_unlink)", LibC.errno());
                    }
                    maxTries = 3; // it may be re-created before our next sem_open
                } else {
                    oflag &= ~LibC.O_EXCL;
                    maxTries = 2; // it may be gone before our next sem_open (Qt then leaks it)
                }
            } else {
                break;
            }
        }
        if (semaphore == null) {
            return failErrno("QSystemSemaphore::handle (sem_open)", errno);
        }
        createdSemaphore = (oflag & LibC.O_EXCL) != 0;
        if (!createdSemaphore) {
            String refusal = SemaphoreFileCheck.refusalOf(semaphore, name);
            if (refusal != null) {
                LibC.INSTANCE.sem_close(semaphore); // mapped only: nothing was written to it
                semaphore = null;
                return fail(SegmentError.UnknownError, "QSystemSemaphore::handle: " + refusal);
            }
        }
        return true;
    }

    /** sem_close, and sem_unlink when this object created the semaphore. */
    @Override
    public void cleanHandle() {
        if (semaphore != null) {
            if (LibC.INSTANCE.sem_close(semaphore) == -1) {
                failErrno("QSystemSemaphore::cleanHandle (sem_close)", LibC.errno());
            }
            semaphore = null;
        }
        if (createdSemaphore) {
            if (LibC.INSTANCE.sem_unlink(name) == -1 && LibC.errno() != Errno.ENOENT) {
                failErrno("QSystemSemaphore::cleanHandle (sem_unlink)", LibC.errno());
            }
            createdSemaphore = false;
        }
    }

    @Override
    protected boolean modifySemaphore(int count, int retries) {
        if (!handle(Mode.Open)) {
            return false;
        }
        if (count > 0) {
            for (int i = 0; i < count; i++) {
                if (LibC.INSTANCE.sem_post(semaphore) == -1) {
                    int errno = LibC.errno();
                    for (int undo = 0; undo < i; undo++) {
                        semWait();
                    }
                    return failErrno("QSystemSemaphore::modifySemaphore (sem_post)", errno);
                }
            }
        } else {
            int errno = semWait();
            if (errno != 0) {
                if ((errno == Errno.EINVAL || errno == Errno.EIDRM) && retries < MAX_REOPEN_RETRIES) {
                    semaphore = null; // Qt: re-open it and try again
                    return modifySemaphore(count, retries + 1);
                }
                return failErrno("QSystemSemaphore::modifySemaphore (sem_wait)", errno);
            }
        }
        clearError();
        return true;
    }

    /** sem_wait retried on EINTR: 0 or errno. */
    private int semWait() {
        while (true) {
            if (LibC.INSTANCE.sem_wait(semaphore) == 0) {
                return 0;
            }
            int errno = LibC.errno();
            if (errno != Errno.EINTR) {
                return errno;
            }
        }
    }
}
