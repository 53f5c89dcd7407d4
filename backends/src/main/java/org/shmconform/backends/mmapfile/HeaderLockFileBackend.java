package org.shmconform.backends.mmapfile;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.spi.Availability;
import org.shmconform.backends.QtKeys;
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
        String name = QtKeys.platformSafeName(key, QtKeys.SHARED_MEMORY_PREFIX);
        return name.isEmpty() ? null : dir.resolve(name + suffix());
    }

    @Override
    public List<String> removeLeftovers(String keyPrefix, Path tempDir) {
        String start = QtKeys.SHARED_MEMORY_PREFIX + QtKeys.lettersOf(keyPrefix);
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(start) && name.endsWith(suffix())
                        && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(file)) {
                    removed.add(name() + ": removed " + file);
                }
            }
        } catch (IOException e) {
            // an unreadable directory holds nothing we could remove: report what was removed
        }
        return removed;
    }
}
