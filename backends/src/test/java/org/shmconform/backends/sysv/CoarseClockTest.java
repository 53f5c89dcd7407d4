package org.shmconform.backends.sysv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.CoarseClock;
import org.shmconform.backends.linux.LibC;

/**
 * The kernel dates a set's change ({@code sem_ctime}) in the second of a {@link CoarseClock} reading taken after it or
 * earlier, and in the second of one taken before it or later, with no allowance at all: SETVALs across two second
 * boundaries, each checked, whatever else the machine is doing. The wall clock is not so ordered: how many SETVALs it
 * would have put in a later second than the kernel did is printed (a third of the readings after a short sleep lag it
 * by more than the coarse clock's 4 ms resolution on this machine: CoarseClock).
 */
class CoarseClockTest {
    @Test
    void aSetsChangeIsDatedBetweenTheCoarseClocksReadingsAroundIt() throws Exception {
        int id = LibC.INSTANCE.semget(0 /* IPC_PRIVATE */, 1, 0600 | LibC.IPC_CREAT);
        assertTrue(id >= 0, "semget");
        try {
            long end = (CoarseClock.nowMillis() / 1000 + 2) * 1000 + 50; // two boundaries crossed
            int wallClockLater = 0;
            int n = 0;
            while (CoarseClock.nowMillis() < end) {
                long before = CoarseClock.nowMillis();
                long wallBefore = System.currentTimeMillis();
                assertTrue(LibC.INSTANCE.semctl(id, 0, LibC.SETVAL, 1) == 0, "SETVAL");
                long after = CoarseClock.nowMillis();
                long ctime = SysVObjects.semaphoreSets().stream().filter(s -> s.id() == id).findFirst().orElseThrow().ctime();
                assertTrue(ctime <= after / 1000, "dated no later than the coarse clock after it: " + ctime + " at " + after);
                assertTrue(ctime >= before / 1000, "dated no earlier than the coarse clock before it: " + ctime + " at " + before);
                wallClockLater += ctime < wallBefore / 1000 ? 1 : 0;
                n++;
            }
            System.out.println("SETVALs the wall clock before them put in a later second than the kernel: " + wallClockLater + " of " + n);
        } finally {
            LibC.INSTANCE.semctl(id, 0, LibC.IPC_RMID);
        }
    }
}
