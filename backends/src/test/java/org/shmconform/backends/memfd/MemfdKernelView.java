package org.shmconform.backends.memfd;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel shows of a memfd, read independently of the backend's own scanner: every
 * descriptor link and every mapping in /proc that names it. Empty means the memfd is gone.
 */
final class MemfdKernelView {
    private MemfdKernelView() {
    }

    static List<String> references(String nativeKey) throws IOException {
        String needle = "/" + nativeKey + " (deleted)"; // nativeKey is "memfd:<name>"
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (Files.readSymbolicLink(fd).toString().equals(needle)) {
                            found.add(fd.toString());
                        }
                    }
                    for (String line : Files.readAllLines(proc.resolve("maps"))) {
                        if (line.endsWith(needle)) {
                            found.add(proc.resolve("maps") + ": " + line);
                        }
                    }
                } catch (IOException gone) {
                    // the process exited meanwhile, or is not ours to read
                }
            }
        }
        return found;
    }
}
