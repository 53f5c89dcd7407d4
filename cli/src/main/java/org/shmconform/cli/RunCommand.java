package org.shmconform.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.shmconform.fuzz.FuzzCampaign;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.engine.Reaper;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.ContainerSweeper;
import org.shmconform.engine.env.Environments;
import org.shmconform.reports.Baseline;
import org.shmconform.reports.ReportWriter;
import org.shmconform.reports.RunDiff;
import org.shmconform.reports.RunSummary;
import org.shmconform.reports.RunVerdict;
import org.shmconform.scenarios.NamedSuite;
import org.shmconform.scenarios.Scenario;
import org.shmconform.scenarios.SuiteRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shmconform run}: the named suite on every column, a report folder, an exit code for CI. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the named conformance suite on real worker processes and write a report folder.",
                "With no options: every backend on the class path plus the Qt 6.4 reference worker, local workers;"
                        + " columns that cannot run here are reported NOT_AVAILABLE with the reason.",
                "The last line is one summary: 'shmconform: PASS|FAIL — counts — report: DIR'.",
                "Exit status: 0 all results as expected, 1 a FAIL/UNKNOWN result, a reproducible fuzz failure, a fuzz schedule"
                        + " that could not be judged or a baseline regression, 2 bad usage or input, 130/143 interrupted by"
                        + " SIGINT/SIGTERM (the report then holds what finished and says \"interrupted\")."})
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-b", "--backend"}, split = ",", paramLabel = "NAME",
            description = "Columns to test (backend names or 'qt'); default: all. See 'shmconform list'.")
    List<String> backends;

    @Option(names = {"-s", "--scenario"}, split = ",", paramLabel = "ID", description = "Scenarios to run; default: all.")
    List<String> scenarios;

    @Option(names = {"-e", "--env"}, split = ",", paramLabel = "ENV",
            description = "Environments: local, ipcns, ipcns+shm, docker-private, docker-shareable, docker-host; default: all"
                    + " (those that cannot run here are reported NOT_AVAILABLE). The whole suite runs locally; the"
                    + " namespace-sensitive scenarios run again in every other environment, and cross-environment ones once.")
    List<String> envs;

    @Option(names = "--shm-size-mib", paramLabel = "MIB", defaultValue = "64",
            description = "Size of the private /dev/shm of ipcns+shm and of containers (default: ${DEFAULT-VALUE}).")
    long shmSizeMib;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "shmconform-report",
            description = "Report root; each run writes DIR/<time>-<run id>/ and points DIR/latest at it (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--baseline", paramLabel = "RESULTS_JSON",
            description = "Compare with an earlier results.json as 'shmconform diff RESULTS_JSON NEW' does; a regression"
                    + " (PASS or DEVIATES -> FAIL or UNKNOWN, PASS -> DEVIATES, a tried cell now NOT_AVAILABLE or missing) exits 1.")
    Path baseline;

    @Option(names = "--fuzz-schedules", defaultValue = "3", paramLabel = "N",
            description = "Generated schedules per column after the named suite (default: ${DEFAULT-VALUE}; 0: none).")
    int fuzzSchedules;

    @Option(names = "--fuzz-seed", defaultValue = "1", paramLabel = "N",
            description = "First seed of those schedules (default: ${DEFAULT-VALUE}, so runs compare).")
    long fuzzSeed;

    @Option(names = "--soak-minutes", paramLabel = "M",
            description = "A long soak instead: fuzz each column for M minutes (no schedule limit).")
    Long soakMinutes;

    @Option(names = {"-q", "--quiet"}, description = "Only the summary, no line per scenario.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        validateOptions();
        List<String> columns = backends == null ? Columns.allNames() : backends;
        List<RunSummary.Column> described = columns.stream().map(Columns::describe).toList();
        List<Scenario> chosen = chooseScenarios();
        List<String> envNames = envs == null ? Environments.names() : envs;
        for (String name : envNames) {
            if (!Environments.names().contains(name)) {
                throw new Shmconform.UsageException("no environment named '" + name + "'; known: " + String.join(", ", Environments.names()));
            }
        }
        RunSummary base = baseline == null ? null : Baseline.read(baseline);
        Instant started = Instant.now();
        RunContext run = RunContext.create();
        Interruption stop = Interruption.install(run::close);
        try {
            return runAndReport(run, stop, started, columns, described, chosen, envNames, base);
        } finally {
            stop.finished();
        }
    }

    private int runAndReport(RunContext run, Interruption stop, Instant started, List<String> columns,
                             List<RunSummary.Column> described, List<Scenario> chosen, List<String> envNames, RunSummary base)
            throws Exception {
        Path dir = out.resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started)
                + "-" + run.runId());
        System.out.printf("shmconform run %s: %d scenarios x %d columns, report in %s%n", run.runId(), chosen.size(),
                columns.size(), dir);
        Map<String, Environment> environments = new LinkedHashMap<>();
        List<SuiteRunner.Job> jobs = SuiteRunner.plan(chosen, columns, envNames);
        System.out.printf("%d scenario runs in %s%n", jobs.size(), envNames);
        long unplanned = chosen.stream().filter(s -> s.placement() == Scenario.Placement.FIXED).count() * columns.size()
                - jobs.stream().filter(j -> j.env().equals("cross")).count();
        if (unplanned > 0) {
            System.out.printf("(%d cross-environment runs left out: they need environments not chosen with --env)%n", unplanned);
        }
        ConsoleProgress progress = new ConsoleProgress(quiet, stop);
        List<FuzzResult> fuzz = new ArrayList<>();
        Map<String, Object> facts;
        try {
            for (String name : envNames) {
                environments.put(name, Environments.create(name, run.runId(), shmSizeMib << 20).orElseThrow());
            }
            SuiteRunner suite = new SuiteRunner(run, environments, ScheduleRunner.Timing.defaults(), dir, progress);
            suite.run(jobs);
            fuzzColumns(columns, run, dir, stop, fuzz);
        } catch (Interruption.Stop e) {
            // the report below holds what finished before the signal
        } finally {
            // Before the environments close: each one's facts (namespace ids) are those its workers had.
            facts = MachineFacts.collect(environments);
            environments.values().forEach(Environment::close);
            ContainerSweeper.removeRun(run.runId());
            copyLogs(run.logs(), dir.resolve("logs"));
            List<String> reaped = Reaper.reapRun(run.runId(), run.runDir());
            if (!reaped.isEmpty()) {
                System.out.println("Reaped at the end of the run (left by crashed or killed workers, as the scenarios intend):");
                reaped.forEach(r -> System.out.println("  " + r));
            }
        }
        Instant finished = Instant.now();
        boolean interrupted = stop.requested();
        RunSummary summary = new RunSummary(RunSummary.SCHEMA, run.runId(), started.toString(), finished.toString(),
                finished.toEpochMilli() - started.toEpochMilli(), interrupted, facts, described, progress.finished(), fuzz, null);
        if (base != null) {
            // The same comparison as 'shmconform diff'; results.json keeps paths relative to the report folder.
            Path relative = dir.toAbsolutePath().normalize().relativize(baseline.toAbsolutePath().normalize());
            summary = withBaseline(summary, Baseline.Outcome.of(relative.toString(), RunDiff.compare(base, summary)));
        }
        ReportWriter.write(dir, summary);
        pointLatest(dir);
        RunVerdict verdict = RunVerdict.of(summary);
        printSummary(summary, verdict, dir);
        if (interrupted) {
            System.out.println("shmconform: INTERRUPTED by " + stop.signalName() + " after " + summary.results().size() + " of "
                    + jobs.size() + " scenario runs" + (progress.dropped() > 0 ? " (the one in progress left out)" : "")
                    + "; workers killed, run directory reaped — " + verdict.tally() + " — report: " + dir);
            return Shmconform.FAILED; // the JVM exits with 128 + the signal's number whatever this says
        }
        System.out.println(verdict.line(dir));
        return verdict.failed() ? Shmconform.FAILED : Shmconform.OK;
    }

    private static RunSummary withBaseline(RunSummary s, Baseline.Outcome outcome) {
        return new RunSummary(s.schema(), s.runId(), s.started(), s.finished(), s.millis(), s.interrupted(), s.environment(),
                s.columns(), s.results(), s.fuzz(), outcome);
    }

    /** Every option checked before anything runs: one line and exit 2 for a bad one. */
    private void validateOptions() {
        if (fuzzSchedules < 0) {
            throw new Shmconform.UsageException("--fuzz-schedules must be 0 or more, not " + fuzzSchedules);
        }
        if (shmSizeMib < 1 || shmSizeMib > (1L << 20)) {
            throw new Shmconform.UsageException("--shm-size-mib must be between 1 and 1048576 (1 TiB), not " + shmSizeMib);
        }
        if (soakMinutes != null && soakMinutes < 1) {
            throw new Shmconform.UsageException("--soak-minutes must be 1 or more, not " + soakMinutes);
        }
        if (baseline != null && !Files.isRegularFile(baseline)) {
            throw new Shmconform.UsageException("--baseline " + baseline + ": no such file");
        }
    }

    private void printSummary(RunSummary summary, RunVerdict verdict, Path dir) {
        System.out.printf("%nDone in %.1f s: %s%nReport: %s (matrix.md, matrix.html, timeline.html, results.json, junit.xml)%n",
                summary.millis() / 1000.0, verdict.counts(), dir.resolve("matrix.md"));
        if (summary.baseline() != null) {
            RunDiff diff = new RunDiff(summary.baseline().changes());
            System.out.println("Against the baseline " + baseline + ": " + diff.tally() + (diff.changes().isEmpty() ? "" : ":"));
            diff.lines(baseline.getParent(), dir).forEach(l -> System.out.println("  " + l));
        }
    }

    /** A short campaign of generated schedules per available column (or a soak), failures shrunk into the report. */
    private void fuzzColumns(List<String> columns, RunContext run, Path dir, Interruption stop, List<FuzzResult> results)
            throws InterruptedException {
        int count = soakMinutes != null ? Integer.MAX_VALUE : fuzzSchedules;
        Duration time = soakMinutes != null ? Duration.ofMinutes(soakMinutes) : Duration.ofMinutes(5);
        if (count == 0) {
            return;
        }
        for (String column : columns) {
            stop.check();
            if (!Columns.describe(column).available()) {
                continue; // already reported NOT_AVAILABLE in the matrix
            }
            FuzzResult r = FuzzCampaign.run(FuzzCampaign.Options.of(column).seed(fuzzSeed).count(count).time(time)
                    .outDir(dir.resolve("fuzz").resolve(column)), run, line -> {
                        stop.check(); // between two generated schedules
                        if (!quiet) {
                            System.out.println("  [fuzz " + column + "] " + line);
                        }
                    });
            FuzzCommand.print(r);
            results.add(r);
        }
    }

    private List<Scenario> chooseScenarios() {
        if (scenarios == null) {
            return NamedSuite.all();
        }
        List<Scenario> chosen = new ArrayList<>();
        for (String id : scenarios) {
            chosen.add(NamedSuite.named(id).orElseThrow(() -> new Shmconform.UsageException("no scenario named '" + id
                    + "'; see 'shmconform list'")));
        }
        return chosen;
    }

    private static void copyLogs(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.size(f) > 0) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private void pointLatest(Path dir) throws IOException {
        Path latest = out.resolve("latest");
        Files.deleteIfExists(latest);
        Files.createSymbolicLink(latest, dir.getFileName());
    }
}
