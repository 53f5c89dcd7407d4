package org.shmconform.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.history.ReportLayout;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subject;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.env.ContainerSweeper;
import org.shmconform.engine.env.DockerEnvironment;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.Environments;
import org.shmconform.fuzz.FuzzCampaign;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.reports.Baseline;
import org.shmconform.reports.RunDiff;
import org.shmconform.reports.ReportWriter;
import org.shmconform.reports.RunSummary;
import org.shmconform.scenarios.Scenario;
import org.shmconform.scenarios.SuiteRunner;
import org.shmconform.spi.files.SafeFiles;

/**
 * One conformance run, from start to report, the same for {@code shmconform run} and for the named
 * suite's JUnit entry: open a {@link RunContext} (which first reaps what dead runs left), create the
 * environments (a docker one first sweeps the stale containers of dead runs), run the suite, fuzz
 * each available column, then close the environments, remove the run's containers, keep the workers'
 * logs, reap the run, and write the report folder ({@link ReportLayout}).
 *
 * <p>{@link #execute} is the whole of it for the command line, with SIGINT/SIGTERM handled
 * ({@link Interruption}: the run leaves between two scenario runs or two generated schedules, cleans
 * up and reports what finished). {@link #open}, {@link #run(SuiteRunner.Job)} and {@link #close} are
 * the pieces a test framework drives one test at a time.
 */
public final class ConformanceRun implements AutoCloseable {

    /**
     * What a run covers.
     *
     * @param columns      backend names or "qt", as {@link Subjects} knows them
     * @param environments environment names ({@link Environments#names()}), in the suite's order
     * @param shmBytes     the size of the private /dev/shm of ipcns+shm and of containers
     * @param baseline     an earlier run to compare with, or null
     * @param freshWorkers every worker of the named suite a new process (false: local workers come from the
     *                     run's pool and are reused when they prove clean, see {@link org.shmconform.engine.WorkerPool})
     * @param suiteLanes   1: the named suite's scenario runs one after another; 2: those in environments with an IPC
     *                     namespace of their own run beside the others ({@link SuiteSideLane})
     */
    public record Plan(List<String> columns, List<Scenario> scenarios, List<String> environments, long shmBytes,
                       Fuzzing fuzzing, Earlier baseline, boolean freshWorkers, int suiteLanes) {
        /**
         * Two: on this 2-core machine the default run took 295.5 and 325.7 s with two lanes, 327.6 and 337.4 s with one
         * (alternated), the same verdicts (docs/fuzz-notes.md, "Suite lanes").
         */
        public static final int DEFAULT_SUITE_LANES = 2;

        public Plan {
            if (suiteLanes < 1 || suiteLanes > 2) {
                throw new IllegalArgumentException("suite lanes must be 1 or 2: " + suiteLanes);
            }
        }

        /** Every scenario of {@code scenarios} on every column, in every environment that applies; default /dev/shm size, no fuzzing. */
        public static Plan of(List<String> columns, List<Scenario> scenarios, List<String> environments) {
            return new Plan(List.copyOf(columns), List.copyOf(scenarios), List.copyOf(environments),
                    DockerEnvironment.DEFAULT_SHM_BYTES, Fuzzing.NONE, null, false, DEFAULT_SUITE_LANES);
        }

        public Plan shmBytes(long bytes) {
            return new Plan(columns, scenarios, environments, bytes, fuzzing, baseline, freshWorkers, suiteLanes);
        }

        public Plan fuzzing(Fuzzing f) {
            return new Plan(columns, scenarios, environments, shmBytes, f, baseline, freshWorkers, suiteLanes);
        }

        public Plan baseline(Earlier b) {
            return new Plan(columns, scenarios, environments, shmBytes, fuzzing, b, freshWorkers, suiteLanes);
        }

        public Plan freshWorkers(boolean fresh) {
            return new Plan(columns, scenarios, environments, shmBytes, fuzzing, baseline, fresh, suiteLanes);
        }

        public Plan suiteLanes(int lanes) {
            return new Plan(columns, scenarios, environments, shmBytes, fuzzing, baseline, freshWorkers, lanes);
        }

        /** The scenario runs: {@link SuiteRunner#plan}. */
        public List<SuiteRunner.Job> jobs() {
            return SuiteRunner.plan(scenarios, columns, environments);
        }
    }

    /**
     * The generated schedules after the named suite, per available column.
     *
     * @param schedules at most this many per column (0: no fuzzing)
     * @param time      and at most this long per column
     * @param lines     columns fuzzed side by side ({@link FuzzLines}), each in a run context of its own
     */
    public record Fuzzing(int schedules, long firstSeed, Duration time, int lines) {
        public static final Fuzzing NONE = new Fuzzing(0, 1, Duration.ZERO, 1);
        /**
         * Three: on this 2-core machine the fuzz section used 176 % of the cores with three lines and 169 % with five
         * (fewer schedules in all), and the default run took 243.8 s instead of 453.8 s with one (docs/fuzz-notes.md,
         * "Fuzz lines").
         */
        public static final int DEFAULT_LINES = 3;

        public Fuzzing {
            if (lines < 1) {
                throw new IllegalArgumentException("lines must be at least 1: " + lines);
            }
        }

        /** A short campaign: {@code schedules} per column, up to five minutes each. */
        public static Fuzzing schedules(int schedules, long firstSeed) {
            return new Fuzzing(schedules, firstSeed, Duration.ofMinutes(5), DEFAULT_LINES);
        }

        /** A soak: as many schedules as fit in {@code time} per column. */
        public static Fuzzing soak(Duration time, long firstSeed) {
            return new Fuzzing(Integer.MAX_VALUE, firstSeed, time, DEFAULT_LINES);
        }

        public Fuzzing lines(int n) {
            return new Fuzzing(schedules, firstSeed, time, n);
        }
    }

    /** An earlier run's results.json, read, and the name it is reported under. */
    public record Earlier(String file, RunSummary summary) {
    }

    /**
     * Told what the run does as it goes, for progress output; the report is written whatever it prints. The calls come
     * one at a time, from the suite's thread or from a fuzz line's ({@link FuzzLines}).
     */
    public interface Listener extends SuiteRunner.Progress {
        /** The run context exists and the report folder is chosen; nothing ran yet. */
        default void opened(ConformanceRun run) {
        }

        @Override
        default void started(Scenario scenario, String column, int index, int total) {
        }

        @Override
        default void finished(ScenarioResult result, int index, int total) {
        }

        /** One line of a column's fuzz campaign (a schedule's verdict, a shrinking result). */
        default void fuzzLine(String column, String line) {
        }

        default void fuzzFinished(FuzzResult result) {
        }

        /** What the reaper removed at the end of the run (left by crashed or killed workers, as scenarios intend). */
        default void reaped(List<String> removed) {
        }

        /**
         * The report is written. Told before a JVM that had SIGINT or SIGTERM is let go: what this prints
         * is still printed.
         */
        default void reported(Outcome outcome) {
        }
    }

    /**
     * What a run came to.
     *
     * @param planned       scenario runs planned
     * @param dropped       scenario runs that ended after a stop was asked for, left out of the report
     * @param interruptedBy "SIGINT", "SIGTERM" or "a signal" when the run was stopped; null when it ran to the end
     */
    public record Outcome(RunSummary summary, ReportLayout report, int planned, int dropped, String interruptedBy) {
        public boolean interrupted() {
            return interruptedBy != null;
        }
    }

    private final Plan plan;
    private final RunContext context;
    private final ReportLayout report;
    private final Map<String, Environment> environments = new LinkedHashMap<>();
    private final Set<RunContext> sideContexts;
    private SuiteRunner suite;
    private boolean ended;

    private ConformanceRun(Plan plan, RunContext context, ReportLayout report, Set<RunContext> sideContexts) {
        this.plan = plan;
        this.context = context;
        this.report = report;
        this.sideContexts = sideContexts;
    }

    /**
     * Opens a run whose evidence goes straight into {@code reportDir} (the JUnit entry's
     * target/shmconform-report), with its environments created. {@link #close} ends it.
     */
    public static ConformanceRun open(Plan plan, Path reportDir) {
        try {
            SafeFiles.checkRoot(reportDir, org.shmconform.engine.state.PrivateDirectory.myUid()); // as execute's report root
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        ConformanceRun run = new ConformanceRun(plan, RunContext.create(), ReportLayout.at(reportDir), ConcurrentHashMap.newKeySet());
        try {
            run.createEnvironments();
        } catch (RuntimeException | Error e) {
            run.close();
            throw e;
        }
        return run;
    }

    /**
     * The whole run for the command line: a report folder {@code <reportRoot>/<time>-<run id>/}
     * ({@link ReportLayout#forRun}) and {@code <reportRoot>/latest} pointing at it. A SIGINT or SIGTERM
     * stops it between two scenario runs or two generated schedules; it then cleans up and reports what
     * finished, marked interrupted. The report root is checked first ({@link SafeFiles#checkRoot}: a real directory
     * of this user's that no one else can write) and the run folder made fresh in it (mkdir, never through a link).
     */
    public static Outcome execute(Plan plan, Path reportRoot, Listener listener) throws IOException, InterruptedException {
        checkReportRoot(reportRoot);
        Instant started = Instant.now();
        RunContext context = RunContext.create();
        Set<RunContext> sideContexts = ConcurrentHashMap.newKeySet();
        // The last resort of a run that did not stop in time ends the suite's side lane's and the fuzz campaigns' contexts too.
        Interruption stop = Interruption.install(() -> {
            sideContexts.forEach(RunContext::close);
            context.close();
        });
        try {
            ConformanceRun run = new ConformanceRun(plan, context, ReportLayout.forRun(reportRoot, started, context.runId()),
                    sideContexts);
            try {
                SafeFiles.createFresh(run.report.dir());
            } catch (IOException | RuntimeException e) {
                context.close(); // nothing ran: the run is reaped
                throw e;
            }
            return run.executeAndReport(started, reportRoot, stop, listener);
        } finally {
            stop.finished();
        }
    }

    /**
     * What {@link #execute} asks of a report root before anything runs, so that the command line can ask it first: made
     * if missing, else a real directory of this user's that group and others cannot write ({@link SafeFiles#checkRoot}),
     * with no real directory where its {@code latest} link goes. One line saying why and how to fix, else.
     */
    public static Path checkReportRoot(Path reportRoot) throws IOException {
        SafeFiles.checkRoot(reportRoot, org.shmconform.engine.state.PrivateDirectory.myUid());
        SafeFiles.checkLinkPlace(ReportLayout.latestLink(reportRoot));
        return reportRoot;
    }

    public String runId() {
        return context.runId();
    }

    public Plan plan() {
        return plan;
    }

    public ReportLayout report() {
        return report;
    }

    /** The scenario runs of the plan. */
    public List<SuiteRunner.Job> jobs() {
        return plan.jobs();
    }

    /** One scenario run (in an environment of the plan), its evidence kept in the report folder. */
    public ScenarioResult run(SuiteRunner.Job job) throws InterruptedException {
        if (suite == null) {
            suite = newSuite(SuiteRunner.Progress.NONE);
        }
        return suite.run(job.scenario(), job.column(), job.env());
    }

    /** Ends the run without a report: environments closed, the run's containers removed, the run reaped. */
    @Override
    public void close() {
        end(false);
    }

    private Outcome executeAndReport(Instant started, Path reportRoot, Interruption stop, Listener listener)
            throws IOException, InterruptedException {
        List<SuiteRunner.Job> jobs = jobs();
        listener.opened(this);
        StoppableProgress progress = new StoppableProgress(stop, listener);
        List<FuzzResult> fuzz = new ArrayList<>();
        List<String> reaped = new ArrayList<>();
        Map<String, Map<String, String>> sideLaneEnvironments = new LinkedHashMap<>();
        Map<String, Object> facts;
        try {
            createEnvironments();
            runSuite(jobs, progress, sideLaneEnvironments, reaped);
            fuzzColumns(stop, listener, fuzz, reaped);
        } catch (Interruption.Stop e) {
            // the report below holds what finished before the signal
        } finally {
            // Before the environments close: each one's facts (namespace ids) are those its workers had.
            facts = MachineFacts.collect(describeEnvironments(sideLaneEnvironments));
            reaped.addAll(end(true));
            listener.reaped(reaped);
        }
        Instant finished = Instant.now();
        boolean interrupted = stop.requested();
        RunSummary summary = new RunSummary(RunSummary.SCHEMA, context.runId(), started.toString(), finished.toString(),
                finished.toEpochMilli() - started.toEpochMilli(), interrupted, facts,
                plan.columns().stream().map(ConformanceRun::describe).toList(), progress.finished(), fuzz, null,
                leftInPlace(context.leftInPlaceAtStart(), reaped));
        if (plan.baseline() != null) {
            // The same comparison as 'shmconform diff'; results.json keeps paths relative to the report folder.
            Path relative = report.dir().toAbsolutePath().normalize().relativize(Path.of(plan.baseline().file()).toAbsolutePath().normalize());
            summary = withBaseline(summary, Baseline.Outcome.of(relative.toString(), RunDiff.compare(plan.baseline().summary(), summary)));
        }
        ReportWriter.write(report, summary);
        pointLatest(reportRoot);
        Outcome outcome = new Outcome(summary, report, jobs.size(), progress.dropped(), interrupted ? stop.signalName() : null);
        listener.reported(outcome);
        return outcome;
    }

    /** A column as the report shows it: its {@link Subject}, asked, never special-cased. */
    public static RunSummary.Column describe(Subject s) {
        return new RunSummary.Column(s.name(), s.mechanism(), s.availability().available(), s.availability().reason(),
                s.declaredFields(), s.availability().undecided());
    }

    private static RunSummary.Column describe(String column) {
        return describe(Subjects.here().named(column).orElseThrow(() -> new IllegalArgumentException("no column named " + column)));
    }

    private void createEnvironments() {
        environments.putAll(createEnvironments(plan.environments(), context));
    }

    private Map<String, Environment> createEnvironments(List<String> names, RunContext owner) {
        Map<String, Environment> made = new LinkedHashMap<>();
        for (String name : names) {
            made.put(name, Environments.create(name, owner.runId(), plan.shmBytes()).orElseThrow(
                    () -> new IllegalArgumentException("no environment named '" + name + "'")));
        }
        return made;
    }

    private SuiteRunner newSuite(SuiteRunner.Progress progress) {
        return newSuite(context, environments, progress);
    }

    private SuiteRunner newSuite(RunContext owner, Map<String, Environment> envs, SuiteRunner.Progress progress) {
        ScheduleRunner runner = new ScheduleRunner(owner, envs, ScheduleRunner.Timing.defaults());
        return new SuiteRunner(plan.freshWorkers() ? runner : runner.reusingWorkers(), report, progress);
    }

    /**
     * The named suite: with two {@link Plan#suiteLanes}, the scenario runs in environments with an IPC namespace of their
     * own in a {@link SuiteSideLane} beside the others, whose environments' facts and reaper's findings join the run's.
     */
    private void runSuite(List<SuiteRunner.Job> jobs, StoppableProgress progress,
                          Map<String, Map<String, String>> sideLaneEnvironments, List<String> reaped) throws InterruptedException {
        List<Integer> here = new ArrayList<>();
        List<Integer> beside = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            (plan.suiteLanes() > 1 && SuiteSideLane.takes(jobs.get(i).env()) ? beside : here).add(i);
        }
        SuiteRunner suite = newSuite(progress);
        if (beside.isEmpty()) {
            suite.run(jobs, here, () -> false);
            return;
        }
        SuiteSideLane lane = SuiteSideLane.start(jobs, beside, new SuiteSideLane.Run() {
            @Override
            public Map<String, Environment> environments(List<String> names, RunContext owner) {
                return createEnvironments(names, owner);
            }

            @Override
            public SuiteRunner suite(RunContext owner, Map<String, Environment> envs) {
                return newSuite(owner, envs, progress);
            }

            @Override
            public List<String> end(RunContext owner, Map<String, Environment> envs) {
                return endContext(owner, envs, true);
            }
        }, sideContexts);
        try {
            suite.run(jobs, here, () -> false);
            lane.await();
        } finally {
            lane.close();
            sideLaneEnvironments.putAll(lane.described());
            reaped.addAll(lane.reaped());
        }
    }

    /** Each environment of the plan described, in the plan's order: the side lane's own where it ran one, else the run's. */
    private Map<String, Map<String, String>> describeEnvironments(Map<String, Map<String, String>> sideLaneEnvironments) {
        Map<String, Map<String, String>> described = new LinkedHashMap<>();
        environments.forEach((name, env) -> described.put(name,
                sideLaneEnvironments.containsKey(name) ? sideLaneEnvironments.get(name) : env.describe()));
        return described;
    }

    /**
     * A short campaign of generated schedules per available column (or a soak), failures shrunk into the report: the
     * campaigns in {@link Fuzzing#lines} lines side by side, each in a run context of its own ({@link FuzzLines}), whose
     * workers' logs join the run's and whose reapers' findings join what the run's end reports.
     */
    private void fuzzColumns(Interruption stop, Listener listener, List<FuzzResult> results, List<String> reaped)
            throws InterruptedException {
        Fuzzing f = plan.fuzzing();
        if (f.schedules() == 0) {
            return;
        }
        // Unavailable columns are already reported NOT_AVAILABLE in the matrix. An undecided one has a fuzz result that
        // could not be judged, with the probe's reason (exit 1), never a silent gap.
        List<String> available = plan.columns().stream().filter(c -> {
            org.shmconform.spi.Availability a = Subjects.here().availability(c);
            return a.available() || a.undecided();
        }).toList();
        try (FuzzLines lines = FuzzLines.start(available, f.lines(), FuzzCampaign::takesTurns,
                (column, campaignContext) -> fuzz(column, campaignContext, stop, listener),
                campaignContext -> campaignContext.end(() -> copyLogs(campaignContext.logs(), report.logs())),
                sideContexts)) {
            results.addAll(lines.await());
            reaped.addAll(lines.reaped());
        }
        stop.check();
    }

    private FuzzResult fuzz(String column, RunContext campaignContext, Interruption stop, Listener listener)
            throws InterruptedException {
        Fuzzing f = plan.fuzzing();
        FuzzResult r;
        org.shmconform.spi.Availability here = Subjects.here().availability(column);
        if (here.undecided()) { // told before the campaign makes anything (its lanes' namespaces and file systems)
            return new FuzzResult(column, f.firstSeed(), 0, 0, 0, 0, List.of(),
                    List.of("a probe this column needs did not finish: " + here.reason()), report.fuzzCampaign(column).dir());
        }
        try {
            r = FuzzCampaign.run(FuzzCampaign.Options.of(column).seed(f.firstSeed()).count(f.schedules()).time(f.time())
                    .outDir(report.fuzzCampaign(column).dir()), campaignContext, line -> {
                        stop.check(); // between two generated schedules
                        synchronized (listener) { // the lines print one whole line at a time, and the suite's too
                            listener.fuzzLine(column, line);
                        }
                    });
        } catch (Interruption.Stop e) {
            throw e;
        } catch (RuntimeException e) {
            // A campaign that broke is a result that could not be judged (exit 1), never a lost report.
            r = new FuzzResult(column, f.firstSeed(), 0, 0, 0, 0, List.of(),
                    List.of("harness: the fuzz campaign broke: " + e), report.fuzzCampaign(column).dir());
        }
        synchronized (listener) {
            listener.fuzzFinished(r);
        }
        return r;
    }

    /**
     * Closes the environments, removes the run's containers, keeps the workers' logs in the report
     * (when asked) and reaps the run: once, whatever came before.
     *
     * @return what the reaper removed
     */
    private List<String> end(boolean keepLogs) {
        if (ended) {
            return List.of();
        }
        ended = true;
        return endContext(context, environments, keepLogs);
    }

    /** Closes {@code envs}, removes {@code owner}'s containers, keeps its workers' logs (when asked) and reaps it. */
    private List<String> endContext(RunContext owner, Map<String, Environment> envs, boolean keepLogs) {
        return owner.end(() -> {
            envs.values().forEach(Environment::close);
            ContainerSweeper.removeRun(owner.runId());
            if (keepLogs) {
                copyLogs(owner.logs(), report.logs()); // before the reaper removes the run directory, logs included
            }
        });
    }

    private static RunSummary withBaseline(RunSummary s, Baseline.Outcome outcome) {
        return new RunSummary(s.schema(), s.runId(), s.started(), s.finished(), s.millis(), s.interrupted(), s.environment(),
                s.columns(), s.results(), s.fuzz(), outcome, s.leftInPlace());
    }

    /**
     * The report's {@link RunSummary#leftInPlace}: what the reaper of dead runs left at the run's start, then what the
     * reaping of the run's contexts (its own, its suite side lane's, its fuzz campaigns') kept at their ends, each line
     * once. The side lane's and the campaigns' contexts start after the run's own, whose reaping took every dead run it
     * could: what theirs say at their starts is on stderr, as ever.
     */
    static List<String> leftInPlace(List<String> atStart, List<String> reapedAtTheEnds) {
        Set<String> lines = new java.util.LinkedHashSet<>(atStart);
        lines.addAll(RunContext.leftInPlace(reapedAtTheEnds));
        return List.copyOf(lines);
    }

    private static void copyLogs(Path from, Path to) {
        try {
            if (!Files.isDirectory(from)) {
                return;
            }
            SafeFiles.makeDirectories(to);
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    if (Files.size(f) > 0) {
                        SafeFiles.copy(f, to.resolve(f.getFileName()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <reportRoot>/latest} made to point at this run's folder at once (a link renamed over it; a directory there is refused). */
    private void pointLatest(Path reportRoot) throws IOException {
        SafeFiles.replaceLink(ReportLayout.latestLink(reportRoot), report.dir().getFileName());
    }

    /**
     * Between two scenario runs, leaves the suite when a stop was asked for; keeps the results that
     * finished before it (one that ended after the stop is dropped: its workers may have had the signal too), in the
     * plan's order whichever lane ran them ({@link SuiteSideLane}).
     */
    private static final class StoppableProgress implements SuiteRunner.Progress {
        private final Interruption stop;
        private final Listener listener;
        private final Map<Integer, ScenarioResult> finished = new TreeMap<>();
        private int dropped;

        StoppableProgress(Interruption stop, Listener listener) {
            this.stop = stop;
            this.listener = listener;
        }

        @Override
        public void started(Scenario scenario, String column, int index, int total) {
            stop.check();
            synchronized (listener) { // one whole line at a time beside the other lane's and the fuzz lines' (FuzzLines)
                listener.started(scenario, column, index, total);
            }
        }

        @Override
        public void finished(ScenarioResult result, int index, int total) {
            synchronized (this) {
                if (stop.requested()) {
                    dropped++;
                    stop.check();
                }
                finished.put(index, result);
            }
            synchronized (listener) {
                listener.finished(result, index, total);
            }
        }

        synchronized List<ScenarioResult> finished() {
            return List.copyOf(finished.values());
        }

        synchronized int dropped() {
            return dropped;
        }
    }
}
