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
import org.shmconform.harness.checker.ScenarioResult;
import org.shmconform.harness.checker.Verdict;
import org.shmconform.harness.fuzz.FuzzCampaign;
import org.shmconform.harness.fuzz.FuzzResult;
import org.shmconform.harness.engine.Reaper;
import org.shmconform.harness.engine.RunContext;
import org.shmconform.harness.engine.ScheduleRunner;
import org.shmconform.harness.engine.env.Environment;
import org.shmconform.harness.engine.env.ContainerSweeper;
import org.shmconform.harness.engine.env.Environments;
import org.shmconform.reports.Baseline;
import org.shmconform.reports.ReportWriter;
import org.shmconform.reports.RunSummary;
import org.shmconform.scenarios.NamedSuite;
import org.shmconform.scenarios.Scenario;
import org.shmconform.scenarios.SuiteRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shmconform run}: the named suite on every column, a report folder, an exit code for CI. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the named conformance suite on real worker processes and write a report folder.",
                "With no options: every backend on the class path plus the Qt 6.4 reference worker, local workers;"
                        + " columns that cannot run here are reported NOT-AVAILABLE-HERE with the reason.",
                "Exit status: 0 all results as expected, 1 a FAIL/UNKNOWN result or a baseline regression, 2 bad usage."})
final class RunCommand implements Callable<Integer> {
    @Option(names = {"-b", "--backend"}, split = ",", paramLabel = "NAME",
            description = "Columns to test (backend names or 'qt'); default: all. See 'shmconform list'.")
    List<String> backends;

    @Option(names = {"-s", "--scenario"}, split = ",", paramLabel = "ID", description = "Scenarios to run; default: all.")
    List<String> scenarios;

    @Option(names = {"-e", "--env"}, split = ",", paramLabel = "ENV",
            description = "Environments: local, ipcns, ipcns+shm, docker-private, docker-shareable, docker-host; default: all"
                    + " (those that cannot run here are reported NOT-AVAILABLE-HERE). The whole suite runs locally; the"
                    + " namespace-sensitive scenarios run again in every other environment, and cross-environment ones once.")
    List<String> envs;

    @Option(names = "--shm-size-mib", paramLabel = "MIB", defaultValue = "64",
            description = "Size of the private /dev/shm of ipcns+shm and of containers (default: ${DEFAULT-VALUE}).")
    long shmSizeMib;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", defaultValue = "shmconform-report",
            description = "Report root; each run writes DIR/<time>-<run id>/ and points DIR/latest at it (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--baseline", paramLabel = "RESULTS_JSON",
            description = "Compare with an earlier results.json; a regression (PASS->FAIL, newly not available) exits 1.")
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
        List<String> columns = backends == null ? Columns.allNames() : backends;
        List<RunSummary.Column> described = columns.stream().map(Columns::describe).toList();
        List<Scenario> chosen = chooseScenarios();
        RunSummary base = baseline == null ? null : readBaseline();
        Instant started = Instant.now();
        RunContext run = RunContext.create();
        Thread reapOnInterrupt = new Thread(run::close, "shmconform-reaper");
        Runtime.getRuntime().addShutdownHook(reapOnInterrupt);
        Path dir = out.resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(started)
                + "-" + run.runId());
        System.out.printf("shmconform run %s: %d scenarios x %d columns, report in %s%n", run.runId(), chosen.size(),
                columns.size(), dir);
        List<String> envNames = envs == null ? Environments.names() : envs;
        Map<String, Environment> environments = new LinkedHashMap<>();
        for (String name : envNames) {
            environments.put(name, Environments.create(name, run.runId(), shmSizeMib << 20).orElseThrow(() ->
                    new Shmconform.UsageException("no environment named '" + name + "'; known: " + Environments.names())));
        }
        List<SuiteRunner.Job> jobs = SuiteRunner.plan(chosen, columns, envNames);
        System.out.printf("%d scenario runs in %s%n", jobs.size(), envNames);
        long unplanned = chosen.stream().filter(s -> s.placement() == Scenario.Placement.FIXED).count() * columns.size()
                - jobs.stream().filter(j -> j.env().equals("cross")).count();
        if (unplanned > 0) {
            System.out.printf("(%d cross-environment runs left out: they need environments not chosen with --env)%n", unplanned);
        }
        List<ScenarioResult> results;
        List<FuzzResult> fuzz;
        try {
            SuiteRunner suite = new SuiteRunner(run, environments, ScheduleRunner.Timing.defaults(), dir, new ConsoleProgress(quiet));
            results = suite.run(jobs);
            fuzz = fuzzColumns(columns, run, dir);
            copyLogs(run.logs(), dir.resolve("logs"));
        } finally {
            environments.values().forEach(Environment::close);
            ContainerSweeper.removeRun(run.runId());
            List<String> reaped = Reaper.reapRun(run.runId(), run.runDir());
            Runtime.getRuntime().removeShutdownHook(reapOnInterrupt);
            if (!reaped.isEmpty()) {
                System.out.println("Reaped at the end of the run (left by crashed or killed workers, as the scenarios intend):");
                reaped.forEach(r -> System.out.println("  " + r));
            }
        }
        Instant finished = Instant.now();
        RunSummary summary = new RunSummary(RunSummary.SCHEMA, run.runId(), started.toString(), finished.toString(),
                finished.toEpochMilli() - started.toEpochMilli(), MachineFacts.collect(environments), described, results, fuzz);
        ReportWriter.write(dir, summary);
        pointLatest(dir);
        return summarize(summary, base, dir);
    }

    /** A short campaign of generated schedules per available column (or a soak), failures shrunk into the report. */
    private List<FuzzResult> fuzzColumns(List<String> columns, RunContext run, Path dir) throws InterruptedException {
        List<FuzzResult> results = new ArrayList<>();
        int count = soakMinutes != null ? Integer.MAX_VALUE : fuzzSchedules;
        Duration time = soakMinutes != null ? Duration.ofMinutes(soakMinutes) : Duration.ofMinutes(5);
        if (count == 0) {
            return results;
        }
        for (String column : columns) {
            if (!Columns.describe(column).available()) {
                continue; // already reported NOT-AVAILABLE-HERE in the matrix
            }
            FuzzResult r = FuzzCampaign.run(FuzzCampaign.Options.of(column).seed(fuzzSeed).count(count).time(time)
                    .outDir(dir.resolve("fuzz").resolve(column)), run, quiet ? line -> { } : line -> System.out.println("  [fuzz " + column + "] " + line));
            FuzzCommand.print(r);
            results.add(r);
        }
        return results;
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

    private RunSummary readBaseline() {
        try {
            return Baseline.read(baseline);
        } catch (IOException e) {
            throw new Shmconform.UsageException("cannot read baseline " + baseline + ": " + e.getMessage());
        }
    }

    private int summarize(RunSummary summary, RunSummary base, Path dir) {
        Map<Verdict, Integer> counts = new LinkedHashMap<>();
        for (ScenarioResult r : summary.results()) {
            counts.merge(r.verdict(), 1, Integer::sum);
        }
        System.out.printf("%nDone in %.1f s: %s%nReport: %s (matrix.md, matrix.html, timeline.html, results.json, junit.xml)%n",
                summary.millis() / 1000.0, counts, dir.resolve("matrix.md"));
        boolean failed = summary.results().stream().anyMatch(r -> !r.verdict().expected())
                || summary.fuzz().stream().anyMatch(f -> f.failures().stream().anyMatch(x -> x.rerunFails() > 0));
        if (base != null) {
            List<Baseline.Regression> regressions = Baseline.compare(base, summary);
            System.out.println(regressions.isEmpty() ? "No regression against " + baseline
                    : regressions.size() + " regression(s) against " + baseline + ":");
            regressions.forEach(r -> System.out.println("  " + r));
            failed |= !regressions.isEmpty();
        }
        return failed ? Shmconform.FAILED : Shmconform.OK;
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
