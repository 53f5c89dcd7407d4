package org.shmconform.backends.posix;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.host.RunOwned;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.OfdLock;

/**
 * Qt 6.4's POSIX backend names (a QT_POSIX_IPC build; Debian's Qt is System V) with the
 * documented "last detach destroys" added; see {@link PosixSegment}.
 */
public final class PosixBackend implements SharedMemoryBackend {
    /** Where glibc puts shm_open and sem_open names on Linux. */
    static final Path DEV_SHM = Path.of("/dev/shm");

    @Override
    public String name() {
        return "posix";
    }

    /**
     * A named POSIX semaphore has no undo: a holder that dies leaves the lock taken (as in Qt's POSIX build).
     * The lock is not re-initialised in place (keyingResetsLock, System V's quirk) but split: create() opens
     * the semaphore in Create mode, which sem_unlinks the name and makes a fresh one for this object, while
     * whoever opened the old one keeps it (replay /work/notes/posix/posix.json; real Qt 6.8 does the same).
     */
    @Override
    public BackendSemantics semantics() {
        return new BackendSemantics("qt-posix", true, true, LockOnHolderDeath.STAYS_HELD, Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT,
                false).withKeyingSplitsLock(true);
    }

    /** shm_open and sem_open names are files of the tmpfs at /dev/shm. */
    @Override
    public java.util.List<org.shmconform.spi.Placement> placements() {
        return java.util.List.of(new org.shmconform.spi.Placement("shm_open and sem_open names", java.nio.file.Path.of("/dev/shm")));
    }

    @Override
    public String mechanism() {
        return "shm_open(/qipc_sharedmemory_*) + mmap; lock: named semaphore /qipc_systemsem_* (no undo);"
                + " attach count: shared OFD locks, last detacher shm_unlinks";
    }

    @Override
    public Availability availability() {
        LibC c = LibC.INSTANCE;
        String probe = "/shmconform_probe_" + c.getpid() + "_" + System.nanoTime();
        int fd = c.shm_open(probe, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0600);
        if (fd == -1) {
            return Availability.no("shm_open: " + Errno.describe(LibC.errno()));
        }
        int lockErrno = OfdLock.tryShared(fd, OfdAttachCount.LOCK_OFFSET, OfdAttachCount.LOCK_LENGTH);
        c.close(fd);
        c.shm_unlink(probe);
        if (lockErrno != 0) {
            return Availability.no("fcntl(F_OFD_SETLK) on a shm_open object: " + Errno.describe(lockErrno));
        }
        Pointer sem = c.sem_open(probe, LibC.O_CREAT | LibC.O_EXCL, 0600, 1);
        if (sem == null) {
            return Availability.no("sem_open: " + Errno.describe(LibC.errno()));
        }
        c.sem_close(sem);
        c.sem_unlink(probe);
        return Availability.yes();
    }

    @Override
    public SharedSegment open(String key) {
        return new PosixSegment(key);
    }

    /**
     * shm_unlinks {@code qipc_sharedmemory_<prefix>*} and sem_unlinks
     * {@code sem.qipc_systemsem_<prefix>*} in /dev/shm: the name itself carries the run's id, and
     * shm_unlink/sem_unlink remove the name, never a link's target (and a link there is left: see below).
     * POSIX names do not depend on TMPDIR, so {@code tempDir} is not used. Only regular files of {@code owners}
     * ({@link RunOwned}): another user may plant a file at a name of the run in /dev/shm.
     */
    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        List<String> removed = new ArrayList<>();
        String shmNames = QtKeys.SHARED_MEMORY_PREFIX + keyPrefix;
        String semNames = "sem." + QtKeys.SYSTEM_SEMAPHORE_PREFIX + keyPrefix;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(DEV_SHM)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(shmNames) && !name.startsWith(semNames)) {
                    continue;
                }
                String notOwned = RunOwned.whyNotOwned(entry, owners);
                if (notOwned != null) {
                    if (!notOwned.equals("gone")) {
                        removed.add(RunOwned.left("posix", entry, notOwned));
                    }
                } else if (name.startsWith(shmNames) && LibC.INSTANCE.shm_unlink("/" + name) == 0) {
                    removed.add("shm /" + name);
                } else if (name.startsWith(semNames)
                        && LibC.INSTANCE.sem_unlink("/" + name.substring("sem.".length())) == 0) {
                    removed.add("sem /" + name.substring("sem.".length()));
                }
            }
        } catch (IOException e) {
            removed.add("could not list " + DEV_SHM + ": " + e.getMessage());
        }
        return removed;
    }
}
