package org.shmconform.backends.host;

import org.shmconform.backends.linux.LibC;

/**
 * Removing a POSIX shared-memory or semaphore name that a process other than a Java backend made (a
 * Qt 6.8 worker's platformSafeKey names): the harness's reaper decides which names are its own; this
 * only makes the call. {@code shm_unlink}/{@code sem_unlink} take a name, never follow a path.
 */
public final class PosixNames {
    private PosixNames() {
    }

    /** shm_unlink("/name"); true when it was removed. */
    public static boolean unlinkSharedMemory(String slashName) {
        return LibC.INSTANCE.shm_unlink(slashName) == 0;
    }

    /** sem_unlink("/name"); true when it was removed. */
    public static boolean unlinkSemaphore(String slashName) {
        return LibC.INSTANCE.sem_unlink(slashName) == 0;
    }
}
