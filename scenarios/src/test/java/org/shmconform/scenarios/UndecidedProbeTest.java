package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.history.ReportLayout;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;
import org.shmconform.spi.Availability;

/**
 * A cell gated by a probe that did not finish (a compiler, a container or an nsenter past its bound) is UNKNOWN, so the
 * run fails and says why; a cell whose capability is missing is NOT_AVAILABLE, which a run may pass with. Before, both
 * were NOT_AVAILABLE: a machine too busy for a probe's bound passed its run with a column or an environment untried.
 */
class UndecidedProbeTest {
    private static final String STUCK = "stuck-env";
    private static final String MISSING = "missing-env";
    private Path reports;

    @BeforeEach
    void reportFolder() throws Exception {
        reports = Files.createTempDirectory(Path.of("target"), "undecided-").toAbsolutePath();
    }

    @AfterEach
    void removeReports() {
        PrivateDirectory.deleteTree(reports);
    }

    @Test
    void aCellWhoseProbeDidNotFinishIsUnknownAndOneWhoseCapabilityIsMissingIsNotAvailable() throws Exception {
        var sysv = Subjects.here().availability("sysv");
        Assumptions.assumeTrue(sysv.available(), () -> "sysv: NOT_AVAILABLE " + sysv.reason());
        Scenario scenario = NamedSuite.named("data-shared").orElseThrow();
        assertEquals(Scenario.Placement.EVERY_ENVIRONMENT, scenario.placement(), "a scenario that runs in every environment");
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment(),
                    STUCK, new ProbedOnly(STUCK, Availability.undecided("nsenter into a holder did not end in 10 s")),
                    MISSING, new ProbedOnly(MISSING, Availability.no("unshare: Operation not permitted"))),
                    ScheduleRunner.Timing.defaults());
            SuiteRunner suite = new SuiteRunner(runner, ReportLayout.at(reports), SuiteRunner.Progress.NONE);

            ScenarioResult stuck = suite.run(scenario, "sysv", STUCK);
            assertEquals(Verdict.UNKNOWN, stuck.verdict(), stuck.toString());
            for (PropertyResult p : stuck.properties()) {
                assertEquals(Verdict.UNKNOWN, p.verdict(), p.toString());
            }
            assertTrue(stuck.reason().contains("did not finish") && stuck.reason().contains("did not end in 10 s"), stuck.reason());

            ScenarioResult missing = suite.run(scenario, "sysv", MISSING);
            assertEquals(Verdict.NOT_AVAILABLE, missing.verdict(), missing.toString());
            assertTrue(missing.reason().contains("unshare: Operation not permitted"), missing.reason());

            // A requirement is a fact no probe decides (root, a partner, what the column reports): it stands, as before.
            Scenario required = new Scenario("needs-a-fact", "a scenario with a requirement", scenario.properties(), scenario.build(),
                    c -> "the column does not report where its objects live", Scenario.Placement.EVERY_ENVIRONMENT, c -> true);
            ScenarioResult fact = suite.run(required, "sysv", STUCK);
            assertEquals(Verdict.NOT_AVAILABLE, fact.verdict(), fact.toString());
            assertEquals("the column does not report where its objects live", fact.reason());

            ScenarioResult local = suite.run(scenario, "sysv", LocalEnvironment.NAME);
            assertFalse(List.of(Verdict.UNKNOWN, Verdict.NOT_AVAILABLE).contains(local.verdict()), local.toString());
        }
    }

    @Test
    void aMissingCapabilityOutweighsAnUndecidedOneInTheSameSchedule() {
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(
                    STUCK, new ProbedOnly(STUCK, Availability.undecided("did not end")),
                    MISSING, new ProbedOnly(MISSING, Availability.no("not here"))), ScheduleRunner.Timing.defaults());
            Schedule both = new Schedule("both", null, List.of(new WorkerSpec("A", "sysv", STUCK, "g1", null),
                    new WorkerSpec("B", "sysv", MISSING, "g2", null)), List.of());

            Availability a = runner.availability(both);

            assertEquals(Availability.State.NOT_AVAILABLE, a.state(), a.toString());
            assertEquals("environment " + MISSING + ": not here", runner.unavailableReason(both));
            Schedule stuckOnly = new Schedule("stuck", null, List.of(new WorkerSpec("A", "sysv", STUCK, "g1", null)), List.of());
            assertEquals(Availability.State.UNDECIDED, runner.availability(stuckOnly).state());
        }
    }

    /** An environment that only answers its probe: any worker start is a failure of the test. */
    private record ProbedOnly(String name, Availability availability) implements Environment {
        @Override
        public Map<String, String> namespaces(String group) {
            return Map.of("ipc", name + "/" + group);
        }

        @Override
        public Map<String, String> describe() {
            return Map.of("environment", name);
        }

        @Override
        public WorkerHandle start(WorkerCommand command, String group) {
            throw new AssertionError("no worker may start in " + name + ", whose probe said " + availability);
        }

        @Override
        public void close() {
        }
    }
}
