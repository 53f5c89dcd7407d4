package org.shmconform.backends.sysv;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.LibC;

/**
 * Qt 6.4's System V backend (what Debian's Qt uses on Linux): segments and locks a real Qt
 * process can share. Key files live in Qt's temp directory, {@code $TMPDIR} or /tmp.
 */
public final class SysVBackend implements SharedMemoryBackend {
    private final Path tempDir;

    /** Used by the ServiceLoader: the temp directory is read from $TMPDIR per segment, like QDir::tempPath. */
    public SysVBackend() {
        this(null);
    }

    /** Fixes the key-file directory, for callers that cannot set $TMPDIR (tests in one JVM). */
    public SysVBackend(Path tempDir) {
        this.tempDir = tempDir;
    }

    @Override
    public String name() {
        return "sysv";
    }

    /**
     * Qt 6.4's System V backend: same key space as a real Qt process; SEM_UNDO releases a dead holder's lock;
     * keyingResetsLock includes the split of the lock when the semaphore's owner removes it and its key file under
     * other openers (fuzz sysv seed 20: with TMPDIR on a tmpfs A acquires while B holds, on ext4 A waits; real
     * Qt 6.4 the same).
     */
    @Override
    public BackendSemantics semantics() {
        return new BackendSemantics("qt-sysv", true, true, LockOnHolderDeath.RELEASED, Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE,
                true /* mirrors Qt 6.4 call for call, including its lock re-initialisation */);
    }

    /** Qt's key files (ftok'd) and its semaphores' key files: in Qt's temp directory, $TMPDIR or /tmp. */
    @Override
    public java.util.List<org.shmconform.spi.Placement> placements() {
        return java.util.List.of(new org.shmconform.spi.Placement("key files ($TMPDIR)",
                tempDir != null ? tempDir : org.shmconform.backends.QtKeys.qtTempDir()));
    }

    @Override
    public String mechanism() {
        return "System V shmget/shmat keyed by ftok(<tmp>/qipc_sharedmemory_*,'Q'); lock: SysV semaphore with SEM_UNDO;"
                + " last detacher (shm_nattch 0) runs IPC_RMID";
    }

    @Override
    public Availability availability() {
        LibC c = LibC.INSTANCE;
        int shm = c.shmget(0 /* IPC_PRIVATE */, 1, 0600 | LibC.IPC_CREAT);
        if (shm == -1) {
            return Availability.no("shmget(IPC_PRIVATE): " + Errno.describe(LibC.errno()));
        }
        c.shmctl(shm, LibC.IPC_RMID, null);
        int sem = c.semget(0, 1, 0600 | LibC.IPC_CREAT);
        if (sem == -1) {
            return Availability.no("semget(IPC_PRIVATE): " + Errno.describe(LibC.errno()));
        }
        c.semctl(sem, 0, LibC.IPC_RMID);
        return Availability.yes();
    }

    @Override
    public SharedSegment open(String key) {
        return new SysVSegment(key, tempDir != null ? tempDir : QtKeys.qtTempDir());
    }

    /**
     * Unlinks the key files of the prefix in {@code tempDir} ({@code qipc_sharedmemory_}, {@code qipc_systemsem_}; a link
     * is unlinked itself, never followed) and nothing else: the segment or set at a key file's ftok value is left, for
     * another program's object can carry that value too (ftok keeps the device's low byte and the inode's low 16 bits;
     * a test-made segment and set at the ftok value of a live key file were removed here, checked by
     * SysVBackendTest#anotherProgramsSegmentAndSetAtTheKeyOfAKeyFileAreLeft). The harness removes the System V objects a
     * worker of its run proved its own (see the SPI's contract). {@code owners} is not asked: the key files are in the
     * run's own TMPDIR, where no other user can make a file.
     */
    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        List<String> removed = new ArrayList<>();
        String shmFiles = QtKeys.SHARED_MEMORY_PREFIX + keyPrefix;
        String semFiles = QtKeys.SYSTEM_SEMAPHORE_PREFIX + keyPrefix;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tempDir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if ((name.startsWith(shmFiles) || name.startsWith(semFiles)) && LibC.INSTANCE.unlink(file.toString()) == 0) {
                    removed.add("key file " + file); // unlink(2) removes a link itself, never its target
                }
            }
        } catch (IOException e) {
            removed.add("could not list " + tempDir + ": " + e.getMessage());
        }
        return removed;
    }
}
