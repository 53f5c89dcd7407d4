package org.shmconform.backends.memfd;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Finds the processes that hold a named memfd, by reading every {@code /proc/<pid>/fd/<n>} link:
 * a memfd's link reads {@code /memfd:<name> (deleted)}. This is the only place a memfd's name is
 * visible to other processes. Entries we may not read (other users' processes, processes that
 * exit while we look) are skipped quietly: to us they hold nothing.
 */
final class ProcFdScan {
    private static final Path PROC = Path.of("/proc");

    /** One descriptor of one process on the memfd, with the inode the link resolves to. */
    record Holder(long pid, int fd, long device, long inode) {
        Path path() {
            return PROC.resolve(pid + "/fd/" + fd);
        }

        boolean sameInodeAs(Holder other) {
            return device == other.device && inode == other.inode;
        }
    }

    private ProcFdScan() {
    }

    static String linkTarget(String memfdName) {
        return "/memfd:" + memfdName + " (deleted)";
    }

    /**
     * Every descriptor on a memfd called {@code memfdName}: other processes by ascending pid
     * first, this process last (reopening through a peer keeps working after we detach).
     */
    static List<Holder> holders(String memfdName) {
        String target = linkTarget(memfdName);
        long self = ProcessHandle.current().pid();
        List<Holder> found = new ArrayList<>();
        for (long pid : pids()) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(pid + "/fd"))) {
                for (Path link : fds) {
                    Holder holder = holderIfNamed(pid, link, target);
                    if (holder != null) {
                        found.add(holder);
                    }
                }
            } catch (IOException | SecurityException unreadable) {
                // another user's process, or one that has exited: skip
            }
        }
        found.sort(Comparator.comparing((Holder h) -> h.pid() == self).thenComparingLong(Holder::pid)
                .thenComparingInt(Holder::fd));
        return found;
    }

    private static Holder holderIfNamed(long pid, Path link, String target) {
        try {
            if (!Files.readSymbolicLink(link).toString().equals(target)) {
                return null;
            }
            Map<String, Object> attributes = Files.readAttributes(link, "unix:dev,ino");
            return new Holder(pid, Integer.parseInt(link.getFileName().toString()),
                    (Long) attributes.get("dev"), (Long) attributes.get("ino"));
        } catch (IOException | RuntimeException closedMeanwhile) {
            return null;
        }
    }

    static List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
                    pids.add(Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            // no /proc: nobody can be found (availability() reports this case)
        }
        pids.sort(null);
        return pids;
    }
}
