package org.shmconform.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A copy of the class path that another user can read: the jars usually live under /root/.m2 or in
 * the private cache, which "nobody" cannot enter. Made once per run in the run's share directory:
 * directories 0755 and files 0644, all ours, so the worker can read them and nobody but us can
 * write any of them (or the directories holding them). Removed with the run.
 */
final class ClassPathCopy {
    private ClassPathCopy() {
    }

    static synchronized List<Path> readableBy(List<Path> entries, Path target) {
        List<Path> copies = new ArrayList<>();
        try {
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                PrivateDirectory.createFresh(target, "rwxr-xr-x");
            }
            PrivateDirectory.verify(target, PrivateDirectory.myUid(), "rwxr-xr-x");
            int n = 0;
            for (Path entry : entries) {
                Path copy = target.resolve((n++) + "-" + entry.getFileName());
                if (!Files.exists(copy, LinkOption.NOFOLLOW_LINKS)) {
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
                    PrivateDirectory.createFresh(dest, "rwxr-xr-x");
                } else {
                    Files.copy(p, dest, LinkOption.NOFOLLOW_LINKS);
                    PrivateDirectory.setMode(dest, "rw-r--r--");
                }
            }
        }
    }
}
