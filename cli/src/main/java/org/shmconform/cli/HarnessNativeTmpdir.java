package org.shmconform.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.shmconform.spi.files.Ancestors;

/**
 * Where this JVM's JNA unpacks its native library (libjnidispatch.so) and then loads it from. JNA takes
 * {@code $XDG_CACHE_HOME/JNA/temp} when that variable is set; a root harness started with another user's environment
 * ({@code sudo -E} keeps it) would load a file from a folder that user owns, who could replace it between JNA's write
 * and its load. That folder is used only when every folder of its path is this user's (or root's), reached through no
 * link, and writable by nobody else; otherwise JNA's own default under {@code user.home} (getpwuid's, this user's).
 * Told before anything loads JNA, with no native call: this user's id is the owner of /proc/self.
 */
final class HarnessNativeTmpdir {
    static final String PROPERTY = "jna.tmpdir";

    private HarnessNativeTmpdir() {
    }

    static void keepToThisUsersFolders() {
        String cache = System.getenv("XDG_CACHE_HOME");
        if (System.getProperty(PROPERTY) != null || cache == null || cache.isEmpty()) {
            return;
        }
        Path dir = Path.of(cache);
        if (!dir.isAbsolute() || !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || Ancestors.firstUnsafe(dir, Set.of(myUid())).isPresent()) {
            System.setProperty(PROPERTY, Path.of(System.getProperty("user.home"), ".cache", "JNA", "temp").toString());
        }
    }

    private static int myUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0; // no /proc: only root's folders are trusted
        }
    }
}
