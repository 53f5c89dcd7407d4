package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * What a fuzz failure or difference from the documentation says about its shrinking: a failure that never failed again
 * cannot be shrunk (the shrinker keeps a candidate only while it still fails), so it is reported with the schedule as it
 * ran, never as "shrunk 25 -> -1 steps: null" (what `run` printed for qt68-sysv-safe seed 42 before this).
 */
class FailureSummaryTest {
    private static final Path ORIGINAL = Path.of("fuzz/qt68-sysv-safe/seed-42/original.schedule.json");
    private static final Path SHRUNK = Path.of("fuzz/qt68-sysv-safe/seed-42/shrunk.schedule.json");

    @Test
    void aFailureThatDidNotFailAgainIsReportedAsItRan() {
        FuzzResult.Failure once = new FuzzResult.Failure(42, "ATTACH-EXISTING", "attach returned false", 0, 3, 25, 3, 1, -1, -1, -1,
                null, 3, false, ORIGINAL, null, null, null);
        assertFalse(once.shrunk());
        assertEquals("not shrunk (it did not fail again): 25 steps, 3 workers, 1 kills as it ran", once.shrinkSummary());
        assertEquals(ORIGINAL, once.replayFile());
        assertEquals("not reproduced 0/3", once.rate());
    }

    @Test
    void aShrunkFailureSaysFromHowManyStepsToHowMany() {
        FuzzResult.Failure shrunk = new FuzzResult.Failure(23, "LOCK-EXCLUSIVE", "attach() never returned", 3, 3, 18, 3, 0, 4, 2, 0,
                "attach() never returned", 33, false, ORIGINAL, null, SHRUNK, null);
        assertTrue(shrunk.shrunk());
        assertEquals("shrunk 18 -> 4 steps, 2 workers, 0 kills", shrunk.shrinkSummary());
        assertEquals(SHRUNK, shrunk.replayFile());
    }

    /** The same for a difference from the documentation: `fuzz -b qt` printed "shrunk 17 -> -1 steps" for seed 2010419. */
    @Test
    void aDifferenceThatDidNotDifferAgainIsReportedAsItRan() {
        FuzzResult.Difference once = new FuzzResult.Difference(2010419, "ATTACH-EXISTING", "attach returned false (KeyError)", 575.8,
                10420, 17, -1, ORIGINAL, null);
        assertEquals("not shrunk (it did not differ again): 17 steps as it ran: " + ORIGINAL, once.shrinkSummary());
        FuzzResult.Difference shrunk = new FuzzResult.Difference(2000008, "LOCK-EXCLUSIVE", "B acquired the lock while A held it", 1.9,
                9, 19, 4, ORIGINAL, SHRUNK);
        assertEquals("shrunk 19 -> 4 steps: " + SHRUNK, shrunk.shrinkSummary());
    }
}
