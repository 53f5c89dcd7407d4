package org.shmconform.backends.mmapfile;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.host.RunOwned;

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

    /** The temporary files of a key (createTemp): {@code <file of the key>.tmp-<6 random letters>}. */
    static final String TEMP_MARK = ".tmp-";

    /**
     * Deletes {@code qipc_sharedmemory_<keyPrefix>*<suffix>} (and {@code *<suffix>.tmp-*}) in {@code dir} that are regular
     * files of one of {@code owners} ({@link RunOwned}: the directory, /dev/shm by default, is anyone's to write); one line
     * per file removed or left.
     */
    static List<String> removeLeftovers(String backend, Path dir, String keyPrefix, String suffix, java.util.Set<Integer> owners) {
        String start = QtKeys.SHARED_MEMORY_PREFIX + QtKeys.lettersOf(keyPrefix);
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return removed;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean ours = name.startsWith(start) && (name.endsWith(suffix) || isTempOf(name, suffix));
                if (!ours) {
                    continue;
                }
                String notOwned = RunOwned.whyNotOwned(file, owners);
                if (notOwned == null && Files.deleteIfExists(file)) {
                    removed.add(backend + ": removed " + file);
                } else if (notOwned != null && !notOwned.equals("gone")) {
                    removed.add(RunOwned.left(backend, file, notOwned));
                }
            }
        } catch (IOException e) {
            // an unreadable directory holds nothing we could remove: report what was removed
        }
        return removed;
    }

    /** Whether {@code name} is a temporary file of a {@code suffix} file: {@code ...<suffix>.tmp-<letters>}. */
    static boolean isTempOf(String name, String suffix) {
        int at = name.lastIndexOf(suffix + TEMP_MARK);
        return at > 0 && name.substring(at + suffix.length() + TEMP_MARK.length()).matches("[A-Za-z]{6}");
    }
}
