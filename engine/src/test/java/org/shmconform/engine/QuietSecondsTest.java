package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A whole second is quiet only inside one ended stretch, after the second of its start and ending no later than its end,
 * both read on the kernel's coarse clock, which dates a set's change ({@link QuietSeconds}).
 */
class QuietSecondsTest {
    @Test
    void onlyAWholeSecondAfterAStretchsStartAndNoLaterThanItsEndIsQuiet() {
        AtomicLong now = new AtomicLong();
        QuietSeconds quiet = new QuietSeconds(now::get);
        now.set(10_000); // a stretch read at 10.000 s: a change a moment before it is in second 10 or earlier
        quiet.now(true);
        now.set(12_500);
        quiet.now(true); // still quiet: the stretch goes on
        now.set(13_000); // read before a request at 13.000 s: a change after it is dated in second 13 or later
        quiet.now(false);
        assertFalse(quiet.wholeSecondQuiet(10), "second 10 is the stretch's reading's: a change before it may be in it");
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

    /** A change a moment after a stretch's end is dated in its reading's second: that second is not quiet. */
    @Test
    void aSecondTheStretchEndsInIsNotQuiet() {
        AtomicLong now = new AtomicLong(9_999);
        QuietSeconds quiet = new QuietSeconds(now::get);
        quiet.now(true);
        now.set(11_999);
        quiet.now(false);
        assertTrue(quiet.wholeSecondQuiet(10), "second 10 lies after 9.999 s and ends before 11.999 s");
        assertFalse(quiet.wholeSecondQuiet(11), "a change at 11.999 s, after the end's reading, is dated 11");
        assertFalse(new QuietSeconds(now::get).wholeSecondQuiet(10), "nothing ended, nothing quiet");
    }
}
