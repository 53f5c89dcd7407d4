package org.shmconform.harness.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.shmconform.backends.Backends;
import org.shmconform.backends.SharedMemoryBackend;

/**
 * Removes what a run made: every backend's objects whose key carries the run's prefix (System V
 * segments and semaphores found through the key files in the run's TMPDIR, /dev/shm names, mapped
 * files), then the run's directory. Runs at the end of every run and, for runs whose owner process
 * is dead (a harness killed with SIGKILL), at the start of the next one.
 */
public final class Reaper {
    /** Loaded and probed once: the reaper runs after every schedule, and a probe makes kernel objects of its own. */
    private static List<SharedMemoryBackend> available;

    private Reaper() {
    }

    private static synchronized List<SharedMemoryBackend> availableBackends() {
        if (available == null) {
            available = Backends.all().stream().filter(b -> b.availability().available()).toList();
        }
        return available;
    }

    /** @return one line per object removed */
    public static List<String> reapRun(String runId, Path runDir) {
        List<String> removed = new ArrayList<>();
        for (SharedMemoryBackend backend : availableBackends()) {
            try {
                for (Path tmp : tmpDirs(runDir)) {
                    removed.addAll(backend.removeLeftovers(RunContext.KEY_PREFIX + runId, tmp));
                }
            } catch (RuntimeException e) {
                removed.add(backend.name() + ": reaping failed: " + e);
            }
        }
        deleteTree(runDir);
        return removed;
    }

    /** The run's TMPDIRs ("tmp", "tmp-<name>"): key files may be in any of them. */
    static List<Path> tmpDirs(Path runDir) {
        try (Stream<Path> children = Files.list(runDir)) {
            return children.filter(p -> p.getFileName().toString().startsWith("tmp")).toList();
        } catch (IOException e) {
            return List.of(runDir.resolve("tmp"));
        }
    }

    /** Removes one execution's objects right after it ran, so the next schedule starts clean. */
    static void removeLeftovers(String executionPrefix, List<Path> tempDirs, List<String> notes) {
        for (SharedMemoryBackend backend : availableBackends()) {
            try {
                for (Path tempDir : tempDirs) {
                    for (String line : backend.removeLeftovers(executionPrefix, tempDir)) {
                        notes.add("reaped after the schedule: " + line);
                    }
                }
            } catch (RuntimeException e) {
                notes.add(backend.name() + ": reaping failed: " + e);
            }
        }
    }

    /**
     * Removes System V objects that this execution's workers made or touched last and that outlived
     * them. The key files are the usual way back to them, but Qt's semaphore ownership rules can
     * unlink a key file while its semaphore lives on (an object that made the file but found the
     * semaphore already there removes only the file): those are found here by pid.
     */
    static void removeSysVTouchedBy(java.util.Set<Long> pids, List<String> notes) {
        if (pids.isEmpty()) {
            return;
        }
        for (String line : readLines("/proc/sysvipc/sem")) {
            String[] f = line.trim().split("\\s+");
            int id = Integer.parseInt(f[1]);
            int lastPid = org.shmconform.backends.linux.LibC.INSTANCE.semctl(id, 0, 11 /* GETPID */);
            if (pids.contains((long) lastPid) && org.shmconform.backends.linux.LibC.INSTANCE.semctl(id, 0,
                    org.shmconform.backends.linux.LibC.IPC_RMID) == 0) {
                notes.add("reaped after the schedule: orphaned semaphore key 0x" + Integer.toHexString(Integer.parseInt(f[0]))
                        + " id " + id + " (its key file was already gone; last used by pid " + lastPid + ")");
            }
        }
        for (String line : readLines("/proc/sysvipc/shm")) {
            String[] f = line.trim().split("\\s+");
            int id = Integer.parseInt(f[1]);
            long cpid = Long.parseLong(f[4]);
            long lpid = Long.parseLong(f[5]);
            long nattch = Long.parseLong(f[6]);
            if (nattch == 0 && (pids.contains(cpid) || pids.contains(lpid))
                    && org.shmconform.backends.linux.LibC.INSTANCE.shmctl(id, org.shmconform.backends.linux.LibC.IPC_RMID, null) == 0) {
                notes.add("reaped after the schedule: orphaned segment key 0x" + Integer.toHexString(Integer.parseInt(f[0]))
                        + " id " + id + " (made by pid " + cpid + ")");
            }
        }
    }

    private static List<String> readLines(String file) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            return lines.isEmpty() ? lines : lines.subList(1, lines.size());
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Reaps every run under the runs root whose owner process is gone. */
    public static List<String> reapDeadRuns() {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(RunContext.RUNS_ROOT)) {
            return removed;
        }
        try (Stream<Path> runs = Files.list(RunContext.RUNS_ROOT)) {
            for (Path run : runs.toList()) {
                if (!ownerAlive(run)) {
                    removed.addAll(reapRun(run.getFileName().toString(), run));
                }
            }
        } catch (IOException e) {
            removed.add("cannot list " + RunContext.RUNS_ROOT + ": " + e.getMessage());
        }
        return removed;
    }

    private static boolean ownerAlive(Path run) {
        try {
            long pid = Long.parseLong(Files.readString(run.resolve("owner.pid")).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // left for the next run's reaper
        }
    }
}
