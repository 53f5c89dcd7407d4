package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.worker.WorkerMain;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.WorkerPool;
import org.shmconform.engine.ScheduleRunner;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.state.PrivateDirectory;
import org.shmconform.history.ReportLayout;

/**
 * The named suite on pooled workers (the default of {@code run}; {@code --fresh-workers} turns it off): a
 * column's scenarios are served by the processes that served its previous scenarios, each is judged exactly as
 * on fresh processes; the next Java column's scenarios borrow them (one Java worker program serves every Java column), and
 * they are ended once a column of another program (the Qt worker) starts.
 */
class PooledSuiteTest {
    private static final List<String> SCENARIOS = List.of("data-shared", "lock-excludes", "lock-holder-killed", "last-detach-creator-last");
    private Path reports;

    @BeforeEach
    void reportFolder() throws Exception {
        reports = Files.createTempDirectory(Path.of("target"), "pooled-suite-").toAbsolutePath();
    }

    @AfterEach
    void removeReports() {
        PrivateDirectory.deleteTree(reports); // no link followed, nothing outside the folder
    }

    @Test
    void aColumnsScenariosReuseItsWorkersAndAreJudgedAsOnFreshOnes() throws Exception {
        for (String column : List.of("sysv", "posix")) {
            var here = Subjects.here().availability(column);
            Assumptions.assumeTrue(here.available(), () -> column + ": NOT_AVAILABLE " + here.reason());
        }
        List<String> fresh;
        try (RunContext run = RunContext.create()) {
            fresh = verdicts(suite(run, false, "fresh"), "sysv");
        }
        try (RunContext run = RunContext.create()) {
            SuiteRunner pooled = suite(run, true, "pooled");
            assertEquals(fresh, verdicts(pooled, "sysv"), "the same scenarios on reused workers get the same verdicts");
            assertTrue(run.workerPool().stats().reused() >= 3,
                    "later scenarios were served by earlier ones' processes: " + run.workerPool().stats());
            assertFalse(workersOf("sysv").isEmpty(), "the column's clean workers wait in the pool for its next scenario");

            // Counted so that a spare the sysv scenarios' kill started in the background, whenever it starts, changes
            // nothing: the posix scenario waits for no start, and its two workers are processes the pool held already.
            WorkerPool.Stats before = run.workerPool().stats();
            pooled.run(NamedSuite.named("data-shared").orElseThrow(), "posix");
            WorkerPool.Stats after = run.workerPool().stats();
            assertEquals(before.started() - before.spares(), after.started() - after.spares(),
                    "the posix scenario waited for no worker's start: " + before + " then " + after);
            assertEquals(2, after.reused() + after.fromSpares() - before.reused() - before.fromSpares(),
                    "its two workers are processes the sysv scenarios' pool held: " + before + " then " + after);
            assertFalse(workersOf("sysv").isEmpty(), "started for sysv, they wait in the pool for the next Java column");

            var qt = Subjects.here().availability("qt");
            Assumptions.assumeTrue(qt.available(), () -> "qt: NOT_AVAILABLE " + qt.reason());
            pooled.run(NamedSuite.named("data-shared").orElseThrow(), "qt");
            assertEquals(Set.of(), javaWorkers(), "a column of another program ended every idle Java worker");
        }
        assertEquals(Set.of(), javaWorkers(), "closing the run ended every pooled worker");
    }

    private SuiteRunner suite(RunContext run, boolean reuse, String folder) {
        ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        return new SuiteRunner(reuse ? runner.reusingWorkers() : runner, ReportLayout.at(reports.resolve(folder)),
                SuiteRunner.Progress.NONE);
    }

    private static List<String> verdicts(SuiteRunner suite, String column) throws InterruptedException {
        StringBuilder broken = new StringBuilder();
        List<String> verdicts = new java.util.ArrayList<>();
        for (String id : SCENARIOS) {
            ScenarioResult r = suite.run(NamedSuite.named(id).orElseThrow(), column);
            if (r.reason() != null) {
                broken.append(id).append(": ").append(r.reason()).append('\n');
            }
            for (PropertyResult p : r.properties()) {
                verdicts.add(id + " " + p.property() + " " + p.verdict());
            }
        }
        assertEquals("", broken.toString(), "every scenario ran");
        return verdicts;
    }

    /** This JVM's live Java worker processes, whatever column they serve. */
    private static Set<Long> javaWorkers() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> java.util.Arrays.asList(a).contains(WorkerMain.class.getName())).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** This JVM's live worker processes started for a Java column (the column is the worker command's last argument). */
    private static Set<Long> workersOf(String column) {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> a.length > 0 && a[a.length - 1].equals(column)).orElse(false))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}
