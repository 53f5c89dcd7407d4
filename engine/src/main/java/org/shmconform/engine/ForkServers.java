package org.shmconform.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.shmconform.engine.launch.ForkServer;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * A {@link WorkerPool}'s fork servers: one per command whose program forks its workers ({@link WorkerCommand#forksWorkers}:
 * the Qt 6.4 worker, and the Qt 6.8 worker in its root through the compiled launcher, as the harness's user), started at
 * its first worker and ended with the pool. Where a server cannot start or a fork fails (or this kernel has no
 * pidfd_open), the command's workers are exec'd from then on, as before fork servers (one stderr line says why). A
 * server whose process is gone is kept, retired, until the pool's end and a new one started for the next worker.
 * Measured with {@code fuzz} (README): the Qt columns check more operations a second for about half the CPU.
 */
final class ForkServers implements AutoCloseable {
    /** {@code -Dshmconform.forkServers=false} (SHMCONFORM_JVM_OPTS): every worker exec'd, as before fork servers. */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("shmconform.forkServers", "true"));
    private static final boolean PIDFD_HERE = pidfdHere();
    private final RunContext run;
    private final Map<WorkerCommand, ForkServer> servers = new HashMap<>();
    private final Set<WorkerCommand> refused = new HashSet<>();
    /** Servers that can no longer be asked, kept until the pool's end for the workers they forked. */
    private final List<ForkServer> retired = new ArrayList<>();
    private final AtomicInteger serial = new AtomicInteger();
    private boolean closed;

    ForkServers(RunContext run) {
        this.run = run;
    }

    /**
     * A worker of {@code command} forked by its server; null when the command's program does not fork its workers or no
     * server can: the caller then starts the worker itself.
     */
    WorkerHandle fork(WorkerCommand command) {
        if (!command.forksWorkers() || !ENABLED) {
            return null;
        }
        ForkServer server = serverFor(command);
        if (server == null) {
            return null;
        }
        try {
            return server.fork();
        } catch (IOException | RuntimeException e) {
            if (!Thread.currentThread().isInterrupted()) { // interrupted: the pool is closing, nothing to say
                refuse(command, "a fork failed: " + e.getMessage());
            }
            return null; // this one is exec'd, and so are the command's next ones
        }
    }

    /** From now on the command's workers are exec'd; one stderr line says why. */
    private synchronized void refuse(WorkerCommand command, String why) {
        if (refused.add(command)) {
            System.err.println("shmconform: " + command.program().getFileName() + " workers are started one by one from now on ("
                    + why + ")");
        }
    }

    private synchronized ForkServer serverFor(WorkerCommand command) {
        if (closed || refused.contains(command)) {
            return null;
        }
        if (!PIDFD_HERE) {
            refuse(command, "this kernel has no pidfd_open (Linux 5.3 or later), which pins a worker that is not the harness's child");
            return null;
        }
        ForkServer server = servers.get(command);
        if (server != null && server.usable()) {
            return server;
        }
        if (server != null) {
            retired.add(server); // not ended now: workers it forked may still serve a schedule (close() ends it)
        }
        try {
            server = ForkServer.start(command, run.logs().resolve("fork-server-" + serial.incrementAndGet() + ".stderr.log"));
            servers.put(command, server);
            return server;
        } catch (IOException | RuntimeException e) {
            servers.remove(command);
            refuse(command, "it could not start as a fork server: " + e.getMessage());
            return null;
        }
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
            all.addAll(retired);
            servers.clear();
            retired.clear();
        }
        all.forEach(ForkServer::close);
    }
}
