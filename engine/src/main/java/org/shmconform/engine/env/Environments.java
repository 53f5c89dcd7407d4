package org.shmconform.engine.env;

import java.util.List;
import java.util.Optional;

/** The environments by the names used on the command line, in schedules and in reports. */
public final class Environments {
    private Environments() {
    }

    public static List<String> names() {
        return List.of(LocalEnvironment.NAME, IpcNamespaceEnvironment.NAME, IpcShmNamespaceEnvironment.NAME,
                DockerEnvironment.Mode.PRIVATE.environmentName, DockerEnvironment.Mode.SHAREABLE.environmentName,
                DockerEnvironment.Mode.HOST.environmentName);
    }

    /**
     * Whether a worker of this environment makes its System V objects in the harness's own IPC namespace, where other
     * runs and programs on the machine make theirs: local workers and {@code docker --ipc host} containers.
     */
    public static boolean sharesTheHostsIpcNamespace(String name) {
        return name.equals(LocalEnvironment.NAME) || name.equals(DockerEnvironment.Mode.HOST.environmentName);
    }

    /**
     * A new environment with default settings (64m /dev/shm), or empty for an unknown name.
     *
     * @param runId labels the docker environments' containers, for {@link ContainerSweeper}
     */
    public static Optional<Environment> create(String name, String runId) {
        return create(name, runId, DockerEnvironment.DEFAULT_SHM_BYTES);
    }

    /** As {@link #create(String, String)}, with the size of the private /dev/shm of ipcns+shm and containers. */
    public static Optional<Environment> create(String name, String runId, long shmBytes) {
        if (name.equals(LocalEnvironment.NAME)) {
            return Optional.of(new LocalEnvironment());
        }
        if (name.equals(IpcNamespaceEnvironment.NAME)) {
            return Optional.of(new IpcNamespaceEnvironment());
        }
        if (name.equals(IpcShmNamespaceEnvironment.NAME)) {
            return Optional.of(new IpcShmNamespaceEnvironment((shmBytes >> 20) + "m"));
        }
        for (DockerEnvironment.Mode mode : DockerEnvironment.Mode.values()) {
            if (name.equals(mode.environmentName)) {
                return Optional.of(new DockerEnvironment(mode, runId, shmBytes, DockerEnvironment.DEFAULT_LIFETIME));
            }
        }
        return Optional.empty();
    }
}
