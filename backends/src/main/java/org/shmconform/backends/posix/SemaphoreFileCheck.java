package org.shmconform.backends.posix;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The file behind a named semaphore that sem_open opened by its name without making it, read through the mapping
 * sem_open made, before anything is written to it: sem_open(O_CREAT) opens whatever file is at the name, and where
 * {@code fs.protected_hardlinks} is 0 (the kernel's default; systemd sets 1) another user can hard-link another
 * program's /dev/shm file there, which a root worker's sem_wait and sem_post would then write. A file with a second name
 * is refused, unless that name is glibc's temporary {@code sem.XXXXXX}, from which a semaphore being made is linked at
 * its name (both names stay a moment, or for good if its maker is killed in between); so is a file shorter than a
 * semaphore (touching it would raise SIGBUS). Read through {@code /proc/self/map_files}, which only a process with
 * CAP_SYS_ADMIN may follow: another process writes through sem_open only what its own permissions let it.
 */
final class SemaphoreFileCheck {
    /** sizeof(sem_t) on Linux x86_64 and aarch64. */
    private static final long SEM_T_SIZE = 32;
    /** The page size of Linux on x86_64 (elsewhere the mapping is looked up in /proc/self/maps). */
    private static final long PAGE_SIZE = 4096;

    private SemaphoreFileCheck() {
    }

    /** Why the semaphore at {@code semaphore} (opened as {@code /name}) is not to be used, or null. */
    static String refusalOf(Pointer semaphore, String name) {
        // sem_open maps one sem_t, so its mapping is the one page at that address: no /proc/self/maps to read.
        long start = Pointer.nativeValue(semaphore);
        Path mapping = Path.of("/proc/self/map_files", Long.toHexString(start) + "-" + Long.toHexString(start + PAGE_SIZE));
        Map<String, Object> file;
        try {
            try {
                file = Files.readAttributes(mapping, "unix:nlink,ino,size");
            } catch (java.nio.file.NoSuchFileException otherPageSize) {
                String range = mappingAt(start);
                if (range == null) {
                    return null;
                }
                file = Files.readAttributes(Path.of("/proc/self/map_files", range), "unix:nlink,ino,size");
            }
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null; // not CAP_SYS_ADMIN (see the class comment), or no /proc here: nothing can be read, as before
        }
        String path = PosixBackend.DEV_SHM.resolve("sem." + name.substring(1)).toString();
        if ((Long) file.get("size") < SEM_T_SIZE) {
            return path + " is " + file.get("size") + " bytes, shorter than a semaphore: not used";
        }
        int names = (Integer) file.get("nlink");
        if (names > 1 && names - 1 != org.shmconform.backends.host.RunOwned.NameFacts.glibcTemporaryNamesOf(PosixBackend.DEV_SHM,
                "sem." + name.substring(1), (Long) file.get("ino"))) {
            return path + " has " + names + " names: another file linked at the semaphore's name, not used";
        }
        return null;
    }

    /** {@code start-end} of this process's mapping that begins at {@code address}, as /proc/self/maps names it. */
    private static String mappingAt(long address) {
        String start = Long.toHexString(address) + "-";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.startsWith(start)) {
                    return line.substring(0, line.indexOf(' '));
                }
            }
        } catch (IOException e) {
            // no /proc
        }
        return null;
    }
}
