package org.shmconform.backends.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** For tests: which pipe a process's stdout is, and how many of this process's descriptors are that pipe. */
public final class PipeDescriptors {
    private PipeDescriptors() {
    }

    /** Process {@code pid}'s stdout as /proc names it ("pipe:[inode]" for a pipe). */
    public static String stdoutOf(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", "1")).toString();
    }

    /** How many of this process's descriptors are {@code pipe} ("pipe:[inode]"). */
    public static long heldHere(String pipe) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return pipe.equals(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    return false; // closed since the listing
                }
            }).count();
        }
    }
}
