package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
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
 * other's containers. A running container with a {@link #LIFELINE} is never removed by another run,
 * whatever its owner label says: its main process ends with its harness ({@link ContainerLifeline}),
 * so while it runs its harness lives, in whatever pid namespace and with whatever state directory
 * (where neither the owner's pid nor its run's lock can be seen from here). Uses the docker CLI so
 * that it works without Testcontainers' settings.
 *
 * <p>Not handled here: IPC objects that docker-host workers made live in the host's namespace and
 * outlive their containers; the harness's IPC reaper removes those.
 */
public final class ContainerSweeper {
    public static final String RUN = "shmconform.run";
    public static final String ENV = "shmconform.env";
    public static final String OWNER = "shmconform.owner";
    /** On a container whose main process is a lifeline's ({@link ContainerLifeline}): it runs only while its harness lives. */
    public static final String LIFELINE = "shmconform.lifeline";
    /** docker's states of a container whose main process exists (paused: frozen, restarting: about to run again). */
    private static final java.util.Set<String> MAIN_PROCESS_LIVES = java.util.Set.of("running", "paused", "restarting");

    private ContainerSweeper() {
    }

    /**
     * This JVM's owner label, what {@link #ownerAlive} checks: boot id, pid, and "t" and the start time in clock ticks
     * since boot (/proc/pid/stat), which no change of the wall clock moves (the JDK's start instant is computed from the
     * boot time /proc/stat gives when a JVM starts, and two JVMs started either side of a clock step disagree on it).
     */
    public static String currentOwner() {
        long pid = ProcessHandle.current().pid();
        return bootId() + "/" + pid + "/t" + startTicks(pid);
    }

    /** Removes containers of other runs whose harness is gone; returns a line per container removed. */
    public static List<String> removeStale(String currentRunId) {
        ToolRun ps = DockerCli.run("ps", "-a", "--filter", "label=" + RUN, "--format",
                "{{.ID}}\t{{.Label \"" + RUN + "\"}}\t{{.Label \"" + OWNER + "\"}}\t{{.State}}\t{{.Label \"" + LIFELINE + "\"}}");
        List<String> stale = new ArrayList<>();
        if (!ps.ok()) {
            return stale;
        }
        // Not stripped whole: the last line's last field may be empty (no lifeline label), and its tab must stay.
        for (String line : ps.output().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length == 5 && isStale(f[1], f[2], f[3], f[4], currentRunId, ContainerSweeper::ownerAlive,
                    org.shmconform.engine.state.RunLock::provablyLive)) {
                stale.add(f[0]);
            }
        }
        return remove(stale, "stale");
    }

    /**
     * Whether a container of run {@code run} (owner label {@code owner}, docker's {@code state}, lifeline label
     * {@code lifeline}) is another run's whose harness is provably gone. The owner label's pid means nothing from another
     * pid namespace, and a run's lock is seen only in this state directory: a running container with a lifeline is
     * therefore kept whatever they say (its harness lives while it runs).
     */
    static boolean isStale(String run, String owner, String state, String lifeline, String currentRunId,
                           java.util.function.Predicate<String> ownerAlive, java.util.function.Predicate<String> runLive) {
        if (run.equals(currentRunId) || MAIN_PROCESS_LIVES.contains(state) && "true".equals(lifeline)) {
            return false;
        }
        return !ownerAlive.test(owner) && !runLive.test(run);
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
        if (f.length != 3 || !f[0].equals(bootId()) || !f[1].matches("[0-9]{1,10}")) {
            return false; // unlabelled, or made before the last reboot
        }
        long pid = Long.parseLong(f[1]);
        if (f[2].startsWith("t")) {
            long ticks = startTicks(pid);
            return ticks >= 0 && f[2].equals("t" + ticks);
        }
        // An owner label of an earlier version: the JDK's start instant in ms.
        return ProcessHandle.of(pid).map(p -> Long.toString(startMillis(p)).equals(f[2])).orElse(false);
    }

    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    /** Process {@code pid}'s start time in clock ticks since boot (/proc/pid/stat field 22), or -1 if it is gone. */
    static long startTicks(long pid) {
        try {
            return Long.parseLong(org.shmconform.backends.host.ProcText.statField(
                    Files.readString(Path.of("/proc", Long.toString(pid), "stat")), 22));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException e) {
            return "unknown-boot";
        }
    }
}
