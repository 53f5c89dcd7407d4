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
    private Reaper() {
    }

    /** @return one line per object removed */
    public static List<String> reapRun(String runId, Path runDir) {
        List<String> removed = new ArrayList<>();
        for (SharedMemoryBackend backend : Backends.all()) {
            if (!backend.availability().available()) {
                continue;
            }
            try {
                removed.addAll(backend.removeLeftovers(RunContext.KEY_PREFIX + runId, runDir.resolve("tmp")));
            } catch (RuntimeException e) {
                removed.add(backend.name() + ": reaping failed: " + e);
            }
        }
        deleteTree(runDir);
        return removed;
    }

    /** Removes one execution's objects right after it ran, so the next schedule starts clean. */
    static void removeLeftovers(String executionPrefix, Path tempDir, List<String> notes) {
        for (SharedMemoryBackend backend : Backends.all()) {
            if (!backend.availability().available()) {
                continue;
            }
            try {
                for (String line : backend.removeLeftovers(executionPrefix, tempDir)) {
                    notes.add("reaped after the schedule: " + line);
                }
            } catch (RuntimeException e) {
                notes.add(backend.name() + ": reaping failed: " + e);
            }
        }
    }

    private static final int SEM_GETPID = 11;

    /**
     * Removes System V semaphore sets whose last operation was by one of these (dead) workers. The
     * key-file sweep cannot find them: Qt's QSystemSemaphore leaves its set behind when its creator
     * is killed, and another object that re-keys may already have unlinked the key file. Only sets
     * of this user, in this IPC namespace, last touched by a pid of this execution, are removed.
     */
    static void removeSemaphoresOf(java.util.Collection<Long> workerPids, List<String> notes) {
        Path table = Path.of("/proc/sysvipc/sem");
        if (workerPids.isEmpty() || !Files.isReadable(table)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(table);
            String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .map(l -> l.split("\\s+")[1]).findFirst().orElse("");
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+"); // key semid perms nsems uid gid cuid cgid otime ctime
                int id = Integer.parseInt(f[1]);
                if (!f[4].equals(uid)) {
                    continue;
                }
                long last = org.shmconform.backends.linux.LibC.INSTANCE.semctl(id, 0, SEM_GETPID);
                if (workerPids.contains(last) && org.shmconform.backends.linux.LibC.INSTANCE.semctl(id, 0, 0 /* IPC_RMID */) == 0) {
                    notes.add("reaped after the schedule: sem id " + id + " (key " + f[0] + ") last used by worker pid " + last);
                }
            }
        } catch (IOException | RuntimeException e) {
            notes.add("semaphore sweep failed: " + e);
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
