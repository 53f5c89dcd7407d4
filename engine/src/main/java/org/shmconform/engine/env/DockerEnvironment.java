package org.shmconform.engine.env;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.shmconform.spi.Availability;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * Workers in Docker containers of the offline-built worker image, in one of three IPC set-ups:
 * <ul>
 * <li>{@code docker-private}: one container per group ({@code --ipc private}, its own /dev/shm of
 *     the configured size); the group's workers are exec'd into it. Groups are isolated from each
 *     other and from the host.</li>
 * <li>{@code docker-shareable}: one holder container per group ({@code --ipc shareable}, owning the
 *     IPC namespace and /dev/shm) and one container per live worker joining it with
 *     {@code --ipc container:<holder>} and {@code --pid container:<holder>}: separate containers
 *     that share System V, /dev/shm and pids (like a pod with a shared process namespace). A worker's
 *     container outlives it and takes a later worker of the group, once nothing the worker started
 *     lives ({@link #reusableWorkerContainer}).</li>
 * <li>{@code docker-host}: one container per group with {@code --ipc host}: the host's System V
 *     namespace and the host's /dev/shm, so objects outlive the containers (the harness's IPC
 *     reaper removes them). --shm-size does not apply.</li>
 * </ul>
 * Every worker is started as {@code docker exec -i} starts it, through the engine's API where its socket can be
 * used ({@link DockerEngineSocket}, {@link EngineApiExec}: no client start per worker), else through the client (see
 * {@link DockerWorkerHandle}). Its jars
 * are bind-mounted read-only at their host paths and its TMPDIR read-write at its host path, so
 * the same key gives the same key file (and ftok key) everywhere: only the namespaces decide what
 * is visible. Java workers only: {@link WorkerCommand#program()} is replaced by the image's java;
 * a command without class path runs the named program from the image (bash, ipcs, ipcmk, ...).
 */
public final class DockerEnvironment implements Environment {
    public enum Mode {
        PRIVATE("docker-private"), SHAREABLE("docker-shareable"), HOST("docker-host");

        public final String environmentName;

        Mode(String environmentName) {
            this.environmentName = environmentName;
        }
    }

    public static final long DEFAULT_SHM_BYTES = 64L << 20;
    /** The names of the worker image's class-data archive directories in the private cache. */
    public static final String ARCHIVE_PREFIX = ContainerClassDataSharing.PREFIX;
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(6);
    static final String JAVA = "/opt/jre/bin/java";
    /** The image's JNA native library directory. */
    private static final String JNA_DIR = "/opt/jna";
    /** More ended workers' containers than this per holder are removed: a group has a few workers at a time. */
    private static final int ENDED_CONTAINERS_KEPT = 8;
    private static final List<String> JVM_FLAGS = List.of("-Djna.boot.library.path=" + JNA_DIR, "-Djna.nounpack=true");

    private final Mode mode;
    private final String runId;
    private final long shmBytes;
    private final Duration lifetime;
    private final java.util.function.Supplier<DockerEngineSocket> engine;
    private final String instanceId = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicInteger workerCount = new AtomicInteger();
    private final Map<String, GroupContainer> groups = new LinkedHashMap<>();
    private final List<GroupContainer> workerContainers = new ArrayList<>();
    /** docker-shareable: worker containers whose worker has ended, by their holder's id (a subset of workerContainers). */
    private final Map<String, Deque<GroupContainer>> endedWorkersContainers = new HashMap<>();
    private Availability availability;
    private String image;
    private ContainerLifeline lifeline;
    /** Closed: no more containers (a pool's spare on its way must not make a group container nobody removes). */
    private boolean closed;

    public DockerEnvironment(Mode mode, String runId) {
        this(mode, runId, DEFAULT_SHM_BYTES, DEFAULT_LIFETIME);
    }

    /**
     * @param runId    labels every container (shmconform.run), for {@link ContainerSweeper}
     * @param shmBytes the size of each group's /dev/shm (--shm-size); ignored by docker-host
     * @param lifetime how long a container without a lifeline (a probe's) sleeps; the group's containers live as long as
     *                 the harness ({@link ContainerLifeline}), however long the run
     */
    public DockerEnvironment(Mode mode, String runId, long shmBytes, Duration lifetime) {
        this(mode, runId, shmBytes, lifetime, DockerEngineSocket::here);
    }

    /** @param engine the engine's socket its execs go through, or null from it: through the docker client */
    DockerEnvironment(Mode mode, String runId, long shmBytes, Duration lifetime, java.util.function.Supplier<DockerEngineSocket> engine) {
        this.mode = mode;
        this.runId = runId;
        this.shmBytes = shmBytes;
        this.lifetime = lifetime;
        this.engine = engine;
    }

    @Override
    public String name() {
        return mode.environmentName;
    }

    /**
     * Probes in order: an engine answers, Testcontainers is configured, the image exists or builds,
     * and a container of this mode really starts. Also removes containers of dead earlier runs.
     */
    @Override
    public synchronized Availability availability() {
        if (availability == null) {
            availability = probe();
        }
        return availability;
    }

    private Availability probe() {
        ToolRun version = DockerCli.askServerVersion();
        if (version.timedOut()) {
            return Availability.undecided(DockerCli.whyUndecided());
        }
        if (!version.ok()) {
            return Availability.no(DockerCli.whyNoEngine(version));
        }
        String tcProblem = TestcontainersSetup.problem();
        if (tcProblem != null) {
            return Availability.no(tcProblem);
        }
        ToolRun api = DockerCli.askServerApiVersion();
        if (api.timedOut()) {
            return Availability.undecided(DockerCli.whyUndecided());
        }
        TestcontainersSetup.pinApiVersion(api.ok() ? api.output().strip() : null);
        ContainerSweeper.removeStale(runId);
        try {
            image = WorkerImage.tag();
        } catch (WorkerImage.Undecided e) {
            return Availability.undecided(e.getMessage());
        } catch (IOException e) {
            return Availability.no(e.getMessage());
        }
        try (GroupContainer probe = startProbeContainer(image)) {
            String failed = probeExec(probe.id());
            if (failed == null) {
                return Availability.yes();
            }
            String why = "docker exec in a probe container failed: " + failed;
            return failed.equals(EXEC_DID_NOT_END) || failed.equals(EXEC_INTERRUPTED) ? Availability.undecided(why)
                    : Availability.no(why);
        } catch (RuntimeException e) {
            String why = "starting a " + name() + " container failed: " + e;
            return timedOut(e) ? Availability.undecided(why + " (a bound ran out, so this says nothing about the engine)")
                    : Availability.no(why);
        }
    }

    /** The probe exec's answer when it did not end in its bound (neither it nor the engine said why). */
    static final String EXEC_DID_NOT_END = "did not end in 30 s";
    private static final String EXEC_INTERRUPTED = "interrupted";

    /**
     * Whether a container's start gave up at a bound (Testcontainers' startup timeout, whose cause is a
     * {@code TimeoutException} of its own or of the JDK), not at something the engine refused.
     */
    static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getClass().getSimpleName().equals("TimeoutException")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The probe's container, of this mode, on the environment's lifeline like its workers' containers: a harness
     * SIGKILLed while it ran left it running its 5-minute sleep (ProbeAndDumpContainersDieWithTheHarnessIT); now it
     * stops with the harness, and the next run's sweep removes it (its owner is dead, ContainerSweeper).
     */
    GroupContainer startProbeContainer(String image) {
        return GroupContainer.start(image, probeIpcMode(), null, mode == Mode.HOST ? null : shmBytes, labels(), Set.of(), Set.of(),
                Duration.ofMinutes(5), lifeline());
    }

    /** Runs {@code :} in the container the way workers will be started ({@link #startExec}); null if it ran, else why not. */
    private String probeExec(String containerId) {
        try {
            ContainerExec exec = startExec(containerId, new Exec(null, Map.of(), List.of("/bin/sh", "-c", ":")));
            exec.stdin().close();
            Integer status = exec.awaitEnd(Duration.ofSeconds(30));
            if (status == null) {
                exec.endHere();
                return EXEC_DID_NOT_END;
            }
            return status == 0 ? null : "exit status " + status;
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXEC_INTERRUPTED;
        }
    }

    /**
     * Starts {@code exec} in the container through the engine's socket, else through the docker client. Either way it
     * ends with the harness: its connection or its client dies with this JVM, and the engine then closes the process's
     * stdin (a worker left in the container is the sweep's: see ContainerSweeper).
     */
    private ContainerExec startExec(String containerId, Exec exec) throws IOException {
        DockerEngineSocket socket = engine.get();
        return socket != null ? EngineApiExec.start(socket, containerId, exec.user(), exec.env(), exec.argv())
                : ContainerExec.ofClient(org.shmconform.engine.launch.WorkerLauncher.start(new ProcessBuilder(exec.clientArgv(containerId))));
    }

    private String probeIpcMode() {
        return switch (mode) {
            case PRIVATE -> "private";
            case SHAREABLE -> "shareable";
            case HOST -> "host";
        };
    }

    @Override
    public String cannotRun(WorkerCommand command) {
        return command.classPath().isEmpty()
                ? "the worker image carries only a Java runtime; " + command.program().getFileName() + " is not in it" : null;
    }

    @Override
    public String cannotRunNativeWorkers() {
        return "the worker image carries only a Java runtime";
    }

    @Override
    public Map<String, String> namespaces(String group) {
        Map<String, String> host = HostNamespaces.of(ProcessHandle.current().pid());
        String here = "container:" + instanceId + "/" + group;
        Map<String, String> ns = new LinkedHashMap<>();
        ns.put("ipc", mode == Mode.HOST ? host.get("ipc") : name() + ":" + here);
        ns.put("shm", mode == Mode.HOST ? host.get("shm") : name() + ":" + here + "/dev/shm");
        // A container's pid namespace is a child of the host's: the host sees its processes (and so a
        // memfd they hold), the container does not see the host's. "parent/child" says exactly that.
        ns.put("pid", host.get("pid") + "/" + name() + ":" + here + "/pid"); // shareable shares the holder's pid ns too
        return ns;
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("kernel", HostNamespaces.kernel());
        facts.put("environment", name());
        facts.put("engine", String.valueOf(DockerCli.serverVersion()));
        facts.put("engineApi", String.valueOf(DockerCli.serverApiVersion()));
        facts.put("image", String.valueOf(image));
        facts.put("shmSize", mode == Mode.HOST ? "host" : Long.toString(shmBytes));
        HostNamespaces.of(ProcessHandle.current().pid()).forEach((k, v) -> facts.put("host." + k, v));
        synchronized (this) {
            groups.forEach((group, c) -> {
                facts.put("group." + group + ".container", c.id());
                long pid = c.hostPid();
                if (pid > 0) {
                    HostNamespaces.of(pid).forEach((k, v) -> facts.put("group." + group + "." + k, v));
                }
            });
        }
        return facts;
    }

    /**
     * Its workers are pooled like local ones ({@code WorkerPool}): the harness reads a container's process from the
     * host's /proc by its host pid ({@link DockerWorkerHandle#hostPid}), its group's container lives as long as this
     * environment, and the image's runtime is read-only code ({@link #codeDirectories}). A worker that may keep a
     * SEM_UNDO adjustment in an IPC namespace of the container's own (private, shareable) goes back only once that
     * namespace holds no semaphore set ({@link #ownIpcNamespace}).
     */
    @Override
    public boolean poolsWorkers() {
        return true;
    }

    /** The image's Java runtime and JNA library, which a worker's descriptors name by their paths in the container. */
    @Override
    public List<String> codeDirectories() {
        return List.of(JAVA.substring(0, JAVA.indexOf("/bin/java") + 1), JNA_DIR + "/");
    }

    @Override
    public WorkerHandle start(WorkerCommand command, String group) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new IOException(name() + " is closed: no worker starts in it any more");
            }
        }
        if (!availability().available()) {
            throw new IOException(name() + " not available: " + availability().reason());
        }
        Set<Path> jars = classPathBinds(command);
        // Another user's class path is a per-run copy (WorkerCommands) that cannot read the private cache: no archive.
        Path archive = command.classPath().isEmpty() || command.user() != null ? null
                : ContainerClassDataSharing.directory(image, archivedOptions(command), List.copyOf(jars), mainAndArguments(command), labels(),
                        this::lifeline);
        if (archive != null) {
            jars.add(archive); // mounted read-only, with the jars
        }
        Path tmp = tmpDir(command);
        Set<Path> writable = writableBinds(command, tmp);
        GroupContainer target;
        Consumer<Boolean> release = workerExited -> { };
        try {
            GroupContainer groupContainer = groupContainer(group, jars, writable);
            if (mode == Mode.SHAREABLE) {
                String holder = groupContainer.id();
                GroupContainer own = reusableWorkerContainer(holder, jars, writable);
                if (own == null) {
                    own = GroupContainer.joining(image, holder, labels(), jars, writable, lifetime, lifeline());
                    boolean late;
                    synchronized (this) {
                        late = closed; // closed while it started: close() did not see it
                        if (!late) {
                            workerContainers.add(own);
                        }
                    }
                    if (late) {
                        own.close();
                        throw new IOException(name() + " closed while a worker's container started");
                    }
                }
                target = own;
                GroupContainer container = own;
                release = workerExited -> workerContainerReleased(holder, container, workerExited);
            } else {
                target = groupContainer;
                List<Path> missing = groupContainer.missing(jars, writable);
                if (!missing.isEmpty()) {
                    throw new IOException("paths not mounted in group " + group + "'s container, which an earlier "
                            + "worker's command made: " + missing);
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("starting a container for group " + group + " failed: " + e, e);
        }
        String workerId = runId + "-" + instanceId + "-" + workerCount.incrementAndGet();
        return new DockerWorkerHandle(startExec(target.id(), exec(command, workerId, tmp, archive)), target.id(), target::processes,
                workerId, release);
    }

    /**
     * docker-private: the group's container's own namespace; docker-shareable: its holder's, which its workers' containers
     * joined. docker-host: none (the host's).
     */
    @Override
    public synchronized Optional<OwnIpcNamespace> ownIpcNamespace(String group) {
        GroupContainer c = groups.get(group);
        return mode == Mode.HOST || c == null || closed ? Optional.empty() : c.ipcNamespace();
    }

    private synchronized GroupContainer groupContainer(String group, Set<Path> jars, Set<Path> writable) {
        if (closed) {
            throw new IllegalStateException(name() + " is closed");
        }
        GroupContainer c = groups.get(group);
        if (c == null) {
            c = switch (mode) {
                case PRIVATE -> GroupContainer.start(image, "private", null, shmBytes, labels(), jars, writable, lifetime, lifeline());
                case SHAREABLE -> GroupContainer.start(image, "shareable", null, shmBytes, labels(), Set.of(), Set.of(), lifetime,
                        lifeline());
                case HOST -> GroupContainer.start(image, "host", null, null, labels(), jars, writable, lifetime, lifeline());
            };
            groups.put(group, c);
        }
        return c;
    }

    /**
     * Made before the first container: the FIFO whose end-of-file (this JVM's death) stops every
     * container of this environment. In the run's private directory (so the reaper removes it), else in the private state directory.
     */
    synchronized ContainerLifeline lifeline() {
        if (lifeline == null) {
            Path runDir = org.shmconform.engine.state.StateDirectory.runs().resolve(runId);
            try {
                // Never a shared directory such as /tmp: the private state directory when the run has none.
                lifeline = ContainerLifeline.create(java.nio.file.Files.isDirectory(runDir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        ? runDir : org.shmconform.engine.state.StateDirectory.root());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot make the containers' lifeline: " + e.getMessage(), e);
            }
        }
        return lifeline;
    }

    /**
     * @param archive the image's class-data archive directory ({@link ContainerClassDataSharing}) for a worker of the
     *                harness's own user, or null
     */
    private Exec exec(WorkerCommand command, String workerId, Path tmp, Path archive) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(DockerWorkerHandle.MARKER, workerId);
        env.putAll(command.environment());
        env.putIfAbsent("TMPDIR", tmp == null ? "/tmp" : tmp.toString());
        List<String> argv = new ArrayList<>();
        if (command.classPath().isEmpty()) {
            argv.add(command.program().toString());
        } else {
            argv.add(JAVA);
            argv.addAll(JVM_FLAGS);
            if (archive != null) {
                argv.add("-XX:SharedArchiveFile=" + archive.resolve(ContainerClassDataSharing.ARCHIVE));
            }
        }
        argv.addAll(imageArguments(command));
        return new Exec(command.user(), env, argv);
    }

    /** What a worker's {@code docker exec -i} runs: as whom (null: the image's user), with which variables, which command. */
    record Exec(String user, Map<String, String> env, List<String> argv) {
        /** The same exec through the docker client. */
        List<String> clientArgv(String containerId) {
            List<String> args = new ArrayList<>(List.of(DockerCli.PATH, "exec", "-i"));
            if (user != null) {
                args.addAll(List.of("-u", user));
            }
            env.forEach((k, v) -> args.addAll(List.of("-e", k + "=" + v)));
            args.add(containerId);
            args.addAll(argv);
            return args;
        }
    }

    /**
     * The command's arguments for the image's runtime: the host JDK's class-data archive does not fit the image's
     * jlink'ed runtime (it gets its own, {@link ContainerClassDataSharing}), and the host's cached JNA library is not
     * mounted: the image's /opt/jna is (JVM_FLAGS).
     */
    private static List<String> imageArguments(WorkerCommand command) {
        return command.arguments().stream().filter(a -> !a.startsWith("-XX:SharedArchiveFile=") && !a.startsWith("-Djna.boot.library.path=")
                && !a.startsWith("-Djna.nounpack=")).toList();
    }

    /**
     * The options an archive is dumped with and must match: the image's flags and the command's own JVM options before
     * its class path, without those that name this run's directories (TMPDIR, the crash log's place), which the JVM
     * does not check against an archive.
     */
    private static List<String> archivedOptions(WorkerCommand command) {
        List<String> options = new ArrayList<>(JVM_FLAGS);
        for (String a : imageArguments(command)) {
            if (a.equals("-cp")) {
                break;
            }
            if (!a.startsWith("-Djava.io.tmpdir=") && !a.startsWith("-XX:ErrorFile=")) {
                options.add(a);
            }
        }
        return options;
    }

    /** The main class and its arguments: what follows the class path. */
    private static List<String> mainAndArguments(WorkerCommand command) {
        List<String> args = imageArguments(command);
        int cp = args.indexOf("-cp");
        return cp < 0 || cp + 2 > args.size() ? List.of() : args.subList(cp + 2, args.size());
    }

    /** Archive directories the containers of this JVM mount: kept by the cache's clean-up of earlier builds' archives. */
    public static List<Path> archivesInUse() {
        return ContainerClassDataSharing.inUse();
    }

    /** The jars (or class directories) to mount: their paths are the same inside, so -cp needs no rewriting. */
    private static Set<Path> classPathBinds(WorkerCommand command) {
        Set<Path> binds = new LinkedHashSet<>();
        for (Path p : command.classPath()) {
            binds.add(p.toAbsolutePath().normalize());
        }
        return binds;
    }

    /**
     * Host directories the worker writes to, mounted read-write at the same path: its TMPDIR (key
     * files) and the directory of a -XX:ErrorFile= argument (hs_err files of crashed workers).
     */
    private static Set<Path> writableBinds(WorkerCommand command, Path tmp) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (tmp != null) {
            dirs.add(tmp);
        }
        for (String arg : command.arguments()) {
            if (arg.startsWith("-XX:ErrorFile=")) {
                Path parent = Path.of(arg.substring("-XX:ErrorFile=".length())).toAbsolutePath().normalize().getParent();
                if (parent != null) {
                    dirs.add(parent);
                }
            }
        }
        return dirs;
    }

    private static Path tmpDir(WorkerCommand command) {
        String tmp = command.environment().get("TMPDIR");
        return tmp == null ? null : Path.of(tmp).toAbsolutePath().normalize();
    }

    Map<String, String> labels() {
        return Map.of(ContainerSweeper.RUN, runId, ContainerSweeper.ENV, instanceId,
                ContainerSweeper.OWNER, ContainerSweeper.currentOwner());
    }

    /**
     * docker-shareable: a container of the holder whose worker has ended, with every mount the next worker needs, or null.
     * Making a container was most of a shareable worker's start (measured: 65 containers made in a named suite, about half
     * a second of the engine's CPU each); what sets a worker's container apart from its group's others is only that no
     * other live worker runs in it, which stays true: a container is taken again only once nothing its last worker
     * started lives ({@link #workerContainerReleased}), and it holds no state of that worker (its objects are the
     * holder's, its files in the mounted TMPDIR).
     */
    private synchronized GroupContainer reusableWorkerContainer(String holder, Set<Path> jars, Set<Path> writable) {
        Deque<GroupContainer> ended = endedWorkersContainers.get(holder);
        if (closed || ended == null) {
            return null;
        }
        for (Iterator<GroupContainer> i = ended.iterator(); i.hasNext(); ) {
            GroupContainer c = i.next();
            if (c.missing(jars, writable).isEmpty()) {
                i.remove();
                return c;
            }
        }
        return null;
    }

    /**
     * A docker-shareable worker's end: its container waits for the holder's next worker if the worker has exited and the
     * kernel lists no other process in the container than its main one (nothing the worker started lives on), else it is
     * removed with whatever still runs in it.
     */
    private void workerContainerReleased(String holder, GroupContainer c, boolean workerExited) {
        boolean reusable = workerExited && c.holdsOnlyItsMainProcess();
        GroupContainer surplus = null;
        synchronized (this) {
            if (!closed && reusable && workerContainers.contains(c)) {
                Deque<GroupContainer> ended = endedWorkersContainers.computeIfAbsent(holder, h -> new ArrayDeque<>());
                ended.addLast(c);
                if (ended.size() <= ENDED_CONTAINERS_KEPT) {
                    return;
                }
                surplus = ended.removeFirst();
            }
        }
        closeWorkerContainer(surplus != null ? surplus : c);
    }

    private void closeWorkerContainer(GroupContainer c) {
        synchronized (this) {
            if (!workerContainers.remove(c)) {
                return;
            }
        }
        c.close();
    }

    /** Removes every container of this environment: workers' first (they joined the holders), then groups'. */
    @Override
    public void close() {
        List<GroupContainer> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(workerContainers);
            all.addAll(groups.values());
            workerContainers.clear();
            endedWorkersContainers.clear();
            groups.clear();
        }
        for (GroupContainer c : all) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // the sweep below removes what Testcontainers could not
            }
        }
        if (image != null) {
            ContainerSweeper.removeEnvironment(instanceId);
        }
        synchronized (this) {
            if (lifeline != null) {
                lifeline.close();
                lifeline = null;
            }
        }
    }
}
