package org.shmconform.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A child cgroup with a CPU quota (the share of one CPU a run may use, e.g. 50 ms per 100 ms), made
 * for one run and removed after it. cgroup v2 ({@code cpu.max}) where its cpu controller is
 * available, else the cgroup v1 cpu hierarchy ({@code cpu.cfs_quota_us}), which hybrid machines still
 * use. A process joins by writing its pid to {@link #procs()} before it execs, so every worker it
 * starts is inside too.
 */
final class CpuQuota implements AutoCloseable {
    private final Path dir;
    private final boolean v2;

    private CpuQuota(Path dir, boolean v2) {
        this.dir = dir;
        this.v2 = v2;
    }

    /** Why no quota can be made here, with what would fix it; empty when {@link #create} can work. */
    static Optional<String> unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("making a cgroup needs root (run the integration tests as root)");
        }
        if (v2Root().isEmpty() && v1CpuRoot().isEmpty()) {
            return Optional.of("neither a cgroup v2 hierarchy with the cpu controller nor a cgroup v1 cpu hierarchy is mounted"
                    + " (mount -t cgroup2 none /sys/fs/cgroup, or boot with systemd.unified_cgroup_hierarchy=1)");
        }
        return Optional.empty();
    }

    /** A new cgroup allowed {@code quotaMicros} of CPU time per {@code periodMicros}. */
    static CpuQuota create(String name, long quotaMicros, long periodMicros) throws IOException {
        Optional<Path> v2 = v2Root();
        if (v2.isPresent()) {
            Path root = v2.get();
            if (!words(Files.readString(root.resolve("cgroup.subtree_control"))).contains("cpu")) {
                Files.writeString(root.resolve("cgroup.subtree_control"), "+cpu");
            }
            CpuQuota q = new CpuQuota(Files.createDirectory(root.resolve(name)), true);
            Files.writeString(q.dir.resolve("cpu.max"), quotaMicros + " " + periodMicros);
            return q;
        }
        Path root = v1CpuRoot().orElseThrow(() -> new IOException(unavailableReason().orElse("no cgroup")));
        CpuQuota q = new CpuQuota(Files.createDirectory(root.resolve(name)), false);
        Files.writeString(q.dir.resolve("cpu.cfs_period_us"), Long.toString(periodMicros));
        Files.writeString(q.dir.resolve("cpu.cfs_quota_us"), Long.toString(quotaMicros));
        return q;
    }

    Path procs() {
        return dir.resolve("cgroup.procs");
    }

    String describe() throws IOException {
        return dir + (v2 ? " cpu.max=" + Files.readString(dir.resolve("cpu.max")).trim()
                : " cpu.cfs_quota_us=" + Files.readString(dir.resolve("cpu.cfs_quota_us")).trim()
                + " cpu.cfs_period_us=" + Files.readString(dir.resolve("cpu.cfs_period_us")).trim());
    }

    /** How many periods the kernel throttled the group: proof the quota bit. */
    long throttledPeriods() throws IOException {
        for (String line : Files.readAllLines(dir.resolve("cpu.stat"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 2 && f[0].equals("nr_throttled")) {
                return Long.parseLong(f[1]);
            }
        }
        throw new IOException("no nr_throttled in " + dir.resolve("cpu.stat"));
    }

    /**
     * Kills what is still inside (only processes the run started can be in this group) and removes
     * the group. rmdir fails while a process is in it, so it is retried while the kernel reaps them.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        for (int attempt = 0; ; attempt++) {
            List<Long> left = new ArrayList<>();
            for (String line : Files.readAllLines(procs())) {
                if (!line.isBlank()) {
                    left.add(Long.parseLong(line.trim()));
                }
            }
            left.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            try {
                Files.delete(dir);
                return;
            } catch (IOException busy) {
                if (attempt == 100) {
                    throw new IOException("cannot remove cgroup " + dir + "; processes left: " + left, busy);
                }
                Thread.sleep(100);
            }
        }
    }

    private static Optional<Path> v2Root() {
        return mounts("cgroup2").stream().filter(p -> words(readable(p.resolve("cgroup.controllers"))).contains("cpu"))
                .findFirst();
    }

    private static Optional<Path> v1CpuRoot() {
        return mounts("cgroup").stream().filter(p -> Files.exists(p.resolve("cpu.cfs_quota_us"))).findFirst();
    }

    /** Mount points of a file system type, from /proc/self/mounts. */
    private static List<Path> mounts(String type) {
        List<Path> found = new ArrayList<>();
        for (String line : readable(Path.of("/proc/self/mounts")).split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[2].equals(type)) {
                found.add(Path.of(f[1]));
            }
        }
        return found;
    }

    private static List<String> words(String text) {
        return List.of(text.trim().split("\\s+"));
    }

    private static String readable(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
