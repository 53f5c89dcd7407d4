package org.shmconform.backends.mmapfile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.shmconform.backends.testsupport.TrackedResources;

/** A test class's own directory on tmpfs (/dev/shm), so its files never meet another's. */
final class PrivateTmpfsDir {
    private PrivateTmpfsDir() {
    }

    static Path create() throws IOException {
        return Files.createDirectory(Path.of("/dev/shm", "shmcftest-mmapfile-" + TrackedResources.randomLetters(8)));
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
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
