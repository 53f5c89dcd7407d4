package org.shmconform.engine.env;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.shmconform.spi.Availability;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * Where a worker runs: the host, a fresh IPC namespace, a container... Each reports whether it can
 * run here and why not, so a missing capability becomes NOT_AVAILABLE instead of a skip.
 */
public interface Environment extends AutoCloseable {
    String name();

    Availability availability();

    /**
     * Which kernel objects workers placed in {@code group} share with workers placed elsewhere, as
     * namespace identities: {@code ipc} (System V), {@code shm} (what is mounted at /dev/shm), {@code pid}
     * (who can see a memfd holder). Two workers reach the same object only if the identity the
     * backend's visibility depends on is equal. Known before any worker starts.
     */
    Map<String, String> namespaces(String group);

    /** Facts for the report: kernel, namespace ids, engine version. */
    Map<String, String> describe();

    /** Why this environment cannot run that worker (e.g. a native program that is not in its image), or null. */
    default String cannotRun(WorkerCommand command) {
        return null;
    }

    /**
     * Why this environment cannot run any worker that is not a JVM, or null: known without the worker's command, for a
     * column whose command cannot be made yet (its probe did not finish).
     */
    default String cannotRunNativeWorkers() {
        return null;
    }

    /**
     * Whether a worker started here may serve several schedules ({@code WorkerPool}): the harness reads its /proc from
     * outside (by its host pid) to prove it clean as it does a local worker's, and the namespaces of its group outlive a
     * schedule. False unless an environment says so.
     */
    default boolean poolsWorkers() {
        return false;
    }

    /**
     * The IPC namespace this environment made for {@code group}, if it made one and it exists now ({@link OwnIpcNamespace}):
     * empty for environments in the host's IPC namespace (local, docker-host). What is left in it is removed between
     * schedules ({@code OwnNamespaceReaper}) only while no schedule uses this environment ({@code EnvironmentUsers}).
     */
    default Optional<OwnIpcNamespace> ownIpcNamespace(String group) {
        return Optional.empty();
    }

    /**
     * Directories of read-only code its workers run from besides the host's {@code /usr} and the class path (an image's
     * Java runtime), as a worker's descriptors name them: a descriptor of a file there is no segment, lock or key
     * ({@code WorkerCleanCheck}).
     */
    default List<String> codeDirectories() {
        return List.of();
    }

    /**
     * The command line prefix that runs a program in {@code group}'s namespaces, for a fork server there whose forked
     * workers are the group's like the ones {@link #start} starts ({@code ForkServers}); empty where this environment's
     * workers are not forked so (the default: every one started by {@link #start}).
     */
    default Optional<List<String>> forkServerEntry(String group) throws IOException {
        return Optional.empty();
    }

    /**
     * Starts a worker. Workers started with the same {@code group} share this environment's
     * namespaces (e.g. one container, or one unshared namespace pair); different groups do not.
     */
    WorkerHandle start(WorkerCommand command, String group) throws IOException;

    /** Removes everything this environment made: namespaces' holders, containers, copies. */
    @Override
    void close();
}
