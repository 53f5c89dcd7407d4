package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.shmconform.backends.Backends;
import org.shmconform.backends.SharedMemoryBackend;
import org.shmconform.harness.checker.PropertyResult;
import org.shmconform.harness.checker.ScenarioResult;
import org.shmconform.harness.checker.Verdict;
import org.shmconform.harness.engine.QtReferenceWorker;
import org.shmconform.harness.engine.RunContext;
import org.shmconform.harness.engine.ScheduleRunner;
import org.shmconform.harness.engine.env.LocalEnvironment;

/**
 * The named suite through JUnit 5: one dynamic test per column (every backend on the class path
 * plus the Qt 6.4 reference worker) and scenario, so it shows in an IDE and in Surefire reports.
 * A test fails on FAIL or UNKNOWN; a column missing here is aborted with the reason (reported, not
 * silently skipped); DEVIATES (a difference the backend declares) passes.
 */
class NamedSuiteTest {
    private static RunContext run;
    private static SuiteRunner suite;

    @BeforeAll
    static void startRun() {
        run = RunContext.create();
        suite = new SuiteRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()), ScheduleRunner.Timing.defaults(),
                Path.of("target", "shmconform-report"), SuiteRunner.Progress.NONE);
    }

    @AfterAll
    static void endRun() {
        run.close();
    }

    @TestFactory
    Stream<DynamicNode> namedSuite() {
        List<String> columns = new ArrayList<>(Backends.all().stream().map(SharedMemoryBackend::name).toList());
        columns.add(QtReferenceWorker.IMPL);
        return columns.stream().map(column -> DynamicContainer.dynamicContainer(column,
                NamedSuite.all().stream().map(s -> DynamicTest.dynamicTest(s.id() + ": " + s.title(), () -> check(s, column)))));
    }

    private static void check(Scenario scenario, String column) throws InterruptedException {
        ScenarioResult result = suite.run(scenario, column);
        if (result.verdict() == Verdict.NOT_AVAILABLE) {
            Assumptions.abort("NOT-AVAILABLE-HERE: " + result.reason());
        }
        String evidence = result.properties().stream().map(NamedSuiteTest::describe).collect(Collectors.joining("\n"))
                + "\nhistory: target/shmconform-report/" + result.historyFile() + "\nnotes: " + result.notes();
        assertTrue(result.verdict().expected() && result.verdict() != Verdict.UNKNOWN, evidence);
    }

    private static String describe(PropertyResult r) {
        return r.property() + " " + r.verdict() + (r.why() == null ? "" : ": " + r.why())
                + (r.eventIndex() == null ? "" : " (history line " + r.eventIndex() + ")");
    }
}
