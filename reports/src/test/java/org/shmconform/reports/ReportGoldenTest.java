package org.shmconform.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.fuzz.FuzzResult;

/**
 * Each report writer's output for one fixed run, compared with the file kept in
 * src/test/resources/golden: a change to a report's wording or shape shows up as a diff to review.
 * After a deliberate change, rewrite them with {@code -Dshmconform.golden.update=true} and read the diff.
 */
class ReportGoldenTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
    private static final Path REPORT_DIR = Path.of("/report");

    private static ScenarioResult result(String scenario, String column, Verdict v, String why, Integer event, String reason) {
        return new ScenarioResult(scenario, "the " + scenario + " scenario", column, "local",
                List.of(new PropertyResult("LOCK-EXCLUSIVE", v, why, event, List.of("lock after holder death: released"))),
                v == Verdict.NOT_AVAILABLE ? null : "evidence/" + scenario + "--" + column + ".history.jsonl",
                v == Verdict.NOT_AVAILABLE ? null : "evidence/" + scenario + "--" + column + ".schedule.json", 1500, reason, List.of());
    }

    /** One of each verdict, a fuzz campaign with a failure, and a baseline with a regression. */
    static RunSummary fixedRun() {
        List<ScenarioResult> results = List.of(
                result("data-shared", "sysv", Verdict.PASS, null, null, null),
                result("lock-survives-failed-create", "sysv", Verdict.DEVIATES, "lock re-initialised by create()", 8, null),
                result("lock-excludes", "posix", Verdict.UNKNOWN, null, null, "step lock for dead worker B could not be performed"),
                result("lock-holder-killed", "sysv", Verdict.FAIL, "C acquired the lock while A held it", 8, null),
                result("other-user", "posix", Verdict.NOT_AVAILABLE, "needs root", null, "needs root"));
        FuzzResult.Failure failure = new FuzzResult.Failure(10, "CREATE-SIZE", "create(100) of a new key returned false", 3, 3,
                16, 3, 1, 2, 1, 0, "create(100) of a new key returned false", 40, false,
                Path.of("fuzz/sysv/seed-10/original.schedule.json"), null, Path.of("fuzz/sysv/seed-10/shrunk.schedule.json"), null);
        FuzzResult fuzz = new FuzzResult("sysv", 1, 3, 50, 12, 10, List.of(failure), List.of(), Path.of("fuzz/sysv"));
        Baseline.Outcome baseline = new Baseline.Outcome("old/results.json", List.of(new Baseline.Regression(
                "sysv/local/lock-holder-killed/LOCK-EXCLUSIVE", Verdict.PASS, Verdict.FAIL, "C acquired the lock while A held it")));
        return new RunSummary(RunSummary.SCHEMA, "abcdef", "2026-12-02T00:00:00Z", "2026-12-02T00:01:00Z", 60_000, false,
                Map.of("kernel", "6.x"), List.of(new RunSummary.Column("sysv", "System V", true, null, Map.of("keySpace", "qt-sysv")),
                new RunSummary.Column("posix", "POSIX", true, null, Map.of("keySpace", "qt-posix"))), results, List.of(fuzz), baseline);
    }

    private static String render(String file) throws IOException {
        RunSummary run = fixedRun();
        return switch (file) {
            case "matrix.md" -> MatrixMarkdown.render(run);
            case "junit.xml" -> JUnitXml.render(REPORT_DIR, run);
            case "results.json" -> ResultsJson.render(REPORT_DIR, run);
            default -> throw new IllegalArgumentException(file);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"matrix.md", "junit.xml", "results.json"})
    void writerOutputIsTheKeptOne(String file) throws IOException {
        String now = render(file);
        Path golden = GOLDEN.resolve(file);
        if (Boolean.getBoolean("shmconform.golden.update")) {
            Files.writeString(golden, now, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), now,
                file + " differs from " + golden + " (after a deliberate change: -Dshmconform.golden.update=true, then review the diff)");
    }
}
