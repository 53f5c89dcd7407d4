package org.shmconform.backends.mmapfile;

import java.nio.file.Path;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.spi.Placement;
import org.shmconform.spi.SharedMemoryBackend;

/**
 * What mmapfile-atomic and mmapfile-robust share: mmapfile's directory (tmpfs, $SHMCONFORM_MMAP_DIR
 * or /dev/shm) and availability, files of their own suffix (a different layout: never opened by
 * another of the mmapfile backends), and a reaper that removes only that suffix.
 */
abstract class HeaderLockFileBackend implements SharedMemoryBackend {
    private final Path dir;

    HeaderLockFileBackend(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** ".mmap-atomic", ".mmap-robust": not ".mmap", so mmapfile's reaper and attach never see these files. */
    abstract String suffix();

    /** This backend's own requirements beyond a tmpfs directory; null when met. */
    abstract String missingCapability();

    @Override
    public Availability availability() {
        Availability directory = new MmapFileBackend(dir).availability();
        if (!directory.available()) {
            return directory;
        }
        String missing = missingCapability();
        return missing == null ? Availability.yes() : Availability.no(missing);
    }

    /** {@code <dir>/qipc_sharedmemory_<letters><sha1><suffix>}; null for an empty key. */
    Path fileFor(String key) {
        return RunFiles.fileFor(dir, key, suffix());
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir, java.util.Set<Integer> owners) {
        return RunFiles.removeLeftovers(name(), dir, keyPrefix, suffix(), owners);
    }

    @Override
    public List<Placement> placements() {
        return List.of(new Placement("segment files", dir));
    }

    /** The same backend in another directory (a run's private one, maybe disk-backed: seed M6). */
    abstract HeaderLockFileBackend in(Path directory);

    @Override
    public SharedMemoryBackend placedIn(Path directory) {
        return in(directory);
    }
}
