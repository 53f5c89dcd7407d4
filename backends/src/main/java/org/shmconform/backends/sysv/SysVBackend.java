package org.shmconform.backends.sysv;

import org.shmconform.backends.BackendSemantics;
import org.shmconform.backends.BackendSemantics.LockOnHolderDeath;
import org.shmconform.backends.BackendSemantics.Resize;
import org.shmconform.backends.BackendSemantics.Visibility;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.Availability;
import org.shmconform.backends.Errno;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.SharedMemoryBackend;
import org.shmconform.backends.SharedSegment;
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

    /** Qt 6.4's System V backend: same key space as a real Qt process; SEM_UNDO releases a dead holder's lock. */
    @Override
    public BackendSemantics semantics() {
        return new BackendSemantics("qt-sysv", true, true, LockOnHolderDeath.RELEASED, Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE,
                true /* mirrors Qt 6.4 call for call, including its lock re-initialisation */);
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
     * For each key file of the prefix in {@code tempDir}: ftok it, IPC_RMID the segment (for
     * qipc_sharedmemory_ files) or semaphore set (qipc_systemsem_) with that key, delete the file.
     */
    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir) {
        List<String> removed = new ArrayList<>();
        String shmFiles = QtKeys.SHARED_MEMORY_PREFIX + keyPrefix;
        String semFiles = QtKeys.SYSTEM_SEMAPHORE_PREFIX + keyPrefix;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tempDir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(shmFiles)) {
                    removeSegment(file, removed);
                } else if (name.startsWith(semFiles)) {
                    removeSemaphore(file, removed);
                } else {
                    continue;
                }
                if (LibC.INSTANCE.unlink(file.toString()) == 0) {
                    removed.add("key file " + file);
                }
            }
        } catch (IOException e) {
            removed.add("could not list " + tempDir + ": " + e.getMessage());
        }
        return removed;
    }

    private static void removeSegment(Path keyFile, List<String> removed) {
        int key = SysVCalls.ftok(keyFile);
        int id = key == -1 ? -1 : LibC.INSTANCE.shmget(key, 0, 0);
        if (id != -1 && LibC.INSTANCE.shmctl(id, LibC.IPC_RMID, null) == 0) {
            removed.add(String.format("shm key 0x%08x id %d", key, id));
        }
    }

    private static void removeSemaphore(Path keyFile, List<String> removed) {
        int key = SysVCalls.ftok(keyFile);
        int id = key == -1 ? -1 : LibC.INSTANCE.semget(key, 0, 0);
        if (id != -1 && LibC.INSTANCE.semctl(id, 0, LibC.IPC_RMID) == 0) {
            removed.add(String.format("sem key 0x%08x id %d", key, id));
        }
    }
}
