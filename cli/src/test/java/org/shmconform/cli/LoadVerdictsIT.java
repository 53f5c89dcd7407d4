package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.Backends;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.RunContext;
import org.shmconform.reports.Baseline;
import org.shmconform.reports.RunSummary;
import org.shmconform.scenarios.NamedSuite;
import org.shmconform.scenarios.Scenario;

/**
 * Verdicts do not depend on load. The packaged CLI runs the named suite on every column, environment
 * {@code local}, three times: on an idle machine (as idle as the test can make it), with every core
 * saturated by busy processes, and inside a cgroup limited to half a CPU. Every (column, scenario,
 * property) cell must have the same verdict in the three runs, none may be UNKNOWN, and every step of
 * every schedule must appear in its history (a skipped step cannot hide behind a PASS).
 *
 * <p>By default the scenarios whose outcome depends on timing (every one with a lock, a truncation, a
 * crash or a kill); {@code -Dshmconform.load.full=true} runs the whole suite, and -Dshmconform.scenario
 * and -Dshmconform.column (comma lists, as for the named suite) choose instead. No elapsed time is
 * asserted: the wall times are printed.
 */
class LoadVerdictsIT {
    static final String FULL = "shmconform.load.full";
    /** The ops whose outcome a slow machine could change: waiting, blocking, dying. */
    private static final Set<String> TIMING_SENSITIVE_OPS = Set.of("lock", "truncate", "kill", "rawWrite");
    private static final Path JAR = Path.of("target", "shmconform.jar");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theSameVerdictsIdleSaturatedAndUnderACpuQuota() throws Exception {
        Assumptions.assumeTrue(CpuQuota.unavailableReason().isEmpty(), () -> "NOT_AVAILABLE: the CPU-quota run: "
                + CpuQuota.unavailableReason().orElseThrow());
        assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " is missing: run through 'mvn verify' (package comes first)");
        Path out = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "load-").toAbsolutePath(); // reports kept with the build, never in /tmp
        List<String> scenarios = chosen("shmconform.scenario", Boolean.getBoolean(FULL) ? List.of() : timingSensitiveScenarios());
        List<String> columns = chosen("shmconform.column", Boolean.getBoolean(FULL) ? List.of() : oneColumnPerLockWait());
        System.out.println("load test on " + (scenarios.isEmpty() ? "the whole suite" : scenarios) + ", "
                + (columns.isEmpty() ? "every column" : columns) + "; reports in " + out);

        Map<String, Run> runs = new LinkedHashMap<>();
        runs.put("idle", run("idle", scenarios, columns, out, null));
        try (BusyLoops busy = BusyLoops.start(Runtime.getRuntime().availableProcessors() + 1)) {
            runs.put("saturated", run("saturated (" + busy.count() + " busy loops)", scenarios, columns, out, null));
        }
        try (CpuQuota quota = CpuQuota.create("shmconform-load-" + ProcessHandle.current().pid(), 50_000, 100_000)) {
            System.out.println("cgroup: " + quota.describe());
            runs.put("quota", run("cpu quota 50%", scenarios, columns, out, quota));
            long throttled = quota.throttledPeriods();
            System.out.println("cgroup throttled the run in " + throttled + " periods");
            assertTrue(throttled > 0, "the quota never throttled the run: it did not run under load");
        }

        runs.forEach((name, r) -> System.out.printf("%-10s %6.1f s wall, exit %d, %d cells, %s%n", name, r.seconds,
                r.exit, r.cells.size(), r.summary.runId()));
        List<String> problems = new ArrayList<>();
        problems.addAll(differences(runs));
        runs.forEach((name, r) -> problems.addAll(r.unknownOrSkipped(name)));
        if (!problems.isEmpty()) {
            System.out.println("Cells whose verdict depends on load (" + problems.size() + "):");
            problems.forEach(p -> System.out.println("  " + p));
        }
        assertEquals(List.of(), problems, "verdicts depend on load; reports in " + out);
    }

    /** Every cell whose verdict is not the same in all runs, with each run's verdict and reason. */
    private static List<String> differences(Map<String, Run> runs) {
        Set<String> cells = new TreeSet<>();
        runs.values().forEach(r -> cells.addAll(r.cells.keySet()));
        List<String> out = new ArrayList<>();
        for (String cell : cells) {
            Set<Verdict> verdicts = new LinkedHashSet<>();
            runs.values().forEach(r -> verdicts.add(r.cells.containsKey(cell) ? r.cells.get(cell).verdict() : null));
            if (verdicts.size() > 1) {
                StringBuilder line = new StringBuilder(cell + ":");
                runs.forEach((name, r) -> line.append(" ").append(name).append("=").append(r.describe(cell)));
                out.add(line.toString());
            }
        }
        return out;
    }

    /** A comma list from the same -D property the named suite reads (the CLI rejects unknown names: exit 2). */
    private static List<String> chosen(String property, List<String> otherwise) {
        List<String> names = Stream.of(System.getProperty(property, "").split(",")).map(String::trim)
                .filter(n -> !n.isEmpty()).toList();
        return names.isEmpty() ? otherwise : names;
    }

    /**
     * What load can disturb is the engine's reading of a blocked op, and that depends on the kind of
     * wait the kernel shows: one column per kind (semop: sysv; futex on a named semaphore: posix; OFD
     * lock: mmapfile; futex on a flag in the segment: mmapfile-atomic; robust mutex: mmapfile-robust;
     * Qt's own: qt). The other columns repeat one of these waits; -Dshmconform.load.full=true runs them all.
     */
    static List<String> oneColumnPerLockWait() {
        return List.of("sysv", "posix", "mmapfile", "mmapfile-atomic", "mmapfile-robust", "qt").stream()
                .filter(Subjects.here().names()::contains).toList();
    }

    /** Scenarios (on any column) with a lock, a truncation, a SIGKILL or a store that crashes its process. */
    static List<String> timingSensitiveScenarios() {
        List<String> columns = new ArrayList<>(Subjects.here().names());
        List<String> ids = new ArrayList<>();
        for (Scenario s : NamedSuite.all()) {
            boolean sensitive = columns.stream().filter(c -> s.appliesTo().test(c)).anyMatch(c -> s.scheduleFor(c, "local")
                    .steps().stream().anyMatch(step -> TIMING_SENSITIVE_OPS.contains(step.op())));
            if (sensitive && s.placement() != Scenario.Placement.FIXED) {
                ids.add(s.id());
            }
        }
        return ids;
    }

    /** One CLI run: every column, environment local, no fuzzing; inside {@code quota} when given. */
    private static Run run(String label, List<String> scenarios, List<String> columns, Path out, CpuQuota quota)
            throws Exception {
        Path reports = out.resolve(label.replaceAll("[^a-z0-9]+", "-"));
        List<String> cli = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toAbsolutePath().toString(), "run", "-e", "local", "--fuzz-schedules", "0", "-q", "-o",
                reports.toString()));
        if (!scenarios.isEmpty()) {
            cli.addAll(List.of("-s", String.join(",", scenarios)));
        }
        if (!columns.isEmpty()) {
            cli.addAll(List.of("-b", String.join(",", columns)));
        }
        List<String> command = new ArrayList<>();
        if (quota != null) {
            // The shell joins the cgroup, then becomes the JVM: the run and every worker it starts are inside.
            command.addAll(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", quota.procs().toString()));
        }
        command.addAll(cli);
        System.out.println("[" + label + "] " + String.join(" ", command));
        // Into a file, then through System.out: the forked test JVM's own stdout is Failsafe's channel.
        Files.createDirectories(reports);
        Path console = reports.resolve("console.txt");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(console.toFile()).start();
        int exit;
        try {
            exit = p.waitFor();
        } finally {
            p.destroyForcibly();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.readAllLines(console).forEach(line -> System.out.println("[" + label + "] " + line));
        // 0: all as expected, 1: a FAIL or UNKNOWN (compared below); anything else means the run itself broke.
        assertTrue(exit == 0 || exit == 1, "[" + label + "] shmconform run exited " + exit);
        Path latest = reports.resolve("latest");
        RunSummary summary = Baseline.read(latest.resolve("results.json"));
        assertEquals(List.of(), leftovers(summary.runId()), "[" + label + "] the run left objects behind");
        return new Run(latest, summary, exit, seconds);
    }

    /** A finished run: its verdict per cell. */
    private static final class Run {
        final Path dir;
        final RunSummary summary;
        final int exit;
        final double seconds;
        final Map<String, PropertyResult> cells = new LinkedHashMap<>();
        final Map<String, ScenarioResult> results = new LinkedHashMap<>();

        Run(Path dir, RunSummary summary, int exit, double seconds) {
            this.dir = dir;
            this.summary = summary;
            this.exit = exit;
            this.seconds = seconds;
            for (ScenarioResult r : summary.results()) {
                for (PropertyResult p : r.properties()) {
                    String cell = r.column() + "/" + r.env() + " " + r.scenario() + " " + p.property();
                    cells.put(cell, p);
                    results.put(cell, r);
                }
            }
        }

        String describe(String cell) {
            PropertyResult p = cells.get(cell);
            if (p == null) {
                return "missing";
            }
            ScenarioResult r = results.get(cell);
            return p.verdict() + (p.why() == null ? "" : " (" + p.why() + ")")
                    + (r.historyFile() == null ? "" : " [" + dir.resolve(r.historyFile()) + "]");
        }

        /** UNKNOWN cells, and scenarios whose history lacks a step of their schedule (skipped, whatever the verdict). */
        List<String> unknownOrSkipped(String run) {
            List<String> problems = new ArrayList<>();
            cells.forEach((cell, p) -> {
                if (p.verdict() == Verdict.UNKNOWN) {
                    problems.add(cell + ": UNKNOWN in the " + run + " run: " + describe(cell));
                }
            });
            for (ScenarioResult r : summary.results()) {
                if (r.historyFile() == null || r.scheduleFile() == null) {
                    continue; // NOT_AVAILABLE: nothing ran, and the cells say why
                }
                String missing = missingSteps(dir.resolve(r.scheduleFile()), dir.resolve(r.historyFile()));
                if (!missing.isEmpty()) {
                    problems.add(r.column() + "/" + r.env() + " " + r.scenario() + ": in the " + run + " run " + missing
                            + " (verdict " + r.verdict() + ", notes " + shortened(r.notes()) + ")");
                }
            }
            return problems;
        }
    }

    private static String shortened(List<String> notes) {
        return notes.size() <= 3 ? notes.toString() : notes.subList(0, 3) + " and " + (notes.size() - 3) + " more";
    }

    /**
     * Compares, per worker, the schedule's steps (other than kills, which the engine performs) with the
     * operations the history shows the worker invoked; describes what is missing, or "".
     */
    static String missingSteps(Path schedule, Path history) {
        try {
            Map<String, Integer> planned = new LinkedHashMap<>();
            for (JsonNode step : JSON.readTree(schedule.toFile()).path("steps")) {
                if (!step.path("op").asText().equals("kill")) {
                    planned.merge(step.path("worker").asText(), 1, Integer::sum);
                }
            }
            Map<String, Integer> invoked = new LinkedHashMap<>();
            try (Stream<String> lines = Files.lines(history)) {
                for (String line : lines.filter(l -> !l.isBlank()).toList()) {
                    JsonNode e = JSON.readTree(line);
                    if (e.path("type").asText().equals("invoke") && !e.path("process").asText().equals("nemesis")) {
                        invoked.merge(e.path("process").asText(), 1, Integer::sum);
                    }
                }
            }
            List<String> missing = new ArrayList<>();
            planned.forEach((worker, n) -> {
                int done = invoked.getOrDefault(worker, 0);
                if (done < n) {
                    missing.add(worker + " invoked " + done + " of its " + n + " steps");
                }
            });
            return missing.isEmpty() ? "" : "steps not performed: " + String.join(", ", missing);
        } catch (IOException e) {
            fail("cannot read " + schedule + " or " + history + ": " + e);
            return "";
        }
    }

    /** What a finished run left: its run directory, /dev/shm names with its key prefix (Qt's mangling keeps the letters). */
    private static List<String> leftovers(String runId) throws IOException {
        List<String> left = new ArrayList<>();
        Path runDir = RunContext.runsRoot().resolve(runId);
        if (Files.exists(runDir)) {
            left.add(runDir.toString());
        }
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            shm.filter(f -> f.getFileName().toString().contains(RunContext.KEY_PREFIX + runId)).forEach(f -> left.add(f.toString()));
        }
        return left;
    }

    /** Busy loops, one real process per core (and one more), killed when closed, even after a failure. */
    private static final class BusyLoops implements AutoCloseable {
        private final List<Process> loops = new ArrayList<>();

        static BusyLoops start(int n) throws IOException {
            BusyLoops b = new BusyLoops();
            try {
                for (int i = 0; i < n; i++) {
                    b.loops.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
                }
            } catch (IOException e) {
                b.close();
                throw e;
            }
            return b;
        }

        int count() {
            return loops.size();
        }

        @Override
        public void close() {
            for (Process p : loops) {
                p.destroyForcibly();
            }
            for (Process p : loops) {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
