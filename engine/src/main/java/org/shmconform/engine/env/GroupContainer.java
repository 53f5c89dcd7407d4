package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * One container of the worker image whose main process only sleeps: the place workers are exec'd
 * into, or the IPC donor other containers join. Lifecycle through Testcontainers.
 *
 * <p>With a {@link ContainerLifeline} the main process ends when the harness's JVM does (so a killed
 * harness leaves no running container, nor a worker blocked in one); either way it is finite (a
 * container leaked by a killed harness ends by itself), and the network
 * is "none": workers need none, and it keeps Docker's bridge and iptables out of the picture. A container that
 * joins a donor ({@link #joining}) takes the donor's network namespace as well as its IPC and pid ones: Docker then
 * makes it no network sandbox of its own, whose set-up (dockerd re-executing itself as a hook of the container's start)
 * was about half of a container start here (measured: 0.56 s of wall and 0.44 s of CPU a {@code docker run} with
 * network "none", 0.31 s and 0.22 s joining another container's network).
 */
final class GroupContainer implements AutoCloseable {
    private final GenericContainer<?> container;
    private final Set<Path> readOnlyBinds;
    private final Set<Path> readWriteBinds;
    /**
     * Its cgroup's list of processes, found once just after it started (a container's cgroup does not change); null if it
     * could not be found, or did not name this container.
     */
    private Path processesFile;
    /** Its IPC namespace, read just after it started; null if that could not be proven its own. */
    private OwnIpcNamespace ipc;

    private GroupContainer(GenericContainer<?> container, Set<Path> readOnlyBinds, Set<Path> readWriteBinds) {
        this.container = container;
        this.readOnlyBinds = readOnlyBinds;
        this.readWriteBinds = readWriteBinds;
    }

    /**
     * @param ipcMode        Docker's IpcMode: private, shareable, host or container:&lt;id&gt;
     * @param pidMode        Docker's PidMode, or null for a private pid namespace
     * @param shmBytes       the size of the container's own /dev/shm, or null (host, container:)
     * @param readOnlyBinds  host paths mounted read-only at the same path (the worker's jars)
     * @param readWriteBinds host directories mounted read-write at the same path (the workers' TMPDIR, hs_err directory)
     */
    static GroupContainer start(String image, String ipcMode, String pidMode, Long shmBytes, Map<String, String> labels,
                                Set<Path> readOnlyBinds, Set<Path> readWriteBinds, Duration lifetime) {
        return start(image, ipcMode, pidMode, shmBytes, labels, readOnlyBinds, readWriteBinds, lifetime, null);
    }

    /**
     * @param lifetime how long a container without a lifeline sleeps (a probe's)
     * @param lifeline ends the container with the harness, and only then; null for a container that only sleeps (a probe)
     */
    static GroupContainer start(String image, String ipcMode, String pidMode, Long shmBytes, Map<String, String> labels,
                                Set<Path> readOnlyBinds, Set<Path> readWriteBinds, Duration lifetime, ContainerLifeline lifeline) {
        return start(image, ipcMode, pidMode, "none", shmBytes, labels, readOnlyBinds, readWriteBinds, lifetime, lifeline);
    }

    /**
     * A container in the IPC, pid and network namespaces of the running container {@code donorId} (a
     * docker-shareable group's holder): its /dev/shm and System V objects are the donor's, and it has no network of
     * its own to set up.
     */
    static GroupContainer joining(String image, String donorId, Map<String, String> labels, Set<Path> readOnlyBinds,
                                  Set<Path> readWriteBinds, Duration lifetime, ContainerLifeline lifeline) {
        String donor = "container:" + donorId;
        return start(image, donor, donor, donor, null, labels, readOnlyBinds, readWriteBinds, lifetime, lifeline);
    }

    private static GroupContainer start(String image, String ipcMode, String pidMode, String networkMode, Long shmBytes,
                                        Map<String, String> labels, Set<Path> readOnlyBinds, Set<Path> readWriteBinds,
                                        Duration lifetime, ContainerLifeline lifeline) {
        List<String> main = lifeline == null ? List.of("/bin/sleep", Long.toString(lifetime.toSeconds()))
                : lifeline.mainCommand();
        Set<Path> mounts = new java.util.LinkedHashSet<>(readOnlyBinds);
        if (lifeline != null) {
            mounts.add(lifeline.dir());
        }
        @SuppressWarnings("resource") // closed through GroupContainer.close()
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(name -> false) // the image is local; a pull would hang without a registry
                .withNetworkMode(networkMode)
                .withCommand(main.toArray(String[]::new))
                .withStartupTimeout(Duration.ofSeconds(60))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.getHostConfig().withIpcMode(ipcMode);
                    cmd.getHostConfig().withBinds(binds(mounts, readWriteBinds));
                    if (pidMode != null) {
                        cmd.getHostConfig().withPidMode(pidMode);
                    }
                });
        labels.forEach(c::withLabel);
        if (lifeline != null) {
            c.withLabel(ContainerSweeper.LIFELINE, "true"); // it runs only while this harness lives: no sweep removes it
        }
        if (shmBytes != null) {
            c.withSharedMemorySize(shmBytes);
        }
        c.start();
        GroupContainer started = new GroupContainer(c, Set.copyOf(readOnlyBinds), Set.copyOf(readWriteBinds));
        started.readItsProcessesAndNamespace();
        return started;
    }

    /**
     * While it runs: the namespace its main process is in, then that process's cgroup list, kept only if the cgroup names
     * this container (so the pid was not another's by the time of the reading, and the namespace read is this one's).
     */
    private void readItsProcessesAndNamespace() {
        long main = hostPid();
        if (main <= 0) {
            return;
        }
        OwnIpcNamespace read;
        try {
            read = OwnIpcNamespace.of(main);
        } catch (IOException e) {
            read = null;
        }
        processesFile = ContainerCgroup.procsFileOf(main, id());
        ipc = processesFile == null ? null : read;
        if (ipc == null && read != null) {
            read.close(); // not proven its own: its pinned holder is let go at once
        }
    }

    /** Its IPC namespace (its own, or the donor's it joined), if it was read and proven its own at its start. */
    Optional<OwnIpcNamespace> ipcNamespace() {
        return Optional.ofNullable(ipc);
    }

    /**
     * The mounts, set on the create command directly: Testcontainers' own withFileSystemBind makes it
     * first check "is file mounting supported?" by running an alpine container, which it pulls from
     * Docker Hub, and without a registry that hangs for minutes (checks.disable would skip it, but
     * only as an environment variable or in ~/.testcontainers.properties).
     */
    private static List<Bind> binds(Set<Path> readOnly, Set<Path> readWrite) {
        List<Bind> binds = new ArrayList<>();
        for (Path p : readOnly) {
            binds.add(new Bind(p.toString(), new Volume(p.toString()), AccessMode.ro));
        }
        for (Path p : readWrite) {
            binds.add(new Bind(p.toString(), new Volume(p.toString()), AccessMode.rw));
        }
        return binds;
    }

    String id() {
        return container.getContainerId();
    }

    /** The paths of these mounts that this container lacks (mounts are fixed when a container is made). */
    List<Path> missing(Set<Path> readOnly, Set<Path> readWrite) {
        List<Path> missing = new ArrayList<>(readOnly.stream().filter(p -> !readOnlyBinds.contains(p)).toList());
        missing.addAll(readWrite.stream().filter(p -> !readWriteBinds.contains(p)).toList());
        return missing;
    }

    /** The host pid of the container's main process, whose /proc/<pid>/ns/* are the container's namespaces. */
    long hostPid() {
        Long pid = container.getContainerInfo().getState().getPidLong();
        return pid == null ? -1 : pid;
    }

    /** The host pids of its processes now, as its cgroup lists them; null when its cgroup was not found or is gone. */
    Set<Long> processes() {
        return processesFile == null ? null : ContainerCgroup.processesIn(processesFile);
    }

    /**
     * Whether the kernel lists its main process (the lifeline's wait) in its cgroup and nothing else: nothing an exec
     * started in it lives on, wherever a shared pid namespace reparented it ({@link ContainerCgroup}). False when that
     * cannot be read.
     */
    boolean holdsOnlyItsMainProcess() {
        Set<Long> processes = processes();
        return processes != null && processes.equals(Set.of(hostPid()));
    }

    /** Kills and removes the container (Testcontainers' stop sends SIGKILL, then removes it with its volumes). */
    @Override
    public void close() {
        try {
            container.stop();
        } finally {
            if (ipc != null) {
                ipc.close();
            }
        }
    }
}
