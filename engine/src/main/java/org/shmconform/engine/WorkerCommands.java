package org.shmconform.engine;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.shmconform.spi.Availability;
import org.shmconform.backends.Backends;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.worker.WorkerMain;
import org.shmconform.engine.launch.WorkerCommand;

/**
 * Turns a column's name into the command that starts its worker, as its {@link Subject} says: the
 * Java worker on the worker class path for a backend, the verified native program for a reference worker.
 */
public final class WorkerCommands {
    /**
     * The JIT's thresholds ten times higher: a Java worker lives for a few dozen operations, and the C1 compilations
     * the usual thresholds start on its way to them are most of its CPU after the JVM's own start. A pooled worker too:
     * in a fuzz campaign a third of a schedule's workers is killed or replaced, so a worker process serves about 17
     * operations in its life (bench, sysv: 838 operations, 47 workers started in 10 s). Measured on this machine, a sysv
     * worker's CPU from start to exit (/usr/bin/time around the protocol, runs of five or three): 230–280 ms with 7
     * operations, 190–210 ms with this; 250–260 and 200–220 ms with 63; 339–420 and 260–380 ms with 403; it costs only a
     * worker that lives long: 500–600 against 690–990 ms with 4,003, 1,010–1,100 against 1,250–1,340 ms with 20,003.
     * In the fuzz ({@code bench --columns=sysv,posix,mmapfile}, alternated), 392–564 ms of CPU a schedule before,
     * 261–467 ms with it.
     */
    static final String SHORT_LIFE_JIT = "-XX:CompileThresholdScaling=10";

    /**
     * Fast start for short-lived workers: C1 only and the serial GC (see docs/anchors/physical-limits.md), and
     * {@link #SHORT_LIFE_JIT}. An empty
     * {@code jna.platform.library.path}: JNA otherwise fills it at class initialisation by running
     * {@code /sbin/ldconfig -p}, a fork and exec in every worker's start; the workers bind libc by its file name
     * ({@code LibC}), which the dynamic loader finds without it.
     */
    private static final List<String> JVM_OPTIONS = List.of(SHORT_LIFE_JIT, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Xshare:auto", "-Xss512k", "-XX:-UsePerfData", "-Djna.platform.library.path=");

    private final RunContext run;

    public WorkerCommands(RunContext run) {
        this.run = run;
    }

    /**
     * @param tmpdir null for the run's shared TMPDIR, or the name of a separate one
     * @return the command, whose pid hold's FIFO is made in the run's private directory (0700, lstat-checked): never in a
     *         TMPDIR another user's worker owns
     */
    public WorkerCommand command(String impl, String user, String tmpdir) {
        return commandOf(impl, user, tmpdir).withHoldDirectory(run.runDir());
    }

    private WorkerCommand commandOf(String impl, String user, String tmpdir) {
        // TMPDIR: per run, unguessable, 0700 and owned by the worker's user (RunContext). SHMCONFORM_RUN
        // lets the next run's reaper prove a leftover worker is this run's (LeftoverWorkers).
        Path tmp = run.workerTmp(tmpdir, user);
        Map<String, String> env = Map.of("TMPDIR", tmp.toString(), LeftoverWorkers.RUN_VARIABLE, run.runId());
        Subject subject = Subjects.here().named(impl).orElseThrow(() -> new IllegalArgumentException("no column named " + impl));
        if (subject.start() instanceof Subject.LaunchedWorker l) {
            return l.launch().command(run, env, tmpdir, user);
        }
        if (subject.start() instanceof Subject.NativeWorker n) {
            Path binary = user == null ? n.program().binary() : n.program().copyFor(run.shareDir().resolve("bin"));
            // qt_shm_worker arms its own parent-death signal (prctl), which saves a setpriv exec per start (a tenth of the
            // machine's CPU in a qt fuzz, with perf); one of another user still goes through setpriv's user switch.
            // As the harness's own user it may also fork its workers (WorkerPool, ForkServers): no exec per start at all.
            return new WorkerCommand(binary, n.program().arguments(), List.of(), env, user, true, user == null && n.program().forksWorkers());
        }
        String backend = ((Subject.JavaWorker) subject.start()).backend();
        List<Path> classPath = classPath(user);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> args = new ArrayList<>(JVM_OPTIONS);
        if (user == null) { // another user's class path is a per-run copy: not worth an archive each run
            // another user cannot read the private cache: its JNA unpacks its own
            List<String> nativeDispatch = WorkerNativeDispatch.options();
            List<String> dumpOptions = new ArrayList<>(JVM_OPTIONS);
            dumpOptions.addAll(nativeDispatch); // the archive's dump runs a worker's first operations, JNA's library included
            args.addAll(WorkerClassDataSharing.options(java, dumpOptions, classPath, WorkerMain.class.getName()));
            args.addAll(nativeDispatch);
        }
        // The JVM's own temporary files (JNA's native library when it cannot use the user's cache) go to the
        // worker's private TMPDIR too, never to /tmp.
        Path scratch = user == null ? tmp : run.userScratch(user);
        args.add("-Djava.io.tmpdir=" + scratch);
        // A worker that crashes on purpose (SIGSEGV, SIGBUS) must not print its banner on the protocol's stdout,
        // nor drop hs_err files or cores in the working directory: they go to the run's logs as evidence
        // (a worker of another user, which cannot enter the logs, writes them to its own directory).
        args.addAll(List.of("-XX:+DisplayVMOutputToStderr", "-XX:-CreateCoredumpOnCrash",
                "-XX:ErrorFile=" + (user == null ? run.logs() : scratch).resolve("hs_err_pid%p.log")));
        args.addAll(List.of("-cp", String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()),
                WorkerMain.class.getName(), backend));
        return new WorkerCommand(java, args, classPath, env, user);
    }

    /** The worker class path ({@link WorkerClassPath}); for another user, a readable (never writable) copy in the run's share directory. */
    private List<Path> classPath(String user) {
        List<Path> entries = WorkerClassPath.entries();
        return user == null ? entries : ClassPathCopy.readableBy(entries, run.shareDir().resolve("cp"));
    }
}
