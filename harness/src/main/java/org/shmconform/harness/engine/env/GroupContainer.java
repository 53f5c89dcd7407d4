package org.shmconform.harness.engine.env;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * One container of the worker image whose main process only sleeps: the place workers are exec'd
 * into, or the IPC donor other containers join. Lifecycle through Testcontainers.
 *
 * <p>The sleep is finite (a container leaked by a killed harness ends by itself), and the network
 * is "none": workers need none, and it keeps Docker's bridge and iptables out of the picture.
 */
final class GroupContainer implements AutoCloseable {
    private final GenericContainer<?> container;
    private final Set<Path> readOnlyBinds;

    private GroupContainer(GenericContainer<?> container, Set<Path> readOnlyBinds) {
        this.container = container;
        this.readOnlyBinds = readOnlyBinds;
    }

    /**
     * @param ipcMode        Docker's IpcMode: private, shareable, host or container:&lt;id&gt;
     * @param pidMode        Docker's PidMode, or null for a private pid namespace
     * @param shmBytes       the size of the container's own /dev/shm, or null (host, container:)
     * @param readOnlyBinds  host paths mounted read-only at the same path (the worker's jars)
     * @param readWriteBind  a host path mounted read-write at the same path (the workers' TMPDIR), or null
     */
    static GroupContainer start(String image, String ipcMode, String pidMode, Long shmBytes, Map<String, String> labels,
                                Set<Path> readOnlyBinds, Path readWriteBind, Duration lifetime) {
        @SuppressWarnings("resource") // closed through GroupContainer.close()
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
                .withImagePullPolicy(name -> false) // the image is local; a pull would hang without a registry
                .withNetworkMode("none")
                .withCommand("/bin/sleep", Long.toString(lifetime.toSeconds()))
                .withStartupTimeout(Duration.ofSeconds(60))
                .withCreateContainerCmdModifier(cmd -> {
                    cmd.getHostConfig().withIpcMode(ipcMode);
                    if (pidMode != null) {
                        cmd.getHostConfig().withPidMode(pidMode);
                    }
                });
        labels.forEach(c::withLabel);
        if (shmBytes != null) {
            c.withSharedMemorySize(shmBytes);
        }
        for (Path p : readOnlyBinds) {
            c.withFileSystemBind(p.toString(), p.toString(), BindMode.READ_ONLY);
        }
        if (readWriteBind != null) {
            c.withFileSystemBind(readWriteBind.toString(), readWriteBind.toString(), BindMode.READ_WRITE);
        }
        c.start();
        return new GroupContainer(c, Set.copyOf(readOnlyBinds));
    }

    String id() {
        return container.getContainerId();
    }

    Set<Path> readOnlyBinds() {
        return readOnlyBinds;
    }

    /** The host pid of the container's main process, whose /proc/<pid>/ns/* are the container's namespaces. */
    long hostPid() {
        Long pid = container.getContainerInfo().getState().getPidLong();
        return pid == null ? -1 : pid;
    }

    /** Kills and removes the container (Testcontainers' stop sends SIGKILL, then removes it with its volumes). */
    @Override
    public void close() {
        container.stop();
    }
}
