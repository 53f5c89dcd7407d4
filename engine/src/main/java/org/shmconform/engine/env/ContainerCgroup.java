package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The processes of a container, as the kernel lists them: Docker gives each container a cgroup of its own, and every
 * process started in it (its main process, an exec, whatever they fork) stays in that cgroup, wherever a shared pid
 * namespace reparents it when its parent dies. Read from the cgroup's {@code cgroup.procs}, found through the main
 * process's {@code /proc/<pid>/cgroup} and this process's mount table: the unified (v2) hierarchy, else the v1 "pids"
 * one.
 */
final class ContainerCgroup {
    private ContainerCgroup() {
    }

    /**
     * The {@code cgroup.procs} of the cgroup of process {@code pid}, a container's main process, if that cgroup's path
     * names the container {@code containerId} (Docker names a container's cgroup by its id: so a pid of a container that
     * has ended, taken by another process, proves nothing); null if not, or if it cannot be found here. The cgroup of a
     * container does not change: found once, just after the container started ({@code GroupContainer}).
     */
    static Path procsFileOf(long pid, String containerId) {
        try {
            Path procs = procsFile(Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup")),
                    Files.readAllLines(Path.of("/proc/self/mountinfo")));
            return procs == null || containerId.isEmpty() || !procs.toString().contains(containerId) ? null : procs;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The pids the kernel lists in {@code procs} (a {@link #procsFileOf}), or null if it cannot be read (the container and
     * its cgroup are gone, or it is not a regular file): then nothing is proven about what the container holds.
     */
    static Set<Long> processesIn(Path procs) {
        try {
            if (!Files.isRegularFile(procs, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            return Files.readAllLines(procs).stream().map(String::strip).filter(l -> !l.isEmpty()).map(Long::valueOf)
                    .collect(Collectors.toUnmodifiableSet());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The {@code cgroup.procs} of the cgroup that {@code cgroupLines} ({@code /proc/<pid>/cgroup}) name, under a mount of
     * {@code mountInfo} ({@code /proc/self/mountinfo}) whose root is its hierarchy's root; null if none fits.
     */
    static Path procsFile(List<String> cgroupLines, List<String> mountInfo) {
        String unified = null;
        Map<String, String> byController = new HashMap<>();
        for (String line : cgroupLines) {
            String[] f = line.split(":", 3); // hierarchy-id:controllers:path
            if (f.length != 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                unified = f[2];
            } else {
                for (String controller : f[1].split(",")) {
                    byController.put(controller, f[2]);
                }
            }
        }
        for (String mount : mountInfo) {
            int dash = mount.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] left = mount.substring(0, dash).split(" ");
            String[] right = mount.substring(dash + 3).split(" ");
            if (left.length < 5 || right.length < 3 || !left[3].equals("/")) {
                continue;
            }
            String path = null;
            if (right[0].equals("cgroup2")) {
                path = unified;
            } else if (right[0].equals("cgroup") && Set.of(right[2].split(",")).contains("pids")) {
                path = byController.get("pids");
            }
            if (path != null && path.startsWith("/") && !path.contains("/../")) {
                return Path.of(left[4] + path, "cgroup.procs");
            }
        }
        return null;
    }
}
