package org.shmconform.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.host.PosixNames;
import org.shmconform.backends.host.RunOwned;

/**
 * What Qt 6.8's platform-safe keys leave that no Java backend's reaper knows by name: the POSIX
 * object {@code /dev/shm/<key>} and its semaphore {@code /dev/shm/sem.<key>} (Qt 6.8 never unlinks the
 * shared memory name on Linux, and a killed worker leaves the semaphore too), and the System V key
 * file {@code <XDG_RUNTIME_DIR>/<key>}. Qt's legacy names ({@code qipc_sharedmemory_...}) are the Java
 * backends' own and are reaped by them; the System V segments and semaphores behind a key file are
 * reaped through the run's {@link Ledger} only, where the workers that made or used them recorded them, never here from
 * the key file's ftok value, which another program's object can carry too (a dead run's included: its workers are gone
 * and prove nothing, and what its ledger does not name is left and reported, {@link Reaper#reapRun}).
 *
 * <p>Only names that start with a prefix carrying a run id are touched ({@code shmcf<run id>...},
 * letters only, fixed length), in /dev/shm and in the run's own directories; never through a link; in /dev/shm, only
 * regular files of the run's workers' users ({@link RunOwned}).
 */
public final class Qt68Leftovers {
    static final Path DEV_SHM = Path.of("/dev/shm");
    private static final String SEMAPHORE = "sem.";
    /**
     * A Qt 6.8 object given a Java posix backend's name as its native key (NativeNames) names its semaphore
     * after that name: {@code sem.qipc_sharedmemory_<prefix>...}, which the posix backend does not make.
     */
    private static final String NATIVE_NAMED = QtKeys.SHARED_MEMORY_PREFIX;

    private Qt68Leftovers() {
    }

    /**
     * The run's Qt 6.8 names in /dev/shm and its Qt 6.8 System V key files in {@code runDirectories} (unlinked, never
     * followed); not the System V objects at a key file's ftok value (see above).
     *
     * @return one line per object or file removed
     */
    public static List<String> remove(String prefix, List<Path> runDirectories, java.util.Set<Integer> owners) {
        if (!prefix.startsWith(RunContext.KEY_PREFIX) || prefix.length() < RunContext.KEY_PREFIX.length() + RunContext.ID_LENGTH
                || !prefix.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
            throw new IllegalArgumentException("not a run's key prefix: " + prefix);
        }
        List<String> removed = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(DEV_SHM)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                boolean named = name.startsWith(prefix) || name.startsWith(SEMAPHORE + prefix) || name.startsWith(SEMAPHORE + NATIVE_NAMED + prefix);
                String notOwned = named ? RunOwned.whyNotOwned(entry, owners) : null; // anyone may make a name in /dev/shm
                if (notOwned != null) {
                    if (!notOwned.equals("gone")) {
                        removed.add(RunOwned.left("qt68", entry, notOwned));
                    }
                } else if (name.startsWith(prefix) && PosixNames.unlinkSharedMemory("/" + name)) {
                    removed.add("shm /" + name + " (Qt 6.8 platformSafeKey)");
                } else if (name.startsWith(SEMAPHORE + prefix) && PosixNames.unlinkSemaphore("/" + name.substring(SEMAPHORE.length()))) {
                    removed.add("sem /" + name.substring(SEMAPHORE.length()) + " (Qt 6.8 platformSafeKey)");
                } else if (name.startsWith(SEMAPHORE + NATIVE_NAMED + prefix)
                        && PosixNames.unlinkSemaphore("/" + name.substring(SEMAPHORE.length()))) {
                    removed.add("sem /" + name.substring(SEMAPHORE.length()) + " (Qt 6.8 native key given a Java backend's name)");
                }
            }
        } catch (IOException e) {
            removed.add("could not list " + DEV_SHM + ": " + e.getMessage());
        }
        for (Path dir : runDirectories) {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, f -> f.getFileName().toString().startsWith(prefix))) {
                for (Path file : files) {
                    PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (!a.isRegularFile()) {
                        continue; // a link is no key file of ours: left alone
                    }
                    if (Files.deleteIfExists(file)) {
                        removed.add("key file " + file + " (Qt 6.8 platformSafeKey, System V)");
                    }
                }
            } catch (IOException e) {
                removed.add("could not list " + dir + ": " + e.getMessage());
            }
        }
        return removed;
    }
}
