package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.checker.Verdict;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.schedule.Steps;
import org.shmconform.schedule.WorkerSpec;

/**
 * FuzzCommand stops on Ctrl-C by throwing from the progress callback: what a schedule's line tells of must be saved
 * before the line is told, or the failure just found is lost (no worker processes: the trials are the test's).
 */
class SavedBeforeItsLineTest {
    private static final Schedule SCHEDULE = new Schedule("fuzz-sysv-5", 5L,
            List.of(WorkerSpec.local("A", "sysv"), WorkerSpec.local("B", "sysv")),
            List.of(Steps.create("A", "k", 64), Steps.lock("A"), Steps.lock("B"), Steps.unlock("A")));

    /** Thrown by the progress callback as FuzzCommand's stop check does. */
    private static final class Stopped extends RuntimeException {
    }

    @Test
    void aFailureIsSavedBeforeItsLineIsTold(@TempDir Path out) {
        assertSavedWhenItsLineStops(out, 5, Verdict.FAIL);
    }

    @Test
    void anUnknownIsSavedBeforeItsLineIsTold(@TempDir Path out) {
        assertSavedWhenItsLineStops(out, 6, Verdict.UNKNOWN);
    }

    /** A schedule judged {@code verdict} whose line stops the campaign: its schedule and history are there all the same. */
    private static void assertSavedWhenItsLineStops(Path out, long seed, Verdict verdict) {
        Findings found = new Findings(FindingsTest.options(out), s -> FindingsTest.trial(s, verdict), line -> {
            throw new Stopped();
        }, () -> true);

        assertThrows(Stopped.class, () -> found.add(seed, "seed " + seed, FindingsTest.trial(SCHEDULE, verdict), " (4 ops)", 1.0, 1));

        assertTrue(Files.exists(out.resolve("seed-" + seed + "/original.schedule.json")), "the " + verdict + " found was lost");
        assertTrue(Files.exists(out.resolve("seed-" + seed + "/original.history.jsonl")));
    }

    /** A stop asked for while shrinking ends the shrink at its next run; the best so far is saved before the line. */
    @Test
    void aStopDuringShrinkingSavesTheBestSoFar(@TempDir Path out) throws Exception {
        int[] runs = {0};
        boolean[] stop = {false};
        Findings found = new Findings(FindingsTest.options(out), s -> {
            runs[0]++;
            stop[0] |= runs[0] == 5; // Ctrl-C during the second candidate (after the 3 re-runs of the original)
            return FindingsTest.trial(s, Verdict.FAIL);
        }, line -> {
            if (stop[0]) {
                throw new Stopped();
            }
        }, () -> stop[0]);

        assertThrows(Stopped.class, () -> found.add(5, "seed 5", FindingsTest.trial(SCHEDULE, Verdict.FAIL), " (4 ops)", 1.0, 1));

        assertEquals(5, runs[0], "the shrink went on after the stop");
        Path shrunk = out.resolve("seed-5/shrunk.schedule.json");
        assertTrue(Files.exists(shrunk), "the shrunk schedule so far was lost");
        assertTrue(Files.exists(out.resolve("seed-5/shrunk.history.jsonl")));
        Schedule back = Schedule.load(shrunk, new ScheduleValidation.Vocabulary(Set.of("sysv"), Set.of("local")));
        assertEquals(List.of(Steps.create("A", "k", 64)), back.steps(), "the best so far: the shortest failing prefix");
    }

    /** The same seed found again on the same column: an earlier campaign's shrunk schedule does not stay beside it. */
    @Test
    void anEarlierCampaignsShrinkOfTheSeedIsRemovedNotFollowed(@TempDir Path out) throws Exception {
        Path seed = Files.createDirectories(out.resolve("seed-6"));
        Path elsewhere = Files.writeString(out.resolve("not-evidence.txt"), "keep me");
        Files.writeString(seed.resolve("shrunk.schedule.json"), "{}");
        Files.createSymbolicLink(seed.resolve("shrunk.history.jsonl"), elsewhere);
        Findings found = new Findings(FindingsTest.options(out), s -> FindingsTest.trial(s, Verdict.UNKNOWN), line -> { }, () -> false);

        found.add(6, "seed 6", FindingsTest.trial(SCHEDULE, Verdict.UNKNOWN), " (4 ops)", 1.0, 1);

        assertTrue(Files.exists(seed.resolve("original.schedule.json")));
        assertTrue(Files.notExists(seed.resolve("shrunk.schedule.json"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "an earlier campaign's shrink stayed beside this run's original");
        assertTrue(Files.notExists(seed.resolve("shrunk.history.jsonl"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep me", Files.readString(elsewhere), "the link was followed");
    }
}
