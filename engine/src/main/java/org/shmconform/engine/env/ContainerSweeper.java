package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes the harness's containers: at start-up those of runs whose harness is gone (killed with
 * SIGKILL, so neither close() nor Testcontainers' shutdown hook ran), after a run all of that run.
 *
 * <p>Every container carries {@link #RUN} (the run id), {@link #ENV} (the environment instance)
 * and {@link #OWNER} (boot id, pid and start time of the harness JVM). A container of another run is
 * only removed when its owner is no longer alive, so two harnesses on one machine never remove each
 * other's containers. Uses the docker CLI so that it works without Testcontainers' settings.
 *
 * <p>Not handled here: IPC objects that docker-host workers made live in the host's namespace and
 * outlive their containers; the harness's IPC reaper removes those.
 */
public final class ContainerSweeper {
    public static final String RUN = "shmconform.run";
    public static final String ENV = "shmconform.env";
    public static final String OWNER = "shmconform.owner";

    private ContainerSweeper() {
    }

    /** This JVM's owner label: what {@link #ownerAlive} checks. */
    public static String currentOwner() {
        ProcessHandle self = ProcessHandle.current();
        return bootId() + "/" + self.pid() + "/" + startMillis(self);
    }

    /** Removes containers of other runs whose harness is gone; returns a line per container removed. */
    public static List<String> removeStale(String currentRunId) {
        ToolRun ps = DockerCli.run("ps", "-a", "--filter", "label=" + RUN, "--format",
                "{{.ID}}\t{{.Label \"" + RUN + "\"}}\t{{.Label \"" + OWNER + "\"}}");
        List<String> stale = new ArrayList<>();
        if (!ps.ok()) {
            return stale;
        }
        for (String line : ps.output().strip().split("\n")) {
            String[] f = line.split("\t", -1);
            // The owner label's pid means nothing from another pid namespace: a run whose lock is held lives.
            if (f.length == 3 && !f[1].equals(currentRunId) && !ownerAlive(f[2])
                    && !org.shmconform.engine.state.RunLock.provablyLive(f[1])) {
                stale.add(f[0]);
            }
        }
        return remove(stale, "stale");
    }

    /** Removes every container of a run (all its environments); for the end of a run. */
    public static List<String> removeRun(String runId) {
        return removeLabelled(RUN + "=" + runId);
    }

    /** Removes every container of one environment instance. */
    static List<String> removeEnvironment(String envInstance) {
        return removeLabelled(ENV + "=" + envInstance);
    }

    private static List<String> removeLabelled(String label) {
        ToolRun ps = DockerCli.run("ps", "-aq", "--filter", "label=" + label);
        List<String> ids = new ArrayList<>();
        if (ps.ok()) {
            for (String id : ps.output().strip().split("\n")) {
                if (!id.isBlank()) {
                    ids.add(id.strip());
                }
            }
        }
        return remove(ids, label);
    }

    private static List<String> remove(List<String> ids, String why) {
        List<String> removed = new ArrayList<>();
        if (ids.isEmpty()) {
            return removed;
        }
        List<String> argv = new ArrayList<>(List.of("rm", "-f"));
        argv.addAll(ids);
        ToolRun rm = DockerCli.run(argv);
        for (String id : ids) {
            removed.add("container " + id + " (" + why + ")" + (rm.ok() ? "" : ": " + rm.lastLine()));
        }
        return removed;
    }

    static boolean ownerAlive(String owner) {
        String[] f = owner.split("/");
        if (f.length != 3 || !f[0].equals(bootId())) {
            return false; // unlabelled, or made before the last reboot
        }
        return ProcessHandle.of(Long.parseLong(f[1])).map(p -> Long.toString(startMillis(p)).equals(f[2])).orElse(false);
    }

    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return "unknown-boot";
        }
    }
}
