package org.shmconform.backends.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/** A test's own 0700 directory under /run (never /tmp), removed with everything in it. */
final class HostDir {
    private HostDir() {
    }

    static Path create(String what) throws IOException {
        // The JDK makes the unique name (O_EXCL semantics), so this test package needs nothing of testsupport.
        return Files.createTempDirectory(Path.of("/run"), "shmconform-" + what + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
