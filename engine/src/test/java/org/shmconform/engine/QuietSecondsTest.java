package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A whole second is quiet only inside one ended stretch, ending at least the kernel's coarse-clock lag before the
 * stretch does ({@link QuietSeconds}).
 */
class QuietSecondsTest {
    @Test
    void onlyAWholeSecondAfterAStretchsStartAndNoLaterThanItsEndIsQuiet() {
        AtomicLong now = new AtomicLong();
        QuietSeconds quiet = new QuietSeconds(now::get, 4); // a coarse clock of 4 ms, as on this machine
        now.set(10_000); // a stretch read at 10.000 s: a change a moment before it is in second 9, or in 10
        quiet.now(true);
        now.set(12_500);
        quiet.now(true); // still quiet: the stretch goes on
        now.set(13_004); // read before a request at 13.004 s: a change after it is dated in second 13, coarse clock or not
        quiet.now(false);
        assertFalse(quiet.wholeSecondQuiet(10), "second 10 starts at the stretch's reading: a change may be in it");
        assertTrue(quiet.wholeSecondQuiet(11));
        assertTrue(quiet.wholeSecondQuiet(12), "second 12 ends where the stretch does");
        assertFalse(quiet.wholeSecondQuiet(13));
        assertFalse(quiet.wholeSecondQuiet(9));
        now.set(20_001);
        quiet.now(true);
        now.set(30_000);
        assertFalse(quiet.wholeSecondQuiet(21), "a stretch not yet ended proves nothing");
        quiet.now(false);
        assertTrue(quiet.wholeSecondQuiet(21));
        assertFalse(quiet.wholeSecondQuiet(20));
        assertFalse(quiet.wholeSecondQuiet(15), "between two stretches");
    }

    /** A change just after a stretch's end may be dated a tick early, by the kernel's coarse clock: in the second before. */
    @Test
    void aSecondEndingWithinTheCoarseClocksLagOfTheStretchsEndIsNotQuiet() {
        AtomicLong now = new AtomicLong(10_000);
        QuietSeconds quiet = new QuietSeconds(now::get, 4);
        quiet.now(true);
        now.set(12_003); // a change at 12.003 s may be dated 11 by a coarse clock 4 ms behind
        quiet.now(false);
        assertFalse(quiet.wholeSecondQuiet(11));
        assertFalse(new QuietSeconds(now::get, 4).wholeSecondQuiet(11), "nothing ended, nothing quiet");
        now.set(20_000);
        QuietSeconds exact = new QuietSeconds(now::get, 0);
        exact.now(true);
        now.set(22_000);
        exact.now(false);
        assertTrue(exact.wholeSecondQuiet(21), "with a clock that never lags, a second ending at the stretch's end is quiet");
    }
}
