package org.shmconform.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.shmconform.backends.Backends;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.launch.ForkServer;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;
import org.shmconform.engine.WorkerCommands;
import org.shmconform.engine.WorkerPool;
import org.shmconform.engine.WorkerProcess;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.fuzz.FuzzCampaign;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.history.HistoryEvent;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.Steps;
import org.shmconform.schedule.WorkerSpec;
import org.shmconform.spi.AccessMode;
import org.shmconform.spi.Availability;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shmconform bench}: what the harness costs on this machine, measured in one run next to the
 * floors it cannot go under: a checked operation's round trip (harness → worker → backend →
 * harness) next to a JVM pipe round trip, a worker's start next to a bare {@code java -version},
 * a lock/unlock pair through each Java backend, the same two floors in C (a pipe round trip between
 * two C processes, a System V semaphore pair: {@link CFloors}), and the fuzzer's checked operations and
 * schedules per second per column (on pooled workers, {@code WorkerPool}, with how often a process was
 * reused). It prints figures and ratios; nothing here decides a verdict.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the harness on this machine: round trips, worker start, lock pairs, fuzz throughput per column.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--seconds", defaultValue = "10", paramLabel = "S",
            description = "Fuzzing time per column (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--columns", split = ",", paramLabel = "C",
            description = "Columns to measure (default: every column available here).")
    List<String> columns;

    @Option(names = "--round-trips", defaultValue = "1000", paramLabel = "N",
            description = "Round trips per measurement, after the warm-up that brings both sides to their steady code"
                    + " (default: ${DEFAULT-VALUE}; at most " + MAX_ROUND_TRIPS + ").")
    int roundTrips;

    @Option(names = "--round-trip-pairs", defaultValue = "3", paramLabel = "N",
            description = "Measurements of each column's round trip in each placement, each just after a JVM pipe floor"
                    + " measured there; the line gives the pair with the middle ratio and every pair's ratio (default:"
                    + " ${DEFAULT-VALUE}; 1 to " + MAX_ROUND_TRIP_PAIRS + ").")
    int roundTripPairs;

    @Option(names = "--pairs", defaultValue = "20000", paramLabel = "N",
            description = "Lock/unlock pairs per backend (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--own-ipc-namespaces", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Fuzz a System V Qt column's lanes each in an IPC namespace of its own, as fuzz does by default"
                    + " (root); --no-own-ipc-namespaces: one lane in the host's namespace, taking the key-file turn.")
    boolean ownIpcNamespaces;

    private static final int STARTS = 3;
    /** A round-trip schedule holds its warm-up and these in at most ScheduleValidation.MAX_STEPS steps. */
    static final int MAX_ROUND_TRIPS = 30_000;
    static final int MAX_ROUND_TRIP_PAIRS = 9;
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        if (seconds < 1 || roundTrips < 10 || roundTrips > MAX_ROUND_TRIPS || pairs < 100 || roundTripPairs < 1
                || roundTripPairs > MAX_ROUND_TRIP_PAIRS) {
            throw new Shmconform.UsageException("--seconds must be 1 or more, --round-trips 10 to " + MAX_ROUND_TRIPS
                    + ", --round-trip-pairs 1 to " + MAX_ROUND_TRIP_PAIRS + ", --pairs 100 or more");
        }
        List<String> cols = columns != null ? columns : Subjects.here().names().stream()
                .filter(c -> Subjects.here().availability(c).available()).sorted().toList();
        for (String c : cols) {
            Columns.describe(c); // unknown names are a usage error
        }
        System.out.printf("shmconform bench: columns %s, %d s of fuzzing each, %d round trips, %d lock pairs%n",
                String.join(",", cols), seconds, roundTrips, pairs);
        try (RunContext run = RunContext.create()) {
            double javaVersionMs = median(STARTS, BenchCommand::javaVersionMs);
            CFloors floors = CFloors.prepare();
            double oneCpuPipeUs;
            double cPipeUs = Double.NaN;
            try (RoundTripPlacement p = RoundTripPlacement.oneCpu()) {
                oneCpuPipeUs = pipeRoundTripUs(roundTrips);
                if (floors.unavailable() == null) {
                    cPipeUs = floors.pipeRoundTripUs(roundTrips);
                }
            }
            double acrossPipeUs = Double.NaN;
            try (RoundTripPlacement p = RoundTripPlacement.acrossCpus()) {
                if (p != null) {
                    acrossPipeUs = pipeRoundTripUs(roundTrips);
                }
            }
            System.out.printf(Locale.ROOT, "floor: java -version %.1f ms; JVM pipe round trip on one CPU %.1f us, %s%n", javaVersionMs,
                    oneCpuPipeUs, Double.isNaN(acrossPipeUs) ? "across two CPUs not measured: " + RoundTripPlacement.acrossUnavailableReason()
                            : String.format(Locale.ROOT, "across two CPUs %.1f us", acrossPipeUs));
            double cPairUs = Double.NaN;
            if (floors.unavailable() != null) {
                System.out.println("floor in C: NOT_AVAILABLE " + floors.unavailable());
            } else {
                cPairUs = floors.semaphorePairUs(pairs);
                System.out.printf(Locale.ROOT, "floor in C: pipe round trip on one CPU %.1f us (the JVM pipe is %.1fx); System V lock/unlock pair"
                        + " (SEM_UNDO) %.3f us%n", cPipeUs, oneCpuPipeUs / cPipeUs, cPairUs);
            }
            for (String c : cols) {
                if (!Subjects.here().availability(c).available()) {
                    Availability a = Subjects.here().availability(c);
                    System.out.println(c + (a.undecided() ? ": UNDECIDED " : ": NOT_AVAILABLE ") + a.reason());
                    continue;
                }
                double startMs = median(STARTS, () -> workerStartMs(run, c));
                double forkedMs = forkedStartMs(run, c);
                // Each round trip next to a JVM pipe floor measured just before it in the same placement, not the floor of
                // the bench's start: on a shared machine the floor moves by the hour (16.2 and 22.9 us on one CPU in two
                // benches of one morning; docs/fuzz-notes.md, "Round trips next to their floor"). Several such pairs,
                // the middle one given: a whole measurement sometimes comes out doubled while its floor does not
                // (FloorPairs).
                FloorPairs one;
                try (RoundTripPlacement p = RoundTripPlacement.oneCpu()) {
                    one = FloorPairs.measure(roundTripPairs, () -> pipeRoundTripUs(roundTrips), () -> harnessRoundTripUs(run, c, roundTrips));
                }
                FloorPairs across = null;
                try (RoundTripPlacement p = RoundTripPlacement.acrossCpus()) {
                    if (p != null) {
                        across = FloorPairs.measure(roundTripPairs, () -> pipeRoundTripUs(roundTrips),
                                () -> harnessRoundTripUs(run, c, roundTrips));
                    }
                }
                double tripUs = one.middle().tripUs();
                System.out.printf(Locale.ROOT, "%s: worker start %.1f ms (%.2fx java -version%s); round trip harness->worker->backend->harness"
                        + " on one CPU %s%s)%s%n", c, startMs, startMs / javaVersionMs,
                        Double.isNaN(forkedMs) ? "" : String.format(Locale.ROOT, "; forked by the pool's fork server %.2f ms, %.3fx", forkedMs,
                                forkedMs / javaVersionMs), one.middleFigures(),
                        Double.isNaN(cPipeUs) ? "" : String.format(Locale.ROOT, "; %.1fx the C pipe", tripUs / cPipeUs),
                        across == null ? "" : ", across two CPUs " + across.middleFigures() + ")");
                if (Backends.all().stream().anyMatch(b -> b.name().equals(c))) {
                    double pairUs = lockPairUs(run, c, pairs);
                    System.out.printf(Locale.ROOT, "%s: lock/unlock pair %.3f us in the backend (the round trip on one CPU is %.0fx a pair%s)%n",
                            c, pairUs, tripUs / pairUs,
                            Double.isNaN(cPairUs) ? "" : String.format(Locale.ROOT, "; %.1fx the C System V pair", pairUs / cPairUs));
                }
                WorkerPool.Stats before = run.workerPool().stats();
                ProcessCpu.Cpu cpuBefore = ProcessCpu.now(run.workerPool().forkServerPids());
                long wallBefore = System.nanoTime();
                FuzzCampaign.Options options = FuzzCampaign.Options.of(c).seed(1).count(Integer.MAX_VALUE)
                        .time(Duration.ofSeconds(seconds)).outDir(run.runDir().resolve("bench-fuzz-" + c)).stopAtFirstFailure(true)
                        .ownIpcNamespaces(ownIpcNamespaces);
                FuzzResult f = FuzzCampaign.run(options, run, line -> { }, t -> { });
                WorkerPool.Stats after = run.workerPool().stats();
                ProcessCpu.Cpu cpu = ProcessCpu.now(run.workerPool().forkServerPids()).since(cpuBefore);
                double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;
                System.out.printf(Locale.ROOT, "%s: fuzz %.1f checked ops/s, %.2f schedules/s (%d schedules, %d ops in %.1f s, %d lane(s));"
                        + " workers: %d borrows served by a reused process, %d by a spare started in the background, %d started"
                        + " (%d of them spares), %d replaced after a kill, a death or a failed clean check, %d ended for want"
                        + " of room in the idle set%n", c, f.operationsPerSecond(),
                        f.schedulesPerSecond(), f.schedulesRun(), f.operationsRun(), f.fuzzSeconds(),
                        FuzzCampaign.settled(options).lanes(),
                        after.reused() - before.reused(),
                        after.fromSpares() - before.fromSpares(), after.started() - before.started(),
                        after.spares() - before.spares(), after.replaced() - before.replaced(),
                        after.endedForWantOfRoom() - before.endedForWantOfRoom());
                if (f.schedulesRun() > 0 && wallSeconds > 0) {
                    // The whole campaign, shrinking included, against its whole wall time: how busy it kept the cores.
                    double busyCores = cpu.total() / wallSeconds;
                    System.out.printf(Locale.ROOT, "%s: fuzz CPU (the harness and the workers it reaped, user + system, shrinking"
                                    + " included) %.1f ms per schedule (the harness's own threads %.1f, the workers reaped %.1f); %.2f of"
                                    + " this machine's %d cores busy for %.1f s%s%n", c, cpu.total() * 1000 / f.schedulesRun(),
                            cpu.harness() * 1000 / f.schedulesRun(), cpu.workers() * 1000 / f.schedulesRun(), busyCores, CORES,
                            wallSeconds, busyCores >= CORES * 0.9 ? ": bound by the CPU" : "");
                }
            }
        }
        return Shmconform.OK;
    }

    private static double median(int n, Callable<Double> ms) throws Exception {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = ms.call();
        }
        Arrays.sort(v);
        return v[n / 2];
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(Double::compare);
        return v.get(v.size() / 2);
    }

    /** This JVM's own java binary: nothing from a place another user could write. */
    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java binary"));
    }

    private static double javaVersionMs() throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(java(), "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("java -version did not end in 60 s");
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    /**
     * Line round trips before the measured ones of the JVM pipe floor, which bring both JVMs to their steady code, as
     * docs/anchors/physical-limits.md row 5a had 20k (8.8 us on one CPU). With 50, as before 2026-12-07, the floor on one
     * CPU was 11.8-16.9 us against 6.2-8.0 with 20,000, so a round trip's ratio to it came out lower than it is.
     */
    static final int FLOOR_WARM_UP = 20_000;

    /** Median of N line round trips to a child JVM that echoes its stdin, after {@link #FLOOR_WARM_UP}. */
    private static double pipeRoundTripUs(int n) throws Exception {
        Process p = child("echo").start();
        try (PrintStream out = new PrintStream(p.getOutputStream(), false, StandardCharsets.UTF_8);
             BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            List<Double> us = new ArrayList<>();
            for (int i = 0; i < n + FLOOR_WARM_UP; i++) {
                long t0 = System.nanoTime();
                out.println("{\"seq\":" + i + ",\"op\":\"size\"}");
                out.flush();
                if (in.readLine() == null) {
                    throw new IllegalStateException("the echo JVM ended early");
                }
                if (i >= FLOOR_WARM_UP) {
                    us.add((System.nanoTime() - t0) / 1e3);
                }
            }
            return median(us);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private static ProcessBuilder child(String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"), Child.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
    }

    /** From start to the worker's hello, then a clean shutdown (not timed). */
    private static double workerStartMs(RunContext run, String column) throws Exception {
        WorkerCommand command = new WorkerCommands(run).command(column, null, null);
        return msToHello(run, column, "bench-start", () -> new LocalEnvironment().start(command, null));
    }

    /**
     * From the fork request to the forked worker's hello (the server started once beforehand, not timed), median of
     * {@link #STARTS}; NaN for a column whose workers are exec'd.
     */
    private static double forkedStartMs(RunContext run, String column) throws Exception {
        WorkerCommand command = new WorkerCommands(run).command(column, null, null);
        if (!command.forksWorkers()) {
            return Double.NaN;
        }
        try (ForkServer server = ForkServer.start(command, run.logs().resolve("bench-fork-server.log"))) {
            return median(STARTS, () -> msToHello(run, column, "bench-forked", server::fork));
        }
    }

    @FunctionalInterface
    private interface Start {
        WorkerHandle start() throws IOException;
    }

    /** Milliseconds from {@code start} to the worker's hello; the worker is then shut down (not timed). */
    private static double msToHello(RunContext run, String column, String name, Start start) throws Exception {
        long t0 = System.nanoTime();
        WorkerProcess wp = new WorkerProcess(name, start.start(), run.logs().resolve(name + ".log"));
        try {
            if (wp.awaitHello(Duration.ofSeconds(60)) == null) {
                throw new IllegalStateException(column + " worker (" + name + ") did not say hello in 60 s; see " + run.logs());
            }
            return (System.nanoTime() - t0) / 1e6;
        } finally {
            wp.shutdown(Duration.ofSeconds(5));
            wp.killAndReap(Duration.ofSeconds(5));
        }
    }

    /**
     * size() calls before the measured ones, which bring both sides to their steady code, as {@link #FLOOR_WARM_UP} does
     * for the floor: 60,000 where the worker is a JVM, 5,000 where it is a native program (the harness's own code is
     * warm after a few thousand). A Java worker's JIT thresholds are ten times the floor's (WorkerCommands.SHORT_LIFE_JIT:
     * a worker lives some 17 operations in a campaign), so it reaches its steady code much later. Measured on one CPU on
     * 2026-12-07 (mmapfile, sysv, posix; the median of 1,000): 81-91 us after 2,000 (the figure bench gave from
     * 2026-12-04 until then), 39-65 after 5,000, 22-33 after 10,000, 21-31 after 20,000, 20-29 after 40,000, 12-24 after
     * 60,000, 12-20 after 100,000.
     */
    static int roundTripWarmUp(String column) {
        return Subjects.here().jvmWorker(column, true) ? 60_000 : 5_000;
    }

    /** Median invoke-to-reply time of N size() calls in one schedule, as the engine records them. */
    private static double harnessRoundTripUs(RunContext run, String column, int n) throws Exception {
        List<Step> steps = new ArrayList<>();
        steps.add(Steps.create("A", "k", 64));
        int warmUp = roundTripWarmUp(column);
        for (int i = 0; i < n + warmUp; i++) {
            steps.add(Steps.size("A"));
        }
        steps.add(Steps.detach("A"));
        Schedule s = new Schedule("bench-round-trip", null, List.of(WorkerSpec.local("A", column)), steps);
        Execution x = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()), FuzzCampaign.fuzzTiming()).run(s);
        List<Double> us = new ArrayList<>();
        HistoryEvent invoke = null;
        int sizes = 0;
        for (HistoryEvent e : x.history().events()) {
            if (e.type() == EventType.invoke) {
                invoke = e;
            } else if (invoke != null && "size".equals(e.f()) && e.process().equals(invoke.process())) {
                if (++sizes > warmUp) {
                    us.add((e.time() - invoke.time()) / 1e3);
                }
                invoke = null;
            }
        }
        if (us.isEmpty()) {
            throw new IllegalStateException(column + ": no size() round trip completed: " + x.problems());
        }
        return median(us);
    }

    /** A lock/unlock pair inside the backend, in a child JVM whose TMPDIR is the run's (reaped with it). */
    private static double lockPairUs(RunContext run, String column, int n) throws Exception {
        String key = run.nextExecutionPrefix() + "benchlock";
        ProcessBuilder pb = child("lockpairs", column, key, Integer.toString(n));
        pb.environment().put("TMPDIR", run.workerTmp().toString());
        ToolRun r = ToolRun.separate(pb, Duration.ofSeconds(120));
        String figure = r.output().strip();
        if (!r.ok() || figure.isEmpty()) {
            throw new IllegalStateException(column + ": the lock-pair JVM gave no figure (" + (r.exitCode() == ToolRun.TIMED_OUT
                    ? figure : "exit " + r.exitCode()) + ")");
        }
        return Double.parseDouble(figure.lines().findFirst().orElseThrow());
    }

    /** The child JVMs: an echo (the pipe floor) and a lock/unlock loop through one backend. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) throws IOException {
            if (args.length == 1 && args[0].equals("echo")) {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                OutputStream out = System.out;
                for (String line; (line = in.readLine()) != null; ) {
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                return;
            }
            if (args.length == 4 && args[0].equals("lockpairs")) {
                SharedMemoryBackend backend = Backends.all().stream().filter(b -> b.name().equals(args[1])).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no backend " + args[1]));
                int n = Integer.parseInt(args[3]);
                try (SharedSegment s = backend.open(args[2])) {
                    if (!s.create(64, AccessMode.ReadWrite)) {
                        throw new IllegalStateException("create failed: " + s.errorString());
                    }
                    try {
                        for (int i = 0; i < n / 10; i++) { // warm-up
                            s.lock();
                            s.unlock();
                        }
                        long t0 = System.nanoTime();
                        for (int i = 0; i < n; i++) {
                            s.lock();
                            s.unlock();
                        }
                        System.out.println((System.nanoTime() - t0) / 1e3 / n);
                    } finally {
                        s.detach(); // the last detach destroys it
                    }
                }
                return;
            }
            System.err.println("usage: echo | lockpairs BACKEND KEY N");
            System.exit(2);
        }
    }
}
