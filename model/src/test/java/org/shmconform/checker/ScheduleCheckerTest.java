package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.model.Property;

/**
 * The checker against hand-written histories: legal ones must pass and each kind of illegal one
 * must be blamed on the right property. (The backends used only lend their declared semantics.)
 */
class ScheduleCheckerTest {

    private static Verdict verdictOf(Histories h, String impl, Property p) {
        return ScheduleChecker.check(h.execution(), impl, List.of(p), Decl.INSTANCE).results().stream()
                .filter(r -> r.property().equals(p.id())).findFirst().orElseThrow().verdict();
    }

    @Test
    void sequentialLockHandOffIsLegal() {
        Histories h = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").invokeAttach("B").ok("B", "attach")
                .invoke("A", "lock").ok("A", "lock").invoke("B", "lock")          // B blocks...
                .invokeWrite("A", "x").ok("A", "write").invoke("A", "unlock").ok("A", "unlock")
                .ok("B", "lock")                                                 // ...until A unlocks
                .invokeRead("B", 1).okRead("B", "x");
        assertEquals(Verdict.PASS, verdictOf(h, "sysv", Property.LOCK_EXCLUSIVE));
    }

    @Test
    void twoHoldersAtOnceFailLockExclusion() {
        Histories h = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").invokeAttach("B").ok("B", "attach")
                .invoke("A", "lock").ok("A", "lock").invoke("B", "lock").ok("B", "lock");
        assertEquals(Verdict.FAIL, verdictOf(h, "sysv", Property.LOCK_EXCLUSIVE));
    }

    @Test
    void aStaleReadFailsDataShared() {
        Histories h = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").invokeWrite("A", "new").ok("A", "write")
                .invokeAttach("B").ok("B", "attach").invokeRead("B", 3).okRead("B", "old");
        assertEquals(Verdict.FAIL, verdictOf(h, "sysv", Property.DATA_SHARED));
    }

    @Test
    void attachAfterTheLastDetachFailsLastDetachDestroys() {
        Histories h = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").invoke("A", "detach").ok("A", "detach")
                .invokeAttach("B").ok("B", "attach");
        assertEquals(Verdict.FAIL, verdictOf(h, "sysv", Property.LAST_DETACH_DESTROYS));
    }

    @Test
    void aSegmentGoneAfterACrashDeviatesForMemfdAndFailsForSysV() {
        Histories memfd = new Histories("memfd", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").kill("A").invokeCreate("B", 64).ok("B", "create");
        assertEquals(Verdict.DEVIATES, verdictOf(memfd, "memfd", Property.CRASH_SURVIVES));
        Histories sysv = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").kill("A").invokeCreate("B", 64).ok("B", "create");
        assertEquals(Verdict.FAIL, verdictOf(sysv, "sysv", Property.CRASH_SURVIVES));
    }

    @Test
    void aLockThatStaysHeldAfterItsHolderDiedMatchesOnlyTheBackendThatSaysSo() {
        Histories posix = new Histories("posix", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").invokeAttach("B").ok("B", "attach")
                .invoke("A", "lock").ok("A", "lock").kill("A").invoke("B", "lock").info("B", "lock", "blocked");
        assertEquals(Verdict.PASS, verdictOf(posix, "posix", Property.LOCK_HOLDER_DEATH));
        Histories sysv = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").invokeAttach("B").ok("B", "attach")
                .invoke("A", "lock").ok("A", "lock").kill("A").invoke("B", "lock").info("B", "lock", "blocked");
        assertEquals(Verdict.FAIL, verdictOf(sysv, "sysv", Property.LOCK_HOLDER_DEATH));
    }

    @Test
    void anIndeterminateCreateMayHaveHappenedOrNot() {
        // A was killed while creating: B may find the segment (create took effect) or not.
        Histories found = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).info("A", "create", "killed").invokeAttach("B").ok("B", "attach");
        assertEquals(Verdict.PASS, verdictOf(found, "sysv", Property.ATTACH_EXISTING));
        Histories missing = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).info("A", "create", "killed").invokeAttach("B").fail("B", "attach", "NotFound");
        assertEquals(Verdict.PASS, verdictOf(missing, "sysv", Property.ATTACH_EXISTING));
    }

    @Test
    void aWrongErrorValueFails() {
        Histories h = new Histories("sysv", "A").invokeAttach("A").fail("A", "attach", "KeyError");
        assertEquals(Verdict.FAIL, verdictOf(h, "sysv", Property.ATTACH_EXISTING));
    }
}
