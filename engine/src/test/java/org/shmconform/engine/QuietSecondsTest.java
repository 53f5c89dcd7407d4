package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A whole second is quiet only strictly inside one ended stretch ({@link QuietSeconds}). */
class QuietSecondsTest {
    @Test
    void onlyAWholeSecondAfterAStretchsStartAndNoLaterThanItsEndIsQuiet() {
        AtomicLong now = new AtomicLong();
        QuietSeconds quiet = new QuietSeconds(now::get);
        now.set(10_000); // a stretch read at 10.000 s: a change a moment before it is in second 9, or in 10
        quiet.now(true);
        now.set(12_500);
        quiet.now(true); // still quiet: the stretch goes on
        now.set(13_000); // read before a request at 13.000 s: a change after it is in second 13
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
}
