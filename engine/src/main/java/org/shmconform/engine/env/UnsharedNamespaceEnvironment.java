package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.shmconform.spi.Availability;
import org.shmconform.engine.launch.ProcessWorkerHandle;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * Workers as host processes in namespaces made with unshare: one {@link NamespaceHolder} per group,
 * every worker of the group entered into the holder's namespaces with nsenter (which execs the
 * worker in place, so the child's pid is the worker's and SIGKILL reaches it).
 */
abstract class UnsharedNamespaceEnvironment implements Environment {
    /** Distinguishes this instance's namespaces from another instance's in {@link #namespaces}. */
    protected final String instanceId = UUID.randomUUID().toString().substring(0, 8);
    private final boolean privateShm;
    private final String shmSize;
    /** Whether a fork server entered into a group's namespaces forks its workers of a program that forks them. */
    private final boolean forkedWorkers;
    private final Map<String, NamespaceHolder> holders = new LinkedHashMap<>();
    private final List<ProcessWorkerHandle> workers = new ArrayList<>();
    private Availability availability;
    /** Set by close(): a start after it (a pool's spare on its way) would make a holder nobody ends. */
    private boolean closed;

    UnsharedNamespaceEnvironment(boolean privateShm, String shmSize) {
        this(privateShm, shmSize, false);
    }

    UnsharedNamespaceEnvironment(boolean privateShm, String shmSize, boolean forkedWorkers) {
        this.privateShm = privateShm;
        this.shmSize = shmSize;
        this.forkedWorkers = forkedWorkers;
    }

    /** The holder's nsenter prefix: a fork server it runs is in the group's namespaces, and so is every worker it forks. */
    @Override
    public Optional<List<String>> forkServerEntry(String group) throws IOException {
        return forkedWorkers ? Optional.of(holderOf(group).enterPrefix()) : Optional.empty();
    }

    @Override
    public synchronized Availability availability() {
        if (availability == null) {
            availability = probe();
        }
        return availability;
    }

    /** Really makes and enters a holder: unshare needs CAP_SYS_ADMIN, mount needs it in the new ns. */
    private Availability probe() {
        try (NamespaceHolder holder = NamespaceHolder.start(privateShm, "1m")) {
            List<String> argv = new ArrayList<>(holder.enterPrefix());
            argv.add(org.shmconform.engine.launch.SystemTools.path("true")); // nsenter would look a bare name up on our PATH
            ToolRun entered = ToolRun.of(Duration.ofSeconds(10), argv);
            if (entered.timedOut()) { // nsenter and true that did not end: no word on whether namespaces work here
                return Availability.undecided("entering a holder's namespaces did not finish: " + entered.lastLine());
            }
            return entered.ok() ? Availability.yes()
                    : Availability.no("nsenter into a holder failed: " + entered.lastLine());
        } catch (IOException e) {
            return Availability.no(UnshareRefusal.explain(e.getMessage()));
        }
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = HostNamespaces.describe(ProcessHandle.current().pid());
        facts.put("environment", name());
        synchronized (this) {
            holders.forEach((group, holder) -> HostNamespaces.of(holder.pid())
                    .forEach((ns, id) -> facts.put("group." + group + "." + ns, id)));
        }
        return facts;
    }

    /** Its workers are host processes in the holder's namespaces, which live as long as this environment. */
    @Override
    public boolean poolsWorkers() {
        return true;
    }

    @Override
    public WorkerHandle start(WorkerCommand command, String group) throws IOException {
        NamespaceHolder holder = holderOf(group);
        ProcessWorkerHandle worker = ProcessWorkerHandle.start(command, command.program().toString(),
                holder.enterPrefix().toArray(String[]::new));
        synchronized (this) {
            if (!closed) {
                workers.add(worker);
                return worker;
            }
        }
        worker.kill(); // close() ran while it started: its list is gone, so the start ends and reaps it itself
        try {
            worker.awaitExit(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IOException(name() + " is closed");
    }

    private synchronized NamespaceHolder holderOf(String group) throws IOException {
        if (closed) {
            throw new IOException(name() + " is closed");
        }
        NamespaceHolder holder = holders.get(group);
        if (holder != null && !holder.isAlive()) {
            // Somebody killed the holder: its namespaces may still live on in workers, but no new
            // worker can join them; a silently fresh namespace would break the group's promise.
            throw new IOException("namespace holder of group " + group + " (pid " + holder.pid() + ") died");
        }
        if (holder == null) {
            holder = NamespaceHolder.start(privateShm, shmSize);
            holders.put(group, holder);
        }
        return holder;
    }

    /** The group's holder's IPC namespace, once the group has one that lives. */
    @Override
    public synchronized Optional<OwnIpcNamespace> ownIpcNamespace(String group) {
        NamespaceHolder holder = holders.get(group);
        return holder == null || !holder.isAlive() ? Optional.empty() : Optional.of(holder.ipcNamespace());
    }

    /** Host identity of what is NOT unshared, for the namespaces() rules of subclasses. */
    protected static Map<String, String> host() {
        return HostNamespaces.of(ProcessHandle.current().pid());
    }

    /** Kills workers still running (they would keep the namespaces alive), then the holders. */
    @Override
    public synchronized void close() {
        closed = true;
        for (ProcessWorkerHandle worker : workers) {
            if (worker.isAlive()) {
                worker.kill();
                try {
                    worker.awaitExit(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        workers.clear();
        holders.values().forEach(NamespaceHolder::close);
        holders.clear();
    }
}
