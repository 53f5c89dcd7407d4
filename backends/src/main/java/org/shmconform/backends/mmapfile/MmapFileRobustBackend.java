package org.shmconform.backends.mmapfile;

import com.sun.jna.Memory;
import java.nio.file.Path;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;
import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.LockCalls;

/**
 * Seed M5: the mapped file of mmapfile, locked by a process-shared, robust pthread mutex living in
 * the segment ({@link RobustMutexLock}). When a holder dies the kernel hands the mutex to the next
 * locker with EOWNERDEAD, which makes it consistent: the lock is released (declared RELEASED), and
 * the segment reports the death ({@link org.shmconform.spi.OwnerDeathNotice}).
 */
public final class MmapFileRobustBackend extends HeaderLockFileBackend {
    static final String TAG = "shmconform mmapfile-robust 1";

    public MmapFileRobustBackend() {
        this(MmapFileBackend.defaultDir());
    }

    public MmapFileRobustBackend(Path dir) {
        super(dir);
    }

    @Override
    public String name() {
        return "mmapfile-robust";
    }

    @Override
    HeaderLockFileBackend in(Path directory) {
        return new MmapFileRobustBackend(directory);
    }

    @Override
    String suffix() {
        return ".mmap-robust";
    }

    /**
     * The kernel marks a dead holder's robust mutex and the next locker takes it: released, with a
     * notice (EOWNERDEAD, reported as ownerDied). The mutex is bytes of the segment: it goes with it.
     */
    @Override
    public BackendSemantics semantics() {
        return new BackendSemantics("mmapfile-robust", true, true, LockOnHolderDeath.RELEASED_OWNER_DEAD, Resize.SHRINKABLE,
                Visibility.DEV_SHM_MOUNT).withLockInSegment(true);
    }

    @Override
    public String mechanism() {
        return "file on tmpfs (" + dir() + ") with a header page, mmap MAP_SHARED; lock: " + new RobustMutexLock().describe()
                + "; last detach unlinks (attachers hold OFD read locks)";
    }

    /** Initialises a robust, process-shared mutex in private memory: the C library must support both attributes. */
    @Override
    String missingCapability() {
        try {
            Memory mutex = new Memory(LockCalls.PTHREAD_MUTEX_SIZE + 24L);
            mutex.clear();
            int rc = new RobustMutexLock().initialise(mutex);
            return rc == 0 ? null : "pthread_mutexattr_setrobust/setpshared + pthread_mutex_init: " + Errno.describe(rc);
        } catch (UnsatisfiedLinkError e) {
            return "robust process-shared pthread mutexes: not in this C library (" + e.getMessage() + ")";
        }
    }

    @Override
    public SharedSegment open(String key) {
        return new RobustMutexFileSegment(key, dir(), fileFor(key));
    }
}
