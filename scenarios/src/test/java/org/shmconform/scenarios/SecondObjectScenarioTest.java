package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.history.ReportLayout;
import org.shmconform.schedule.Schedule;

/**
 * second-object-lock-waits (N1) on real workers, as the suite runs it (pooled): A2, a second object in A's process,
 * locks while A holds the lock; the engine must see it asleep in the kernel's lock wait, and the kill of A ends both.
 * mmapfile-robust's error-checking mutex refused it (EDEADLK: FAIL LOCK-EXCLUSIVE) before its mutex became a normal one.
 */
class SecondObjectScenarioTest {
    private Path reports;

    @BeforeEach
    void reportFolder() throws Exception {
        reports = Files.createTempDirectory(Path.of("target"), "second-object-").toAbsolutePath();
    }

    @AfterEach
    void removeReports() {
        PrivateDirectory.deleteTree(reports);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mmapfile-robust", "sysv", "qt"})
    void theSecondObjectsLockWaitsUntilTheProcessIsKilled(String column) throws Exception {
        var here = Subjects.here().availability(column);
        Assumptions.assumeTrue(here.available(), () -> column + ": NOT_AVAILABLE " + here.reason());
        Scenario scenario = NamedSuite.named("second-object-lock-waits").orElseThrow();
        Schedule s = scenario.scheduleFor(column);
        assertEquals("A", s.workers().get(1).processId(), "A2 lives in A's process");
        assertTrue(s.steps().stream().anyMatch(st -> st.worker().equals("A2") && "lock".equals(st.op()) && st.noWait()));
        try (RunContext run = RunContext.create()) {
            ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                    ScheduleRunner.Timing.defaults()).reusingWorkers();
            ScenarioResult r = new SuiteRunner(runner, ReportLayout.at(reports), SuiteRunner.Progress.NONE).run(scenario, column);
            assertNull(r.reason(), "the scenario ran: every step, the lock confirmed blocked");
            assertEquals(List.of("LOCK-EXCLUSIVE PASS"), r.properties().stream().map(p -> p.property() + " " + p.verdict()).toList(),
                    r.properties().stream().map(PropertyResult::toString).toList().toString());
        }
    }
}
