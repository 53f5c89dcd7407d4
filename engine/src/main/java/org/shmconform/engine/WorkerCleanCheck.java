package org.shmconform.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.shmconform.backends.host.ProcText;

/**
 * The harness's own evidence, read from outside through /proc, that a worker process holds nothing of
 * the schedule it served: what a reused worker must prove before the pool gives it to the next schedule
 * ({@link WorkerPool}). The worker's reply to {@code reset} is only its word; this is the kernel's.
 * <ul>
 * <li>{@code /proc/<pid>/maps}: no mapping of a segment (System V {@code /SYSV...}, a /dev/shm file, a
 *     {@code memfd:}, anything in the share area where TMPDIRs live) and no shared mapping of anything
 *     but the read-only files of the system ({@code /usr}: the JDK's {@code lib/modules}, gconv's cache);</li>
 * <li>{@code /proc/<pid>/fd}: descriptors 0, 1 and 2 are still the pipes the worker started with (the
 *     protocol and its log), and every other one is a read-only file of its code (the JDK under /usr, the
 *     class-path jars, {@code /dev/random}) or a file the JVM reads about itself now and then (its container
 *     support opens {@code /sys/fs/cgroup/.../memory.limit_in_bytes} and {@code /proc/self/...}, which its
 *     descriptor shows as {@code /proc/<its pid>/...}, and closes them
 *     again: a look can catch one open, as WorkerPoolTest did on a loaded machine): no socket, no pipe, no memfd,
 *     no segment, no key file;</li>
 * <li>{@code /proc/<pid>/fdinfo/<fd>} of each descriptor: no {@code lock:} line, so no POSIX, OFD or flock lock
 *     (a process's POSIX lock goes with the first close of a descriptor of its file, and an OFD or flock lock lives on
 *     an open file description: a lock of the worker lives on one of its descriptors, whichever file it is). Not
 *     {@code /proc/locks}: reading it takes the kernel's file-lock semaphore for writing (fs/locks.c locks_start), a
 *     wait of an RCU grace period that holds up every process's lock and unlock on the machine meanwhile, measured
 *     here at 4.8 ms a read in a qt fuzz, the pool's costliest check;</li>
 * <li>no child process (a worker that spawned one is not reused while it lives);</li>
 * <li>{@code /proc/<pid>/environ}: still this run's {@code SHMCONFORM_RUN} and the TMPDIR the pool keyed it by.</li>
 * </ul>
 * What /proc cannot show, a System V semaphore adjustment (SEM_UNDO), is argued in {@link WorkerPool}.
 */
final class WorkerCleanCheck {
    private static final Path PROC = Path.of("/proc");
    private static final Set<String> DEVICES = Set.of("/dev/random", "/dev/urandom", "/dev/null");
    /** Where the JVM's container support reads its limits (cgroup v1 and v2); its mounts it reads from /proc/self. */
    private static final String CGROUP_FILES = "/sys/fs/cgroup/";

    /**
     * What the worker was when it joined the pool: its standard descriptors, the TMPDIR and run it was
     * started for, and the files of its code it may keep open.
     */
    record Baseline(long pid, Map<Integer, String> standard, String tmpdir, String runId, Set<String> codeFiles,
                    List<String> codeDirectories, java.util.function.LongPredicate harnessChild) {
        Baseline(long pid, Map<Integer, String> standard, String tmpdir, String runId, Set<String> codeFiles,
                 List<String> codeDirectories) {
            this(pid, standard, tmpdir, runId, codeFiles, codeDirectories, child -> false);
        }
    }

    private WorkerCleanCheck() {
    }

    /**
     * Taken right after the hello, before the worker has done anything.
     *
     * @param codeDirectories its environment's ({@code Environment.codeDirectories}: an image's Java runtime)
     */
    static Baseline baseline(long pid, Path tmpdir, String runId, List<Path> classPath, List<String> codeDirectories) {
        return baseline(pid, tmpdir, runId, classPath, codeDirectories, child -> false);
    }

    /**
     * As above; {@code harnessChild} tells the one child the worker has from its start that is the harness's, not its own
     * doing: the helper that holds its pid (PidHold), asked while it lives.
     */
    static Baseline baseline(long pid, Path tmpdir, String runId, List<Path> classPath, List<String> codeDirectories,
                             java.util.function.LongPredicate harnessChild) {
        Map<Integer, String> standard = new LinkedHashMap<>();
        for (int fd = 0; fd <= 2; fd++) {
            standard.put(fd, link(PROC.resolve(pid + "/fd/" + fd)));
        }
        return new Baseline(pid, standard, tmpdir.toString(), runId,
                classPath.stream().map(p -> p.toAbsolutePath().toString()).collect(Collectors.toSet()), List.copyOf(codeDirectories),
                harnessChild);
    }

    /** Why the worker is not clean, one line each; empty when every check passed. */
    static List<String> failures(Baseline b, Path shareRoot) {
        List<String> why = new ArrayList<>();
        Path proc = PROC.resolve(Long.toString(b.pid()));
        if (!Files.isDirectory(proc)) {
            why.add("pid " + b.pid() + " is gone");
            return why;
        }
        maps(proc, shareRoot, b.codeDirectories(), why);
        descriptors(proc, b, why);
        children(proc, b, why);
        environment(proc, b, why);
        return why;
    }

    /** @param codeDirectories read-only code its runtime maps shared (an image's runtime maps its lib/modules "r--s") */
    private static void maps(Path proc, Path shareRoot, List<String> codeDirectories, List<String> why) {
        List<String> lines;
        try {
            lines = ProcText.lines(proc.resolve("maps"));
        } catch (IOException e) {
            why.add("cannot read its maps: " + e.getMessage());
            return;
        }
        maps(lines, shareRoot, codeDirectories, why);
    }

    /** Each of the maps lines that is a segment's or a shared mapping of unknown code, said in {@code why}. */
    static void maps(List<String> lines, Path shareRoot, List<String> codeDirectories, List<String> why) {
        String inShare = shareRoot.toString() + "/";
        for (String line : lines) {
            if (!sharedMapping(line) && !line.contains("/SYSV") && !line.contains("/dev/shm/") && !line.contains("/memfd:")
                    && !line.contains(inShare)) {
                continue; // a private mapping of no segment, as nearly all of a worker's are: no need to cut it into fields
            }
            String[] f = ProcText.fields(line, 6);
            String perms = f.length > 1 ? f[1] : "";
            String path = f.length > 5 ? f[5] : "";
            boolean segment = path.startsWith("/SYSV") || path.startsWith("/dev/shm/") || path.startsWith("/memfd:")
                    || path.startsWith(shareRoot.toString() + "/");
            boolean sharedOfUnknown = perms.length() == 4 && perms.charAt(3) == 's' && !path.startsWith("/usr/")
                    && !inCode(path, codeDirectories);
            if (segment || sharedOfUnknown) {
                why.add("still maps " + (path.isEmpty() ? "anonymous shared memory" : path) + " (" + perms + ")");
            }
        }
    }

    /** Whether a maps line's permissions (its second field, after the address range) end in 's': a shared mapping. */
    static boolean sharedMapping(String line) {
        int space = line.indexOf(' ');
        return space > 0 && line.length() > space + 4 && line.charAt(space + 4) == 's';
    }

    private static void descriptors(Path proc, Baseline b, List<String> why) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                int n = Integer.parseInt(fd.getFileName().toString());
                String target = link(fd);
                if (target == null) {
                    continue; // closed while we looked
                }
                if (n <= 2) {
                    if (!target.equals(b.standard().get(n))) {
                        why.add("descriptor " + n + " is " + target + ", not " + b.standard().get(n) + " as at its start");
                    }
                } else if (!isCodeFile(target, b)) {
                    why.add("descriptor " + n + " is still open: " + target);
                }
                locks(proc, n, target, why);
            }
        } catch (IOException | RuntimeException e) {
            why.add("cannot list its descriptors: " + e.getMessage());
        }
    }

    /**
     * A read-only file of the worker's code (the JDK under /usr, a class-path jar, a random device) or a kernel
     * pseudo-file the JVM reads about itself (cgroup limits, /proc): none can hold a segment, a lock or a key.
     */
    static boolean isCodeFile(String target, Baseline b) {
        return inCode(target, b.codeDirectories()) || b.codeFiles().contains(target)
                || DEVICES.contains(target) || target.startsWith(CGROUP_FILES) || target.startsWith("/proc/" + b.pid() + "/");
    }

    /** A file of the system's code under /usr, or of an image's runtime ({@code codeDirectories}), not deleted since. */
    private static boolean inCode(String path, List<String> codeDirectories) {
        return !path.contains(" (deleted)") && (path.startsWith("/usr/") || codeDirectories.stream().anyMatch(path::startsWith));
    }

    /** The {@code lock:} lines the kernel shows for one descriptor (fs/proc/fd.c, show_fd_locks). */
    private static void locks(Path proc, int fd, String target, List<String> why) {
        try {
            for (String line : ProcText.lines(proc.resolve("fdinfo/" + fd))) {
                if (line.startsWith("lock:")) {
                    why.add("holds a lock on descriptor " + fd + " (" + target + "): " + line.substring("lock:".length()).trim());
                }
            }
        } catch (IOException e) {
            if (link(proc.resolve("fd/" + fd)) != null) { // a descriptor closed while we looked holds no lock
                why.add("cannot read the fdinfo of its descriptor " + fd + ": " + e.getMessage());
            }
        }
    }

    /**
     * Its threads' children (/proc/pid/task/tid/children): a thread that ended while we looked has none, but a listing or a
     * thread that cannot be read proves nothing, as for every other part of the check (it passed the worker before).
     */
    private static void children(Path proc, Baseline b, List<String> why) {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
            for (Path task : tasks) {
                String kids;
                try {
                    kids = Files.readString(task.resolve("children"), StandardCharsets.UTF_8).trim();
                } catch (IOException e) {
                    if (Files.exists(task)) {
                        why.add("cannot read the children of its thread " + task.getFileName() + ": " + e.getMessage());
                    }
                    continue;
                }
                List<String> own = java.util.Arrays.stream(kids.split(" ")).filter(k -> !k.isEmpty())
                        .filter(k -> !b.harnessChild().test(Long.parseLong(k))).toList();
                if (!own.isEmpty()) {
                    why.add("has child processes " + String.join(" ", own));
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            why.add("cannot list its threads: " + e.getMessage());
        }
    }

    private static void environment(Path proc, Baseline b, List<String> why) {
        List<String> env;
        try {
            env = Arrays.asList(new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            why.add("cannot read its environment: " + e.getMessage());
            return;
        }
        if (!env.contains("TMPDIR=" + b.tmpdir())) {
            why.add("its TMPDIR is not " + b.tmpdir());
        }
        if (!env.contains(LeftoverWorkers.RUN_VARIABLE + "=" + b.runId())) {
            why.add("it is not a worker of run " + b.runId());
        }
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
