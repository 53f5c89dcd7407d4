package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;

/**
 * Within the default budget, the fuzzer finds on its own that Qt 6.4 loses mutual exclusion when
 * another object's create()/attach() re-initialises the held lock's semaphore
 * ({@code lock-survives-failed-create}): legal as Qt 6.4 declares, a difference from the documentation.
 */
class QtDifferenceFuzzIT {
    @Test
    void theQtColumnsLockSurvivesFailedCreateDifferenceIsFound() throws Exception {
        if (!Subjects.here().availability("qt").available()) {
            throw new org.opentest4j.TestAbortedException("qt NOT_AVAILABLE: " + Subjects.here().availability("qt").reason());
        }
        Path out = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "qt-difference-").toAbsolutePath();
        FuzzResult r;
        try (RunContext run = RunContext.create()) {
            // The search keeps the default budget (the "within the default budget"); the shrink keeps the default's
            // 80 runs, with no deadline that a busy machine could reach first and leave a longer schedule.
            Shrinker.Budget shrink = new Shrinker.Budget(Shrinker.Budget.defaults().maxRuns(), Duration.ofMinutes(30),
                    Shrinker.Budget.defaults().k());
            r = FuzzCampaign.run(FuzzCampaign.Options.of("qt").outDir(out).shrink(shrink), run, System.out::println, t -> { });
        }
        List<FuzzResult.Difference> lock = r.coverage().differences().stream()
                .filter(d -> d.property().equals("LOCK-EXCLUSIVE")).toList();
        assertTrue(!lock.isEmpty(), "not found in " + r.schedulesRun() + " schedules: " + r.coverage());
        FuzzResult.Difference d = lock.get(0);
        assertNotNull(d.shrunkFile(), d.toString());
        Schedule shrunk = Schedule.load(d.shrunkFile(), Subjects.here().vocabulary());
        assertTrue(shrunk.steps().size() <= 6, shrunk.toString());
        System.out.printf("qt: LOCK-EXCLUSIVE difference found after %.1f s, %d schedules; shrunk %d -> %d steps: %s%n",
                d.secondsToFind(), d.schedulesToFind(), d.originalSteps(), d.shrunkSteps(), shrunk.steps());
    }
}
