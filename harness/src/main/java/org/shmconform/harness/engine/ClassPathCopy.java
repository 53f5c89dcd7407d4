package org.shmconform.harness.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A copy of the class path that another user can read: the jars usually live under /root/.m2,
 * which "nobody" cannot enter. Made once per run, removed with the run directory.
 */
final class ClassPathCopy {
    private ClassPathCopy() {
    }

    static synchronized List<Path> readableBy(List<Path> entries, Path target) {
        List<Path> copies = new ArrayList<>();
        try {
            Files.createDirectories(target);
            target.toFile().setReadable(true, false);
            target.toFile().setExecutable(true, false);
            int n = 0;
            for (Path entry : entries) {
                Path copy = target.resolve((n++) + "-" + entry.getFileName());
                if (!Files.exists(copy)) {
                    copyTree(entry, copy);
                }
                copies.add(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the class path for another user", e);
        }
        return copies;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
                dest.toFile().setReadable(true, false);
                if (Files.isDirectory(dest)) {
                    dest.toFile().setExecutable(true, false);
                }
            }
        }
    }
}
