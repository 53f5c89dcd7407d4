package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.shmconform.harness.engine.env.ContainerSweeper;
import org.shmconform.harness.engine.env.Environment;
import org.shmconform.harness.engine.env.Environments;

/**
 * The named suite through JUnit 5: one dynamic test per environment, column (every backend on the
 * class path plus the Qt 6.4 reference worker) and scenario, so it shows in an IDE and in Surefire reports.
 * A test fails on FAIL or UNKNOWN; a column missing here is aborted with the reason (reported, not
 * silently skipped); DEVIATES (a difference the backend declares) passes.
 */
class NamedSuiteTest {
    private static RunContext run;
    private static SuiteRunner suite;

    private static final Map<String, Environment> ENVIRONMENTS = new LinkedHashMap<>();

    @BeforeAll
    static void startRun() {
        run = RunContext.create();
        for (String name : Environments.names()) {
            ENVIRONMENTS.put(name, Environments.create(name, run.runId()).orElseThrow());
        }
        suite = new SuiteRunner(run, ENVIRONMENTS, ScheduleRunner.Timing.defaults(), Path.of("target", "shmconform-report"),
                SuiteRunner.Progress.NONE);
    }

    @AfterAll
    static void endRun() {
        ENVIRONMENTS.values().forEach(Environment::close);
        ContainerSweeper.removeRun(run.runId());
        run.close();
    }

    /** The same plan as {@code shmconform run}: every column, every environment; grouped by environment, then column. */
    @TestFactory
    Stream<DynamicNode> namedSuite() {
        List<String> columns = new ArrayList<>(Backends.all().stream().map(SharedMemoryBackend::name).toList());
        columns.add(QtReferenceWorker.IMPL);
        List<SuiteRunner.Job> jobs = SuiteRunner.plan(NamedSuite.all(), columns, Environments.names());
        Map<String, Map<String, List<SuiteRunner.Job>>> grouped = jobs.stream().collect(Collectors.groupingBy(SuiteRunner.Job::env,
                LinkedHashMap::new, Collectors.groupingBy(SuiteRunner.Job::column, LinkedHashMap::new, Collectors.toList())));
        return grouped.entrySet().stream().map(env -> DynamicContainer.dynamicContainer(env.getKey(),
                env.getValue().entrySet().stream().map(col -> DynamicContainer.dynamicContainer(col.getKey(),
                        col.getValue().stream().map(job -> DynamicTest.dynamicTest(job.scenario().id() + ": " + job.scenario().title(),
                                () -> check(job)))))));
    }

    private static void check(SuiteRunner.Job job) throws InterruptedException {
        ScenarioResult result = suite.run(job.scenario(), job.column(), job.env());
        if (result.verdict() == Verdict.NOT_AVAILABLE) {
            Assumptions.abort("NOT-AVAILABLE-HERE: " + result.reason());
        }
        String evidence = result.properties().stream().map(NamedSuiteTest::describe).collect(Collectors.joining("\n"))
                + "\nhistory: target/shmconform-report/" + result.historyFile() + "\nnotes: " + result.notes();
        assertTrue(result.verdict().expected(), evidence);
    }

    private static String describe(PropertyResult r) {
        return r.property() + " " + r.verdict() + (r.why() == null ? "" : ": " + r.why())
                + (r.eventIndex() == null ? "" : " (history line " + r.eventIndex() + ")");
    }
}
