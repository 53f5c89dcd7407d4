package org.shmconform.backends.sysv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.CoarseClock;
import org.shmconform.backends.linux.LibC;

/**
 * The kernel dates a set's change ({@code sem_ctime}) no later than the wall clock after it, and no earlier than the wall
 * clock before it less {@link CoarseClock#lagBoundMillis}: SETVALs across two second boundaries, each checked. Without the
 * lag (0) a SETVAL in a second's first milliseconds is dated in the second before (measured: 1 ms in, 8 of 8).
 */
class CoarseClockTest {
    @Test
    void aSetsChangeTimeLagsTheWallClockByNoMoreThanTheBound() throws Exception {
        long lag = CoarseClock.lagBoundMillis();
        assertTrue(lag >= 1 && lag <= 10, "a tick is 1 to 10 ms: " + lag);
        int id = LibC.INSTANCE.semget(0 /* IPC_PRIVATE */, 1, 0600 | LibC.IPC_CREAT);
        assertTrue(id >= 0, "semget");
        try {
            long end = (System.currentTimeMillis() / 1000 + 2) * 1000 + 50; // two boundaries crossed
            int early = 0;
            while (System.currentTimeMillis() < end) {
                long before = System.currentTimeMillis();
                assertTrue(LibC.INSTANCE.semctl(id, 0, LibC.SETVAL, 1) == 0, "SETVAL");
                long after = System.currentTimeMillis();
                long ctime = SysVObjects.semaphoreSets().stream().filter(s -> s.id() == id).findFirst().orElseThrow().ctime();
                assertTrue(ctime <= after / 1000, "dated no later than the wall clock after it: " + ctime + " at " + after);
                assertTrue(ctime >= (before - lag) / 1000, "dated no earlier than " + lag + " ms before it: " + ctime + " at " + before);
                early += ctime < before / 1000 ? 1 : 0;
            }
            System.out.println("SETVALs dated in the second before the wall clock's: " + early);
        } finally {
            LibC.INSTANCE.semctl(id, 0, LibC.IPC_RMID);
        }
    }
}
