package org.shmconform.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.launch.ForkServer;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * A {@link WorkerPool}'s fork servers: one per command whose program forks its workers ({@link WorkerCommand#forksWorkers}:
 * the Qt 6.4 worker, and the Qt 6.8 worker in its root through the compiled launcher, as the harness's user), started at
 * its first worker and ended with the pool. Where a server cannot start or a fork fails (or this kernel has no
 * pidfd_open), the command's workers are exec'd from then on, as before fork servers (one stderr line says why). A
 * server whose process is gone is kept, retired, until the pool's end and a new one started for the next worker.
 * A group of an environment that offers it ({@link Environment#forkServerEntry}: a fuzz campaign's lanes, each in an IPC
 * namespace of its own) has servers of its own, entered into the group's namespaces, ended with {@link #endIn}.
 * Measured with {@code fuzz} (docs/fuzz-notes.md, "The Qt workers are forked by a fork server"): the Qt columns check
 * more operations a second for about half the CPU.
 */
final class ForkServers implements AutoCloseable {
    /** {@code -Dshmconform.forkServers=false} (SHMCONFORM_JVM_OPTS): every worker exec'd, as before fork servers. */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("shmconform.forkServers", "true"));
    private static final boolean PIDFD_HERE = pidfdHere();
    private final RunContext run;
    private final Map<Place, ForkServer> servers = new HashMap<>();
    private final Set<Place> refused = new HashSet<>();
    /** Servers that can no longer be asked, kept until the pool's end (or their place's) for the workers they forked. */
    private final Map<ForkServer, Place> retired = new HashMap<>();
    private final AtomicInteger serial = new AtomicInteger();
    private boolean closed;

    ForkServers(RunContext run) {
        this.run = run;
    }

    /** A command's servers in one place: the host's namespaces (environment and group null) or an environment's group. */
    private record Place(WorkerCommand command, Environment environment, String group) {
        String describe() {
            return command.program().getFileName() + (environment == null ? "" : " (" + environment.name() + " group " + group + ")");
        }
    }

    /**
     * A worker of {@code command} forked by its server; null when the command's program does not fork its workers or no
     * server can: the caller then starts the worker itself.
     */
    WorkerHandle fork(WorkerCommand command) {
        return fork(new Place(command, null, null));
    }

    /**
     * A worker of {@code command} forked by a server in {@code group}'s namespaces of {@code environment}; null when the
     * environment forks no workers there ({@link Environment#forkServerEntry}) or no server can: the environment starts it.
     */
    WorkerHandle fork(WorkerCommand command, Environment environment, String group) {
        return fork(new Place(command, environment, group));
    }

    private WorkerHandle fork(Place place) {
        WorkerCommand command = place.command();
        if (!command.forksWorkers() || !ENABLED) {
            return null;
        }
        ForkServer server = serverFor(place);
        if (server == null) {
            return null;
        }
        try {
            return server.fork();
        } catch (IOException | RuntimeException e) {
            if (!Thread.currentThread().isInterrupted()) { // interrupted: the pool is closing, nothing to say
                refuse(place, "a fork failed: " + e.getMessage());
            }
            return null; // this one is exec'd, and so are the command's next ones
        }
    }

    /** From now on the command's workers are exec'd; one stderr line says why. */
    private synchronized void refuse(Place place, String why) {
        if (refused.add(place)) {
            System.err.println("shmconform: " + place.describe() + " workers are started one by one from now on (" + why + ")");
        }
    }

    private synchronized ForkServer serverFor(Place place) {
        if (closed || refused.contains(place)) {
            return null;
        }
        ForkServer server = servers.get(place);
        if (server != null && server.usable()) {
            return server;
        }
        List<String> entry;
        try {
            entry = place.environment() == null ? List.of() : place.environment().forkServerEntry(place.group()).orElse(null);
        } catch (IOException e) {
            return null; // the environment cannot reach the group: its own start says so
        }
        if (entry == null) {
            return null;
        }
        if (!PIDFD_HERE) {
            refuse(place, "this kernel has no pidfd_open (Linux 5.3 or later), which pins a worker that is not the harness's child");
            return null;
        }
        if (server != null) {
            retired.put(server, place); // not ended now: workers it forked may still serve a schedule (close() ends it)
        }
        try {
            server = ForkServer.start(place.command(), entry,
                    run.logs().resolve("fork-server-" + serial.incrementAndGet() + ".stderr.log"));
            servers.put(place, server);
            return server;
        } catch (IOException | RuntimeException e) {
            servers.remove(place);
            refuse(place, "it could not start as a fork server: " + e.getMessage());
            return null;
        }
    }

    /**
     * Ends the servers in {@code environment}'s groups, once no worker they forked serves a schedule (its pool ended them,
     * {@code WorkerPool#retire}): the environment is closing, and a server in a group's namespace would keep it alive.
     */
    void endIn(Environment environment) {
        List<ForkServer> ending = new ArrayList<>();
        synchronized (this) {
            servers.entrySet().removeIf(e -> e.getKey().environment() == environment && ending.add(e.getValue()));
            retired.entrySet().removeIf(e -> e.getValue().environment() == environment && ending.add(e.getKey()));
        }
        ending.forEach(ForkServer::close);
    }

    private static boolean pidfdHere() {
        try (org.shmconform.backends.host.Pidfd self = org.shmconform.backends.host.Pidfd.open(ProcessHandle.current().pid())) {
            return self != null;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    synchronized List<Long> pids() {
        return servers.values().stream().filter(ForkServer::usable).map(ForkServer::pid).toList();
    }

    /** Ends every server; a worker one forked that still lives dies with it. */
    @Override
    public void close() {
        List<ForkServer> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(servers.values());
            all.addAll(retired.keySet());
            servers.clear();
            retired.clear();
        }
        all.forEach(ForkServer::close);
    }
}
