package org.shmconform.harness.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.linux.LibC;

/** The pid-based sweep finds System V objects whose key files are gone, and only those of the given pids. */
class ReaperTest {
    private static final LibC C = LibC.INSTANCE;

    @Test
    void removesASemaphoreLastUsedByOneOfTheGivenPidsAndKeepsOthers() {
        int mine = C.semget(0 /* IPC_PRIVATE */, 1, 0600 | LibC.IPC_CREAT);
        assertTrue(mine >= 0, "semget");
        try {
            Memory op = new Memory(6);
            op.setShort(0, (short) 0);
            op.setShort(2, (short) 1);
            op.setShort(4, (short) 0);
            assertEquals(0, C.semop(mine, op, 1), "semop records this process as the last user");
            List<String> notes = new ArrayList<>();
            Reaper.removeSysVTouchedBy(Set.of(Long.MAX_VALUE), notes);
            assertTrue(C.semctl(mine, 0, LibC.GETVAL) >= 0, "a pid that never touched it does not remove it");
            Reaper.removeSysVTouchedBy(Set.of(ProcessHandle.current().pid()), notes);
            assertEquals(-1, C.semctl(mine, 0, LibC.GETVAL), "removed");
            assertTrue(notes.stream().anyMatch(n -> n.contains("id " + mine)), notes.toString());
        } finally {
            C.semctl(mine, 0, LibC.IPC_RMID);
        }
    }
}
