package org.shmconform.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.worker.WorkerMain;

/**
 * Ends the workers a dead run left (e.g. one blocked in a futex when its harness was killed), and
 * only those it can prove are that run's: a process whose environment carries
 * {@code SHMCONFORM_RUN=<run id>} and a TMPDIR of that run, and whose command line is a shmconform
 * worker (the Java worker's main class or the Qt worker). Never by pid alone: the process is pinned
 * with pidfd_open first, then checked, then signalled through the pidfd, so a pid reused meanwhile
 * gets nothing.
 */
final class LeftoverWorkers {
    static final String RUN_VARIABLE = "SHMCONFORM_RUN";

    private LeftoverWorkers() {
    }

    /** @return one line per worker ended */
    static List<String> kill(String runId, List<Path> runTmps) {
        List<String> ended = new ArrayList<>();
        if (runTmps.isEmpty()) {
            return ended; // a run that handed out no TMPDIR started no worker
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == ProcessHandle.current().pid()) {
                    continue;
                }
                try (Pidfd pinned = Pidfd.open(pid)) {
                    if (pinned != null && isWorkerOf(proc, runId, runTmps) && pinned.kill()) {
                        ended.add("leftover worker pid " + pid + " of run " + runId + " killed");
                    }
                }
            }
        } catch (IOException e) {
            ended.add("cannot list /proc: " + e.getMessage());
        }
        return ended;
    }

    static boolean isWorkerOf(Path proc, String runId, List<Path> runTmps) {
        List<String> env = nulSeparated(proc.resolve("environ"));
        if (!env.contains(RUN_VARIABLE + "=" + runId)) {
            return false;
        }
        boolean tmpOfRun = runTmps.stream().anyMatch(t -> env.contains("TMPDIR=" + t));
        List<String> cmd = nulSeparated(proc.resolve("cmdline"));
        boolean worker = cmd.contains(WorkerMain.class.getName())
                || (!cmd.isEmpty() && cmd.get(0).endsWith("/" + QtReferenceWorker.BINARY_NAME));
        return tmpOfRun && worker;
    }

    private static List<String> nulSeparated(Path file) {
        try {
            return Arrays.asList(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }
}
