package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.shmconform.history.Execution;
import org.shmconform.history.History;
import org.shmconform.model.Property;

/** Checkers one by one, and composed as {@link ScheduleChecker} composes them. */
class CheckerCompositionTest {
    private static Execution withLeftovers(Execution x, String... leftovers) {
        return new Execution(x.scheduleName(), x.keyPrefix(), x.history(), x.workers(), x.notes(), x.problems(), List.of(leftovers));
    }

    private static Histories memfdCrash() {
        return new Histories("memfd", "A", "B").invokeCreate("A", 64).ok("A", "create").kill("A").invokeCreate("B", 64).ok("B", "create");
    }

    @Test
    void aCompositionKeepsEveryPartAndIsAsBadAsItsWorst() {
        Map<String, Checker> parts = new LinkedHashMap<>();
        parts.put("fine", x -> Checker.Judgement.pass());
        parts.put("unsure", x -> Checker.Judgement.of(Verdict.UNKNOWN, "could not tell"));
        parts.put("broken", x -> Checker.Judgement.of(Verdict.FAIL, "two holders"));
        Checker.Judgement j = Checker.compose(parts).check(new Histories("sysv", "A").execution());
        assertEquals(Verdict.FAIL, j.verdict());
        assertEquals(List.of("fine", "unsure", "broken"), List.copyOf(j.parts().keySet()));
        assertEquals("unsure: could not tell; broken: two holders", j.reason());
        parts.remove("broken");
        assertEquals(Verdict.UNKNOWN, Checker.compose(parts).check(new Histories("sysv", "A").execution()).verdict());
    }

    @Test
    void eachLinearizabilityCheckerJudgesUnderItsOwnProfile() {
        Execution x = memfdCrash().execution();
        Checker.Judgement documented = Linearizable.asDocumented(Decl.INSTANCE, "memfd").check(x);
        assertEquals(Verdict.FAIL, documented.verdict());
        assertTrue(documented.reason().startsWith("CRASH-SURVIVES: "), documented.reason());
        assertEquals(Property.CRASH_SURVIVES, documented.evidence().violated());
        assertEquals(Verdict.PASS, Linearizable.asDeclared(Decl.INSTANCE, "memfd").check(x).verdict());
        assertEquals(Verdict.FAIL, Linearizable.asDeclared(Decl.INSTANCE, "sysv").check(memfdCrashAs("sysv")).verdict());
    }

    private static Execution memfdCrashAs(String impl) {
        return new Histories(impl, "A", "B").invokeCreate("A", 64).ok("A", "create").kill("A").invokeCreate("B", 64).ok("B", "create")
                .execution();
    }

    @Test
    void theScheduleCheckersCompositionNamesItsParts() {
        ScheduleChecker.Outcome o = ScheduleChecker.check(memfdCrash().execution(), "memfd", List.of(Property.CRASH_SURVIVES), Decl.INSTANCE);
        assertEquals(List.of(ScheduleChecker.DOCUMENTED, ScheduleChecker.DECLARED, ScheduleChecker.LEFT_BEHIND, ScheduleChecker.HARNESS),
                List.copyOf(o.checks().parts().keySet()));
        assertEquals(Verdict.FAIL, o.checks().part(ScheduleChecker.DOCUMENTED).verdict());
        assertEquals(Verdict.PASS, o.checks().part(ScheduleChecker.DECLARED).verdict());
        assertEquals(o.documented(), o.checks().part(ScheduleChecker.DOCUMENTED).evidence());
        assertEquals(Verdict.DEVIATES, o.results().get(0).verdict());
    }

    @Test
    void anObjectLeftBehindAddsAFailOfItsOwnAndLeavesThePropertiesAlone() {
        Execution clean = new Histories("sysv", "A", "B").invokeCreate("A", 64).ok("A", "create").invokeAttach("B").ok("B", "attach")
                .execution();
        ScheduleChecker.Outcome before = ScheduleChecker.check(clean, "sysv", List.of(Property.ATTACH_EXISTING), Decl.INSTANCE);
        assertEquals(1, before.results().size());
        assertFalse(before.fails());
        ScheduleChecker.Outcome after = ScheduleChecker.check(withLeftovers(clean, "sysv shm key 0x51001234"), "sysv",
                List.of(Property.ATTACH_EXISTING), Decl.INSTANCE);
        assertEquals(before.results().get(0), after.results().get(0));
        PropertyResult left = after.results().get(1);
        assertEquals(NothingLeftBehind.ID, left.property());
        assertEquals(Verdict.FAIL, left.verdict());
        assertEquals("left behind after the execution: sysv shm key 0x51001234", left.why());
        assertTrue(after.fails());
    }

    @Test
    void harnessHealthAloneDecidesWhenNothingRan() {
        Execution nothing = new Execution("test", "shmcftestab", new History(), Map.of(), List.of(), List.of("worker A did not start"));
        ScheduleChecker.Outcome o = ScheduleChecker.check(nothing, "sysv", List.of(Property.LOCK_EXCLUSIVE), Decl.INSTANCE);
        assertNull(o.documented());
        assertNull(o.declared());
        assertNull(o.checks().part(ScheduleChecker.DOCUMENTED));
        assertEquals(List.of(new PropertyResult("LOCK-EXCLUSIVE", Verdict.UNKNOWN, "harness: worker A did not start", null, List.of())),
                o.results());
        assertEquals(Verdict.UNKNOWN, new HarnessHealth().check(nothing).verdict());
        assertEquals(Verdict.PASS, new HarnessHealth().check(memfdCrash().execution()).verdict());
    }
}
