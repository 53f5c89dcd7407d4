package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.shmconform.history.Ending;
import org.shmconform.history.Execution;
import org.shmconform.history.Nemesis;
import org.shmconform.model.ModelOp.Outcome;

/** The words engine and checker share ({@link Ending}, {@link Nemesis}), and what HistoryOps makes of them. */
class HistoryOpsTest {
    private static List<CheckedOp> ops(Execution x) {
        return HistoryOps.of(x, Map.of("sysv", Decl.of("sysv")));
    }

    @Test
    void theSpellingsAreThoseOfTheHistoryFiles() throws Exception {
        assertEquals(List.of("killed", "crashed", "timeout", "blocked"), Arrays.stream(Ending.values()).map(Ending::note).toList());
        assertEquals("\"crashed\"", new ObjectMapper().writeValueAsString(Ending.CRASHED));
        assertEquals(Optional.of(Ending.TIMEOUT), Ending.of("timeout"));
        assertEquals(Optional.empty(), Ending.of("stopped by the user"));
        assertEquals("nemesis", Nemesis.PROCESS);
        assertTrue(Nemesis.is("nemesis"));
        assertFalse(Nemesis.is("A"));
    }

    @Test
    void aCrashedOpIsACrashFollowedByTheWorkersDeath() {
        List<CheckedOp> ops = ops(new Histories("sysv", "A").invokeCreate("A", 64).ok("A", "create").invoke("A", "read")
                .info("A", "read", Ending.CRASHED.note()).execution());
        assertEquals(3, ops.size());
        assertEquals(Outcome.CRASH, ops.get(1).op().outcome());
        assertEquals("exit status 137", ops.get(1).op().value());
        assertEquals(Outcome.DEATH, ops.get(2).op().outcome());
        assertEquals(Nemesis.KILL, ops.get(2).op().f());
    }

    @Test
    void aBlockedOpIsJudgedAndAKilledOrTimedOutOneIsIndeterminate() {
        for (Ending e : Ending.values()) {
            List<CheckedOp> ops = ops(new Histories("sysv", "A").invoke("A", "lock").info("A", "lock", e.note()).execution());
            CheckedOp lock = ops.get(0);
            switch (e) {
                case BLOCKED -> {
                    assertEquals(Outcome.BLOCKED, lock.op().outcome());
                    assertFalse(lock.optional());
                }
                case CRASHED -> assertEquals(Outcome.CRASH, lock.op().outcome());
                case KILLED, TIMEOUT -> {
                    assertEquals(Outcome.OK, lock.op().outcome());
                    assertTrue(lock.optional(), e.toString());
                }
            }
        }
    }

    @Test
    void aNemesisKillIsTheDeathOfTheWorkerItNames() {
        List<CheckedOp> ops = ops(new Histories("sysv", "A", "B").invokeCreate("A", 64).ok("A", "create").kill("A").execution());
        assertEquals(2, ops.size());
        assertEquals("A", ops.get(1).op().process());
        assertEquals(Outcome.DEATH, ops.get(1).op().outcome());
    }
}
