package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * A worker running inside a container, started as {@code docker exec -i <container> ...} starts it ({@link ContainerExec}:
 * through the engine's API, or the docker client): the exec's stdin/stdout/stderr are the worker's, and the exec ends
 * when the worker has died and been reaped in the container, with its status (137 after SIGKILL). So {@link #awaitExit}
 * waits on the exec and reports the worker's real death.
 *
 * <p>{@link #kill()} sends SIGKILL to the worker process itself, never to a docker client: the worker is
 * found among its container's processes (a container's processes are host processes too, listed by the container's
 * cgroup: {@link ContainerCgroup}) by the marker variable {@code SHMCONFORM_WORKER=<id>} in its environment, and
 * signalled through a pidfd only while the pinned process is still one of the container's and carries that marker.
 * The marker alone proves nothing: through the docker client it is on a command line anyone may read, and anyone may
 * start a process of their own that carries it (until 2026-12-07 the first such process among all the host's was
 * taken for the worker, then stopped, killed, and what it had attached recorded for the reaper). If the container's
 * processes cannot be read here (the engine runs elsewhere), no host pid is known, and the kill is done inside the
 * container by a bash loop over /proc.
 */
public final class DockerWorkerHandle implements WorkerHandle {
    static final String MARKER = "SHMCONFORM_WORKER";
    private final ContainerExec exec;
    private final String containerId;
    private final String workerId;
    /** Told, at {@link #release}, whether the worker has exited ({@link #exited}). */
    private final Consumer<Boolean> release;
    private long hostPid = -1;
    private final AtomicBoolean released = new AtomicBoolean();
    private final ContainerProcesses container;

    /** The host pids of a container's processes now, as its cgroup lists them; null when they cannot be read here. */
    @FunctionalInterface
    interface ContainerProcesses {
        Set<Long> now();
    }

    DockerWorkerHandle(ContainerExec exec, String containerId, ContainerProcesses container, String workerId, Consumer<Boolean> release) {
        this.exec = exec;
        this.containerId = containerId;
        this.container = container;
        this.workerId = workerId;
        this.release = release;
    }

    /** The container the worker runs in. */
    public String containerId() {
        return containerId;
    }

    /**
     * The worker's pid in the host's pid namespace, once it runs (the hello line carries the pid
     * inside the container's namespace).
     */
    @Override
    public synchronized OptionalLong hostPid() {
        if (hostPid < 0) {
            byte[] needle = needle(MARKER + "=" + workerId);
            Set<Long> inside = container.now();
            if (inside != null) {
                // The engine's word, taken only if that process is the container's and carries the marker.
                OptionalLong named = exec.hostPid();
                hostPid = named.isPresent() && inside.contains(named.getAsLong()) && carries(named.getAsLong(), needle)
                        ? named.getAsLong() : findAmong(inside, needle);
            }
        }
        return hostPid < 0 ? OptionalLong.empty() : OptionalLong.of(hostPid);
    }

    @Override
    public OutputStream stdin() {
        return exec.stdin();
    }

    @Override
    public InputStream stdout() {
        return exec.stdout();
    }

    @Override
    public InputStream stderr() {
        return exec.stderr();
    }

    /**
     * SIGKILL through a pidfd, sent only once the pinned process is proven to be this worker ({@link #pins}: its marker):
     * the pid was found while the worker lived, and a worker killed or dead before (its pool replaces it, a shutdown ends
     * it) has left its number free for any host process, another user's included, which root must never signal.
     */
    @Override
    public void kill() {
        OptionalLong pid = hostPid();
        if (pid.isPresent()) {
            try (org.shmconform.backends.host.Pidfd pinned = org.shmconform.backends.host.Pidfd.open(pid.getAsLong())) {
                if (pinned != null) {
                    if (pins(pinned) && !pinned.exited()) {
                        pinned.kill();
                    }
                    return;
                }
            }
            if (!exec.running()) {
                return; // gone (no process to pin): nothing of it is left to kill
            }
        }
        String killer = "for e in /proc/[0-9]*/environ; do "
                + "while IFS= read -r -d '' v; do [[ $v == " + MARKER + "=" + workerId + " ]] && kill -9 ${e//[^0-9]/}; "
                + "done < $e; done 2>/dev/null; true";
        ToolRun inside = DockerCli.run("exec", containerId, "/bin/bash", "-c", killer);
        if (!inside.ok() && exec.running()) {
            // The container is gone or unreachable: ending the exec is all that is left (the
            // daemon then closes the worker's stdin, on which it exits).
            exec.endHere();
        }
    }

    @Override
    public Integer awaitExit(Duration timeout) throws InterruptedException {
        return exec.awaitEnd(timeout);
    }

    @Override
    public boolean isAlive() {
        return exec.running();
    }

    /**
     * The harness does not reap a worker in a container (the container's init does), so whether the pid is still its
     * own is read from the process that has it now: its environment carries this worker's marker. The pidfd was opened
     * before, so if it pinned an earlier holder of the number, that holder has been reaped meanwhile, and the caller's
     * check that the pinned process has not exited fails.
     */
    @Override
    public boolean pins(org.shmconform.backends.host.Pidfd pinned) {
        OptionalLong pid = hostPid();
        if (pid.isEmpty() || pinned.pid() != pid.getAsLong()) {
            return false;
        }
        Set<Long> inside = container.now(); // read after the pin: the pinned process is the one listed, if it still lives
        return inside != null && inside.contains(pid.getAsLong()) && carries(pid.getAsLong(), needle(MARKER + "=" + workerId));
    }

    private static byte[] needle(String marker) {
        return (marker + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** Whether process {@code pid}'s environment holds the variable {@code needle} (NUL-terminated). */
    private static boolean carries(long pid, byte[] needle) {
        try {
            return startsVariable(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")), needle);
        } catch (IOException | SecurityException e) {
            return false; // gone: nothing is proven
        }
    }

    /**
     * Gives back the worker's own container, if it has one (docker-shareable), saying whether the worker has exited: a
     * container may take another worker only then ({@link DockerEnvironment}). Once: a second call (a shutdown's and a
     * pool's release of one worker) must not give back a container that meanwhile took the group's next worker.
     */
    @Override
    public void release() {
        if (released.compareAndSet(false, true)) {
            release.accept(exited());
        }
    }

    /** Whether the worker has exited: an exec ends once the process it ran has, unless ended here. */
    private boolean exited() {
        return !exec.running() && !exec.endedHere();
    }

    /** The one of {@code pids} (the container's processes) whose environment carries the worker's marker, or -1. */
    private static long findAmong(Set<Long> pids, byte[] needle) {
        for (long pid : new java.util.TreeSet<>(pids)) {
            if (carries(pid, needle)) { // false for one that exited meanwhile
                return pid;
            }
        }
        return -1;
    }

    /** True if needle occurs in env at the start of a NUL-separated variable. */
    private static boolean startsVariable(byte[] env, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= env.length; i++) {
            if (i > 0 && env[i - 1] != 0) {
                continue;
            }
            for (int j = 0; j < needle.length; j++) {
                if (env[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
