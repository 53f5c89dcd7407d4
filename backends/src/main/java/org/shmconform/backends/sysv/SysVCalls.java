package org.shmconform.backends.sysv;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.linux.LibC;

/** The few System V and file steps both the segment and its semaphore need, with errno kept. */
final class SysVCalls {
    /** Qt 6.4 passes 'Q' as ftok's project id for both the segment and the semaphore. */
    static final int QT_PROJECT_ID = 'Q';

    private SysVCalls() {
    }

    /**
     * Qt's {@code QSharedMemoryPrivate::createUnixKeyFile}: 1 when this call made the file, 0 when
     * it already existed, or the negated errno when it could not be made.
     */
    static int createKeyFile(Path file) {
        int fd = LibC.INSTANCE.open(file.toString(), LibC.O_EXCL | LibC.O_CREAT | LibC.O_RDWR | LibC.O_CLOEXEC, 0640);
        if (fd == -1) {
            int errno = LibC.errno();
            return errno == Errno.EEXIST ? 0 : -errno;
        }
        LibC.INSTANCE.close(fd);
        return 1;
    }

    /** ftok(file, 'Q'); -1 with errno set on failure. */
    static int ftok(Path file) {
        return LibC.INSTANCE.ftok(file.toString(), QT_PROJECT_ID);
    }

    /** shmctl(IPC_STAT) into a fresh shmid_ds, or null (errno set) on failure. */
    static Memory shmStat(int shmid) {
        Memory ds = new Memory(LibC.SHMID_DS_SIZE);
        ds.clear();
        return LibC.INSTANCE.shmctl(shmid, LibC.IPC_STAT, ds) == 0 ? ds : null;
    }

    static boolean isMapFailed(Pointer address) {
        return address == null || Pointer.nativeValue(address) == -1L;
    }

    /** semop on semaphore 0 with SEM_UNDO, retried on EINTR; 0 or errno. */
    static int semop(int semid, short delta) {
        Memory op = new Memory(6);
        op.setShort(0, (short) 0);
        op.setShort(2, delta);
        op.setShort(4, LibC.SEM_UNDO);
        while (true) {
            if (LibC.INSTANCE.semop(semid, op, 1) == 0) {
                return 0;
            }
            int errno = LibC.errno();
            if (errno != Errno.EINTR) {
                return errno;
            }
        }
    }
}
