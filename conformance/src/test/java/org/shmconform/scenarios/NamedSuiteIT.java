package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.conformance.ConformanceRun;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.env.Environments;

/**
 * The named suite through JUnit 5 (an integration test: {@code mvn verify}): one test per
 * environment, column (every backend on the class path plus the Qt 6.4 reference worker) and
 * scenario, named {@code [column/environment] scenario-id} so it reads the same in an IDE, on the
 * console and in target/failsafe-reports. A test fails on FAIL or UNKNOWN; a column missing here is
 * aborted with the reason (reported, not silently skipped); DEVIATES (a difference the backend
 * declares) passes. {@link SuiteSelection} narrows it with -Dshmconform.scenario/column/env.
 *
 * <p>The run's lifecycle is {@code shmconform run}'s ({@link ConformanceRun}): opened before the first
 * test, each test one scenario run, closed (environments, containers, the run reaped) after the last.
 * It lives in the conformance module for that reason, in the scenarios' package so its name stays.
 */
class NamedSuiteIT {
    private static final Path REPORT = Path.of("target", "shmconform-report");
    private static ConformanceRun run;

    @BeforeAll
    static void startRun() {
        run = ConformanceRun.open(ConformanceRun.Plan.of(List.copyOf(Subjects.here().names()), NamedSuite.all(),
                SuiteSelection.fromSystemProperties().environments(Environments.names())), REPORT);
    }

    @AfterAll
    static void endRun() {
        if (run != null) {
            run.close();
        }
    }

    /**
     * The same plan as {@code shmconform run} (every column, every environment, ordered by environment
     * then column), narrowed by the shmconform.* properties.
     *
     * <p>How the names reach the reports: Surefire/Failsafe (3.x, with the phrased-name reporters in the
     * parent pom) prefix a test's display name with its factory's or parameterized method's display name
     * ("namedSuite()[posix/local] ..."), unless the test's own source is neither a method nor a class; then
     * the test's display name is the test case name and its parent's display name the class name. So each
     * test's source is where its scenario is written (NamedSuite.java, at the scenario's line; an IDE opens
     * it from the test), and the factory is displayed under this class's name.
     */
    @TestFactory
    @DisplayName("org.shmconform.scenarios.NamedSuiteIT")
    Stream<DynamicTest> namedSuite() {
        List<String> columns = new ArrayList<>(Subjects.here().names());
        List<SuiteRunner.Job> jobs = SuiteSelection.fromSystemProperties().plan(NamedSuite.all(), columns, Environments.names());
        return jobs.stream().map(job -> DynamicTest.dynamicTest(SuiteSelection.displayName(job),
                SuiteSelection.definition(job.scenario()), () -> check(job)));
    }

    private static void check(SuiteRunner.Job job) throws InterruptedException {
        ScenarioResult result = run.run(job);
        if (result.verdict() == Verdict.NOT_AVAILABLE) {
            Assumptions.abort("NOT_AVAILABLE: " + result.reason());
        }
        String evidence = job.scenario().title() + "\n" + result.properties().stream().map(NamedSuiteIT::describe).collect(Collectors.joining("\n"))
                + "\nhistory: " + REPORT.resolve(result.historyFile()) + "\nnotes: " + result.notes();
        assertTrue(result.verdict().expected(), evidence);
    }

    private static String describe(PropertyResult r) {
        return r.property() + " " + r.verdict() + (r.why() == null ? "" : ": " + r.why())
                + (r.eventIndex() == null ? "" : " (history line " + r.eventIndex() + ")");
    }
}
