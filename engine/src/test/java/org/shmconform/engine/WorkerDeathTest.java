package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which SIGBUS deaths are a full tmpfs's, not the backend's (FullTmpfsSigbusTest runs the real one). */
class WorkerDeathTest {
    private static final int SIGBUS = 128 + 7;

    @Test
    void aSigbusWithLessRoomThanTheLargestPageIsTheFullTmpfs() {
        assertTrue(WorkerDeath.noRoomForAPage(SIGBUS, 0L));
        assertTrue(WorkerDeath.noRoomForAPage(SIGBUS, 4096L), "room for a small page, not for a huge one the mount may give");
        assertFalse(WorkerDeath.noRoomForAPage(SIGBUS, WorkerDeath.LARGEST_TMPFS_PAGE), "room for any page: the fault is the model's to judge");
    }

    @Test
    void anotherDeathOrNoWordOfTheRoomIsLeftToTheModel() {
        assertFalse(WorkerDeath.noRoomForAPage(128 + 11, 0L), "a SIGSEGV is no tmpfs's");
        assertFalse(WorkerDeath.noRoomForAPage(SIGBUS, null), "a worker that said nothing (a JVM's, past a truncated end)");
        assertFalse(WorkerDeath.noRoomForAPage(null, 0L));
    }
}
