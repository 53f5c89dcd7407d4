package org.shmconform.backends.mmapfile;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;
import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.LockCalls;

/**
 * Seed M4: the mapped file of mmapfile, locked by an atomic flag at a fixed offset in the segment
 * ({@link FutexFlagLock}). Nothing undoes the flag of a holder that dies: declared STAYS_HELD.
 */
public final class MmapFileAtomicBackend extends HeaderLockFileBackend {
    static final String TAG = "shmconform mmapfile-atomic 1";

    public MmapFileAtomicBackend() {
        this(MmapFileBackend.defaultDir());
    }

    public MmapFileAtomicBackend(Path dir) {
        super(dir);
    }

    @Override
    public String name() {
        return "mmapfile-atomic";
    }

    @Override
    HeaderLockFileBackend in(Path directory) {
        return new MmapFileAtomicBackend(directory);
    }

    @Override
    String suffix() {
        return ".mmap-atomic";
    }

    /**
     * A file on tmpfs outlives a crash; a flag in memory outlives its holder: every later lock() waits
     * forever, until the segment (and the flag in it) is destroyed: a new segment brings a free flag.
     */
    @Override
    public BackendSemantics semantics() {
        return new BackendSemantics("mmapfile-atomic", true, true, LockOnHolderDeath.STAYS_HELD, Resize.SHRINKABLE,
                Visibility.DEV_SHM_MOUNT).withLockInSegment(true);
    }

    @Override
    public String mechanism() {
        return "file on tmpfs (" + dir() + ") with a header page, mmap MAP_SHARED; lock: " + new FutexFlagLock().describe()
                + "; a dead holder's flag stays taken; last detach unlinks (attachers hold OFD read locks)";
    }

    /** Probes the futex call on a word of private memory: FUTEX_WAKE of nobody returns 0. */
    @Override
    String missingCapability() {
        long nr = LockCalls.futexSyscall();
        if (nr < 0) {
            return "the futex system call number of " + System.getProperty("os.arch") + " is not known (x86_64 and aarch64 are)";
        }
        Pointer word = new Memory(8);
        if (LockCalls.INSTANCE.syscall(nr, word, LockCalls.FUTEX_WAKE, 1, Pointer.NULL, Pointer.NULL, 0) < 0) {
            return "futex(FUTEX_WAKE): " + Errno.describe(LibC.errno());
        }
        return null;
    }

    @Override
    public SharedSegment open(String key) {
        return new HeaderLockFileSegment(key, dir(), fileFor(key), new FutexFlagLock(), TAG);
    }
}
