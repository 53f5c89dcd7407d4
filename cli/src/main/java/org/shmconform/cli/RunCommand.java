package org.shmconform.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.shmconform.conformance.ConformanceRun;
import org.shmconform.engine.env.Environments;
import org.shmconform.engine.state.StateDirectory;
import org.shmconform.reports.Baseline;
import org.shmconform.reports.RunSummary;
import org.shmconform.reports.RunVerdict;
import org.shmconform.scenarios.NamedSuite;
import org.shmconform.scenarios.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shmconform run}: the named suite on every column, a report folder, an exit code for CI. The
 * options become a {@link ConformanceRun.Plan}; {@link ConformanceRun} runs it from start to report.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the named conformance suite on real worker processes and write a report folder.",
                "With no options: every backend on the class path plus the Qt 6.4 reference worker, local workers;"
                        + " columns that cannot run here are reported NOT_AVAILABLE with the reason.",
                "The last line is one summary: 'shmconform: PASS|FAIL — counts — report: DIR'.",
                "Exit status: 0 all results as expected, 1 a FAIL/UNKNOWN result, a fuzz failure (whatever its re-runs gave), a fuzz schedule"
                        + " that could not be judged, a baseline regression or no cell that could be tried here (all"
                        + " NOT_AVAILABLE), 2 bad usage or input, 130/143 interrupted by"
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
            description = "Report root; each run writes DIR/<time>-<run id>/ and points DIR/latest at it (default: ${DEFAULT-VALUE})."
                    + " It is made if missing; an existing one must be a real directory of this user's that group and others"
                    + " cannot write.")
    Path out;

    @Option(names = "--baseline", paramLabel = "RESULTS_JSON",
            description = "Compare with an earlier results.json as 'shmconform diff RESULTS_JSON NEW' does; a regression"
                    + " (PASS or DEVIATES -> FAIL or UNKNOWN, PASS -> DEVIATES, a tried cell now NOT_AVAILABLE or missing) exits 1.")
    Path baseline;

    @Option(names = "--fuzz-schedules", paramLabel = "N",
            description = "A fixed number of generated schedules per column instead of --fuzz-seconds (0: no fuzzing).")
    Integer fuzzSchedules;

    /*
     * 12 s, so that the whole default run fits issue 13's three minutes on a 2-core machine, which it keeps busy: the
     * fuzz section's length is this budget (five System V columns took the key-file turn one after another; the four
     * System V Qt ones, in IPC namespaces of their own since 2026-12-06 where root can make them, take none), the rest
     * is the named suite. Measured on 2026-12-05, one default run each, alone: 231.3 s with 20 s a column, 172.9 s with
     * 12 s; 2,564 against 2,235 model transitions over the 14 columns (13 % fewer; qt 263 against 230, sysv 128 against
     * 115), and qt's LOCK-EXCLUSIVE difference found after 0.1 s in both. More is one option away (README).
     */
    @Option(names = "--fuzz-seconds", defaultValue = "12", paramLabel = "S",
            description = "Coverage-guided fuzzing of each column for S seconds after the named suite (default: ${DEFAULT-VALUE};"
                    + " more finds more: transitions still grow at 20 s; time waiting for the System V key-file turn that another"
                    + " run or test holds is not counted).")
    int fuzzSeconds;

    @Option(names = "--fuzz-seed", defaultValue = "1", paramLabel = "N",
            description = "First seed of those schedules (default: ${DEFAULT-VALUE}, so runs compare).")
    long fuzzSeed;

    @Option(names = "--fuzz-lines", paramLabel = "N", description = "Columns fuzzed side by side, each in a run context of its"
            + " own; columns whose schedules take the machine-wide System V key-file turn run one at a time beside the"
            + " others (default: " + ConformanceRun.Fuzzing.DEFAULT_LINES + "; 1: one column after another).")
    int fuzzLines = ConformanceRun.Fuzzing.DEFAULT_LINES;

    @Option(names = "--suite-lanes", paramLabel = "N", description = "The named suite in N lanes: 2 runs the scenarios of the"
            + " environments with an IPC namespace of their own (ipcns, ipcns+shm, docker-private, docker-shareable) in a run"
            + " context of their own beside the others (default: " + ConformanceRun.Plan.DEFAULT_SUITE_LANES
            + "; 1: one scenario run after another).")
    int suiteLanes = ConformanceRun.Plan.DEFAULT_SUITE_LANES;

    @Option(names = "--soak-minutes", paramLabel = "M",
            description = "A long soak instead: fuzz each column for M minutes (no schedule limit).")
    Long soakMinutes;

    @Option(names = "--fresh-workers", description = "Start a new worker process for every scenario run (default: the"
            + " named suite's workers, local, in ipcns and ipcns+shm and in the Docker environments' containers, are reused"
            + " across scenarios of their column, environment and group, a Java column's also by the next Java column's"
            + " scenarios, when each proves it holds no mapping, descriptor, lock or child of the last one; a worker that"
            + " cannot prove it is replaced).")
    boolean freshWorkers;

    @Option(names = {"-q", "--quiet"}, description = "Only the summary, no line per scenario.")
    boolean quiet;

    @Option(names = "--json", description = "Machine output: stdout is one JSON object (verdict, counts, summary line, report"
            + " folder, results.json); the progress lines go to stderr.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        validateOptions();
        // A name given twice is one cell, not two: two results of one cell would share its evidence file, and a diff keeps one.
        List<String> columns = backends == null ? Columns.allNames() : List.copyOf(new LinkedHashSet<>(backends));
        columns.forEach(Columns::describe); // unknown names are a usage error
        List<Scenario> chosen = chooseScenarios();
        List<String> envNames = envs == null ? Environments.names() : List.copyOf(new LinkedHashSet<>(envs));
        for (String name : envNames) {
            if (!Environments.names().contains(name)) {
                throw new Shmconform.UsageException("no environment named '" + name + "'; known: " + String.join(", ", Environments.names()));
            }
        }
        RunSummary base = baseline == null ? null : Baseline.readFinished(baseline, "baseline");
        ConformanceRun.Plan plan = ConformanceRun.Plan.of(columns, chosen, envNames).shmBytes(shmSizeMib << 20)
                .fuzzing((soakMinutes != null ? ConformanceRun.Fuzzing.soak(Duration.ofMinutes(soakMinutes), fuzzSeed)
                        : fuzzSchedules != null ? ConformanceRun.Fuzzing.schedules(fuzzSchedules, fuzzSeed)
                        : ConformanceRun.Fuzzing.soak(Duration.ofSeconds(fuzzSeconds), fuzzSeed)).lines(fuzzLines))
                .baseline(base == null ? null : new ConformanceRun.Earlier(baseline.toString(), base))
                .freshWorkers(freshWorkers)
                .suiteLanes(suiteLanes);
        // The last checks before anything runs, in the run's order: the state directory, then the report root (a link, a
        // file, another's folder or one others can write is exit 2; a missing one is made).
        StateDirectory.root();
        ConformanceRun.checkReportRoot(out);
        if (soakMinutes == null && fuzzSchedules == null) {
            (json ? System.err : System.out).println("shmconform run: after the named suite, fuzzing each available column for "
                    + fuzzSeconds + " s, " + fuzzLines + (fuzzLines == 1 ? " column at a time" : " columns side by side")
                    + " (those whose System V sets are keyed by files in the host's IPC namespace one at a time: they take the"
                    + " machine-wide key-file turn; a System V Qt column's lanes run in namespaces of their own where root can"
                    + " make them, and take none)");
        }
        ConformanceRun.Outcome outcome = JsonOutput.humanToStderr(json, () -> ConformanceRun.execute(plan, out, new ConsoleProgress(quiet)));
        if (json) {
            JsonOutput.print(JsonOutput.run(outcome));
        }
        if (outcome.interrupted()) {
            return Shmconform.FAILED; // the JVM exits with 128 + the signal's number whatever this says
        }
        return RunVerdict.of(outcome.summary()).failed() ? Shmconform.FAILED : Shmconform.OK;
    }

    /** Every option checked before anything runs: one line and exit 2 for a bad one. */
    private void validateOptions() {
        if (fuzzSeconds < 1) {
            throw new Shmconform.UsageException("--fuzz-seconds must be 1 or more, not " + fuzzSeconds);
        }
        if (fuzzLines < 1) {
            throw new Shmconform.UsageException("--fuzz-lines must be 1 or more, not " + fuzzLines);
        }
        if (suiteLanes < 1 || suiteLanes > 2) {
            throw new Shmconform.UsageException("--suite-lanes must be 1 or 2, not " + suiteLanes);
        }
        if (fuzzSchedules != null && fuzzSchedules < 0) {
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

    private List<Scenario> chooseScenarios() {
        if (scenarios == null) {
            return NamedSuite.all();
        }
        List<Scenario> chosen = new ArrayList<>();
        for (String id : new LinkedHashSet<>(scenarios)) {
            chosen.add(NamedSuite.named(id).orElseThrow(() -> new Shmconform.UsageException("no scenario named '" + id
                    + "'; see 'shmconform list'")));
        }
        return chosen;
    }
}
