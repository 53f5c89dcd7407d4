package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which SIGBUS deaths are a full tmpfs's, not the backend's (FullTmpfsSigbusTest runs the real ones). */
class WorkerDeathTest {
    private static final int SIGBUS = 128 + 7;
    private static final long PAGE = 4096;
    private static final long SIZE = 64L << 20;

    @Test
    void aSigbusWithLessRoomThanAPageIsTheFullTmpfs() {
        assertTrue(WorkerDeath.noRoomForAPage(SIGBUS, new WorkerDeath.Room(0, SIZE, PAGE)));
        assertFalse(WorkerDeath.noRoomForAPage(SIGBUS, new WorkerDeath.Room(PAGE, SIZE, PAGE)),
                "room for a page (a tmpfs that cannot charge a huge page gives a small one): the fault is the model's to judge");
    }

    @Test
    void anotherDeathAnUnlimitedTmpfsOrNoWordOfTheRoomIsLeftToTheModel() {
        assertFalse(WorkerDeath.noRoomForAPage(128 + 11, new WorkerDeath.Room(0, SIZE, PAGE)), "a SIGSEGV is no tmpfs's");
        assertFalse(WorkerDeath.noRoomForAPage(SIGBUS, new WorkerDeath.Room(0, 0, PAGE)),
                "a tmpfs with no size limit says 0 free of 0: it has room");
        assertFalse(WorkerDeath.noRoomForAPage(SIGBUS, null), "a worker that said nothing (a JVM's, a System V Qt worker's)");
        assertFalse(WorkerDeath.noRoomForAPage(null, new WorkerDeath.Room(0, SIZE, PAGE)));
    }
}
