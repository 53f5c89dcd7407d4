package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.history.Execution;
import org.shmconform.model.Property;

/**
 * What the engine's closing notes mean to the checker: "blocked" (kernel-confirmed) is a BLOCKED op
 * the model judges, whatever the op; "timeout" is indeterminate and a problem; an execution with
 * problems is UNKNOWN unless its history already proves a violation of the declared profile.
 */
class BlockedAndProblemsTest {
    private static PropertyResult result(Execution x, String impl, Property p) {
        return ScheduleChecker.check(x, impl, List.of(p), Decl.INSTANCE).results().stream()
                .filter(r -> r.property().equals(p.id())).findFirst().orElseThrow();
    }

    private static Execution withProblems(Execution x, String... problems) {
        return new Execution(x.scheduleName(), x.keyPrefix(), x.history(), x.workers(), x.notes(), List.of(problems));
    }

    @Test
    void aCreateBlockedWhileAnotherProcessHoldsTheLockIsLegal() {
        // Qt 6.4's create() takes the segment's lock internally.
        Histories h = new Histories("sysv", "A", "B").invokeCreate("A", 64).ok("A", "create").invoke("A", "lock").ok("A", "lock")
                .invokeCreate("B", 64).info("B", "create", "blocked");
        PropertyResult r = result(h.execution(), "sysv", Property.LOCK_EXCLUSIVE);
        assertEquals(Verdict.PASS, r.verdict(), r.toString());
        assertTrue(r.observations().stream().anyMatch(o -> o.contains("create() waited on the lock")), r.observations().toString());
    }

    @Test
    void aCreateBlockedWhileNobodyHoldsTheLockIsAHang() {
        Histories h = new Histories("sysv", "A", "B").invokeCreate("A", 64).ok("A", "create")
                .invokeCreate("B", 64).info("B", "create", "blocked");
        assertEquals(Verdict.FAIL, result(h.execution(), "sysv", Property.LOCK_EXCLUSIVE).verdict());
    }

    @Test
    void aBlockedReadIsNeverLegal() {
        Histories h = new Histories("sysv", "A", "B").invokeCreate("A", 64).ok("A", "create").invoke("A", "lock").ok("A", "lock")
                .invokeRead("A", 4).info("A", "read", "blocked");
        assertEquals(Verdict.FAIL, result(h.execution(), "sysv", Property.API_CONTRACT).verdict());
    }

    @Test
    void aTimeoutIsIndeterminateAndMakesAPassUnknown() {
        Histories h = new Histories("sysv", "A", "B").invokeCreate("A", 64).ok("A", "create").invokeAttach("B")
                .info("B", "attach", "timeout");
        PropertyResult r = result(h.execution(), "sysv", Property.ATTACH_EXISTING);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
        assertTrue(r.why().contains(Execution.deadlinePassed("B", "attach")), r.why());
    }

    @Test
    void problemsMakePassUnknownWithTheReason() {
        Histories h = new Histories("sysv", "A", "B").invokeCreate("A", 64).ok("A", "create").invokeAttach("B").ok("B", "attach");
        assertEquals(Verdict.PASS, result(h.execution(), "sysv", Property.ATTACH_EXISTING).verdict());
        PropertyResult r = result(withProblems(h.execution(), "step 5 (read by B) not performed: B was already gone"), "sysv",
                Property.ATTACH_EXISTING);
        assertEquals(Verdict.UNKNOWN, r.verdict());
        assertEquals("harness: step 5 (read by B) not performed: B was already gone", r.why());
    }

    @Test
    void problemsMakeDeviatesUnknown() {
        Histories memfd = new Histories("memfd", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").kill("A").invokeCreate("B", 64).ok("B", "create");
        assertEquals(Verdict.DEVIATES, result(memfd.execution(), "memfd", Property.CRASH_SURVIVES).verdict());
        assertEquals(Verdict.UNKNOWN, result(withProblems(memfd.execution(), "x"), "memfd", Property.CRASH_SURVIVES).verdict());
    }

    @Test
    void aDeclaredViolationStaysFailWhateverDidNotRun() {
        Histories sysv = new Histories("sysv", "A", "B")
                .invokeCreate("A", 64).ok("A", "create").kill("A").invokeCreate("B", 64).ok("B", "create");
        assertEquals(Verdict.FAIL, result(withProblems(sysv.execution(), "step 9 (detach by B) not performed"), "sysv",
                Property.CRASH_SURVIVES).verdict());
    }

    /** A history that met another program's object at one of its keys proves nothing against the subject, a FAIL included. */
    @Test
    void aViolationInAHistoryThatMetAForeignObjectIsUnknown() {
        Histories sysv = new Histories("sysv", "A", "B").invokeCreate("A", 64).fail("A", "create", "AlreadyExists");
        assertEquals(Verdict.FAIL, result(sysv.execution(), "sysv", Property.CREATE_SIZE).verdict());
        String met = Execution.FOREIGN_OBJECT + "the System V segment 7 (key 0x5100e0f6) has the ftok key of key file /x/qipc_sharedmemory_k";
        PropertyResult r = result(withProblems(sysv.execution(), met), "sysv", Property.CREATE_SIZE);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
        assertEquals("harness: " + met, r.why());
    }

    /** A worker ended by another hand (an OOM kill) may have done what the others saw after: no verdict, a FAIL included. */
    @Test
    void aViolationInAHistoryWhereAWorkerEndedFromOutsideIsUnknown() {
        Histories sysv = new Histories("sysv", "A", "B").invokeCreate("A", 64).ok("A", "create").invoke("A", "lock").ok("A", "lock")
                .invokeAttach("B").ok("B", "attach").invoke("B", "lock").ok("B", "lock");
        assertEquals(Verdict.FAIL, result(sysv.execution(), "sysv", Property.LOCK_EXCLUSIVE).verdict(),
                result(sysv.execution(), "sysv", Property.LOCK_EXCLUSIVE).toString());
        String ended = Execution.ENDED_FROM_OUTSIDE + "A ended between its steps with signal 9 (SIGKILL)";
        PropertyResult r = result(withProblems(sysv.execution(), ended), "sysv", Property.LOCK_EXCLUSIVE);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
        assertEquals("harness: " + ended, r.why());
    }

    /**
     * A backend that gave up a wait it bounds by a clock (the memfd claim's 2 s) answered by time: its FAIL is UNKNOWN, as
     * 01bedad meant (the problem made PASS UNKNOWN but left a FAIL standing).
     */
    @Test
    void aViolationInAHistoryWhereABackendGaveUpAWaitByAClockIsUnknown() {
        Histories sysv = new Histories("sysv", "A", "B").invokeCreate("A", 64).fail("A", "create", "AlreadyExists");
        assertEquals(Verdict.FAIL, result(sysv.execution(), "sysv", Property.CREATE_SIZE).verdict());
        String gaveUp = Execution.GAVE_UP_WAITING + "A's create: the claim on the name was held past 2 s";
        PropertyResult r = result(withProblems(sysv.execution(), gaveUp), "sysv", Property.CREATE_SIZE);
        assertEquals(Verdict.UNKNOWN, r.verdict(), r.toString());
        assertEquals("harness: " + gaveUp, r.why());
    }
}
