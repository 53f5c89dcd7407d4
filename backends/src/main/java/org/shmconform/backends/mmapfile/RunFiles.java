package org.shmconform.backends.mmapfile;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.QtKeys;

/**
 * The names of the file-backed backends' segments in their tmpfs directory, one place for every
 * backend of this package: {@code <dir>/qipc_sharedmemory_<letters><sha1><suffix>} per key, and the
 * leftovers of a run found by the run's key prefix (regular files only; a link is never followed).
 */
final class RunFiles {
    private RunFiles() {
    }

    /** The file of a key; null for an empty key. */
    static Path fileFor(Path dir, String key, String suffix) {
        String name = QtKeys.platformSafeName(key, QtKeys.SHARED_MEMORY_PREFIX);
        return name.isEmpty() ? null : dir.resolve(name + suffix);
    }

    /** Deletes {@code qipc_sharedmemory_<keyPrefix>*<suffix>} in {@code dir}; one line per file removed. */
    static List<String> removeLeftovers(String backend, Path dir, String keyPrefix, String suffix) {
        String start = QtKeys.SHARED_MEMORY_PREFIX + QtKeys.lettersOf(keyPrefix);
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(start) && name.endsWith(suffix)
                        && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.deleteIfExists(file)) {
                    removed.add(backend + ": removed " + file);
                }
            }
        } catch (IOException e) {
            // an unreadable directory holds nothing we could remove: report what was removed
        }
        return removed;
    }
}
