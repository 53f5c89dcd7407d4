package org.shmconform.backends.mmapfile;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;
import com.sun.jna.Memory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.spi.Placement;
import org.shmconform.backends.linux.Errno;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;
import org.shmconform.backends.linux.LibC;

/**
 * The "memory-mapped file" alternative of Qt's documentation: one file per key on a RAM-backed
 * filesystem, mapped MAP_SHARED by every process. The directory is $SHMCONFORM_MMAP_DIR, else
 * /dev/shm (which Linux requires to be tmpfs), and must be tmpfs: on a disk filesystem the kernel
 * would write the segment back to storage. See {@link MmapFileSegment} for the semantics.
 */
public final class MmapFileBackend implements SharedMemoryBackend {
    public static final String DIR_VARIABLE = "SHMCONFORM_MMAP_DIR";
    public static final String SUFFIX = ".mmap";

    private final Path dir;

    public MmapFileBackend() {
        this(defaultDir());
    }

    /** A backend whose files live in {@code dir} (tests use a private tmpfs directory). */
    public MmapFileBackend(Path dir) {
        this.dir = dir;
    }

    static Path defaultDir() {
        String fromEnv = System.getenv(DIR_VARIABLE);
        return Path.of(fromEnv == null || fromEnv.isEmpty() ? "/dev/shm" : fromEnv);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public String name() {
        return "mmapfile";
    }

    /** A tmpfs file outlives a crash like System V; OFD locks die with their holder; a peer can shrink the file. */
    @Override
    public BackendSemantics semantics() {
        return new BackendSemantics("mmapfile", true, true, LockOnHolderDeath.RELEASED, Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT);
    }

    @Override
    public List<Placement> placements() {
        return List.of(new Placement("segment files", dir));
    }

    /** The same backend with its files in {@code directory} (which need not be tmpfs: seed M6's disk-backed case). */
    @Override
    public SharedMemoryBackend placedIn(Path directory) {
        return new MmapFileBackend(directory);
    }

    @Override
    public String mechanism() {
        return "file on tmpfs (" + dir + "), mmap MAP_SHARED; lock: OFD write lock on a byte past EOF;"
                + " last detach unlinks (attachers hold OFD read locks)";
    }

    @Override
    public Availability availability() {
        if (!Files.isDirectory(dir)) {
            return Availability.no(dir + " is not a directory");
        }
        if (!Files.isWritable(dir)) {
            return Availability.no(dir + " is not writable");
        }
        Memory buf = new Memory(LibC.STATFS_SIZE);
        buf.clear();
        if (LibC.INSTANCE.statfs(dir.toString(), buf) != 0) {
            return Availability.no("statfs " + dir + ": " + Errno.describe(LibC.errno()));
        }
        long type = buf.getLong(0);
        if (type != LibC.TMPFS_MAGIC) {
            return Availability.no(dir + " is not tmpfs (f_type 0x" + Long.toHexString(type)
                    + "): the segment would be written back to storage");
        }
        int probe = LibC.INSTANCE.open(dir.toString(), LibC.O_TMPFILE | LibC.O_RDWR | LibC.O_CLOEXEC, 0600);
        if (probe < 0) {
            return Availability.no("open(" + dir + ", O_TMPFILE): " + Errno.describe(LibC.errno()));
        }
        LibC.INSTANCE.close(probe);
        return Availability.yes();
    }

    @Override
    public SharedSegment open(String key) {
        return new MmapFileSegment(key, dir);
    }

    /** The file of a key: {@code <dir>/qipc_sharedmemory_<letters><sha1>.mmap}; null for an empty key. */
    public static Path fileFor(Path dir, String key) {
        return RunFiles.fileFor(dir, key, SUFFIX);
    }

    /**
     * Deletes {@code qipc_sharedmemory_<keyPrefix>*.mmap} and its temporary files ({@code .mmap.tmp-*}) in this
     * backend's directory. The files live there, not in {@code tempDir}, which is therefore ignored (the harness
     * clears the directories it told a worker to use, {@link #placedIn}, itself).
     */
    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        return RunFiles.removeLeftovers("mmapfile", dir, keyPrefix, SUFFIX, owners);
    }
}
