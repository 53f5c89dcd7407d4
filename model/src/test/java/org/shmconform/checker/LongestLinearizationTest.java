package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.shmconform.model.ModelOp;
import org.shmconform.model.Profile;
import org.shmconform.model.Property;

/**
 * The longest linearization a violation comes with (Porcupine's view): the ops placed in order with the
 * state after each, and the op(s) that could not be placed next, the blamed one first.
 */
class LongestLinearizationTest {

    /** Two workers both acquire the lock, one after the other: the second lock cannot follow the first. */
    @Test
    void twoWorkersAcquiringTheLockStopAfterTheFirstLock() {
        List<CheckedOp> ops = List.of(
                op(0, call("A", "create", "k", 64L), 0, 10, 0),
                op(1, call("B", "attach", "k", null), 20, 30, 2),
                op(2, call("A", "lock", null, null), 40, 50, 4),
                op(3, call("B", "lock", null, null), 60, 70, 6));
        CheckResult r = LinearizabilityChecker.check(Profile.DOCUMENTED, ops);
        assertEquals(CheckResult.Status.VIOLATION, r.status());
        assertEquals(Property.LOCK_EXCLUSIVE, r.violated());
        Linearization l = r.linearization();
        assertEquals("nothing exists", l.initialState());
        assertEquals(List.of(0, 2, 4), l.steps().stream().map(Linearization.Step::eventIndex).toList());
        assertEquals(List.of("A", "B", "A"), l.steps().stream().map(Linearization.Step::process).toList());
        assertEquals("segment k 64 B, attached A; A: key k, attached", l.steps().get(0).state());
        assertTrue(l.steps().get(1).state().contains("attached A B"), l.steps().get(1).state());
        assertTrue(l.steps().get(2).state().contains("lock k held by A"), l.steps().get(2).state());
        assertTrue(l.steps().get(2).state().contains("A: key k, attached, locked"), l.steps().get(2).state());
        assertEquals(List.of(new Linearization.Unplaced(6, "B", "B lock returned true", r.why())), l.unplaced());
        assertEquals(r.eventIndex(), l.unplaced().get(0).eventIndex());
    }

    /** Two locks that overlap each other after a third: neither can go next, both are named, the one that returned first blamed. */
    @Test
    void everyOpThatCouldNotGoNextIsNamedTheBlamedOneFirst() {
        List<CheckedOp> ops = List.of(
                op(0, call("A", "create", "k", 64L), 0, 10, 0),
                op(1, call("B", "attach", "k", null), 20, 30, 2),
                op(2, call("C", "attach", "k", null), 40, 50, 4),
                op(3, call("A", "lock", null, null), 60, 70, 6),
                op(4, call("C", "lock", null, null), 80, 120, 9),
                op(5, call("B", "lock", null, null), 81, 110, 8));
        CheckResult r = LinearizabilityChecker.check(Profile.DOCUMENTED, ops);
        assertEquals(CheckResult.Status.VIOLATION, r.status());
        assertEquals(8, r.eventIndex());
        Linearization l = r.linearization();
        assertEquals(List.of(0, 2, 4, 6), l.steps().stream().map(Linearization.Step::eventIndex).toList());
        assertEquals(List.of(8, 9), l.unplaced().stream().map(Linearization.Unplaced::eventIndex).toList());
    }

    /**
     * The prefix kept is the furthest-reaching one, not the first tried: writing 2 then 1 explains one op
     * less than writing 1 then 2, which explains the read of 2 and stops at the read of 1.
     */
    @Test
    void theLongestPrefixIsKeptNotTheFirstTried() {
        ToyRegisterTest.Registers registers = new ToyRegisterTest.Registers(false);
        List<Operation<ToyRegisterTest.RegOp>> ops = List.of(
                new Operation<>(0, "B", new ToyRegisterTest.RegOp("x", true, 2), 0, 100, false, 1),
                new Operation<>(1, "A", new ToyRegisterTest.RegOp("x", true, 1), 0, 100, false, 0),
                new Operation<>(2, "C", new ToyRegisterTest.RegOp("x", false, 2), 110, 120, false, 2),
                new Operation<>(3, "C", new ToyRegisterTest.RegOp("x", false, 1), 130, 140, false, 3));
        CheckResult r = LinearizabilityChecker.check(registers, ops);
        assertEquals(CheckResult.Status.VIOLATION, r.status());
        Linearization l = r.linearization();
        assertEquals("{}", l.initialState());
        assertEquals(List.of(new Linearization.Step(0, "A", "write x=1", "{x=1}"), new Linearization.Step(1, "B", "write x=2", "{x=2}"),
                new Linearization.Step(2, "C", "read x=2", "{x=2}")), l.steps());
        assertEquals(List.of(new Linearization.Unplaced(3, "C", "read x=1", "read 1 from x holding 2")), l.unplaced());
    }

    /** A legal history has no prefix to show; an indeterminate op left out is not a step. */
    @Test
    void onlyViolationsCarryALinearizationAndLeftOutOpsAreNoSteps() {
        ToyRegisterTest.Registers registers = new ToyRegisterTest.Registers(false);
        assertNull(LinearizabilityChecker.check(registers, List.of(
                new Operation<>(0, "A", new ToyRegisterTest.RegOp("x", true, 1), 0, 10, false, 0))).linearization());
        CheckResult r = LinearizabilityChecker.check(registers, List.of(
                new Operation<>(0, "A", new ToyRegisterTest.RegOp("x", true, 5), 0, Long.MAX_VALUE, true, 0),
                new Operation<>(1, "B", new ToyRegisterTest.RegOp("x", false, 0), 10, 20, false, 1),
                new Operation<>(2, "B", new ToyRegisterTest.RegOp("x", false, 7), 30, 40, false, 2)));
        assertEquals(CheckResult.Status.VIOLATION, r.status());
        assertEquals(List.of(1), r.linearization().steps().stream().map(Linearization.Step::eventIndex).toList());
        assertEquals(2, r.linearization().unplaced().get(0).eventIndex());
    }

    /** The verdicts carry the search's linearization on the property blamed: the declared one for a FAIL, the documented one for a DEVIATES. */
    @Test
    void theBlamedPropertyCarriesTheLinearizationOfTheProfileThatRejectedTheHistory() {
        Linearization documentedPrefix = new Linearization("nothing exists", List.of(), List.of(new Linearization.Unplaced(6, "B", "B lock", "why")));
        Linearization declaredPrefix = new Linearization("nothing exists", List.of(), List.of(new Linearization.Unplaced(4, "B", "B lock", "why")));
        CheckResult documented = new CheckResult(CheckResult.Status.VIOLATION, Property.LOCK_EXCLUSIVE, "doc", 6, new TreeSet<>(), documentedPrefix);
        CheckResult declared = new CheckResult(CheckResult.Status.VIOLATION, Property.LOCK_EXCLUSIVE, "decl", 4, new TreeSet<>(), declaredPrefix);
        CheckResult legal = new CheckResult(CheckResult.Status.LINEARIZABLE, null, null, null, new TreeSet<>());

        PropertyResult fail = ScheduleChecker.results(List.of(Property.LOCK_EXCLUSIVE), both(documented, declared), false).get(0);
        assertEquals(Verdict.FAIL, fail.verdict());
        assertSame(declaredPrefix, fail.linearization());

        PropertyResult deviates = ScheduleChecker.results(List.of(Property.LOCK_EXCLUSIVE), both(documented, legal), false).get(0);
        assertEquals(Verdict.DEVIATES, deviates.verdict());
        assertSame(documentedPrefix, deviates.linearization());

        assertNull(ScheduleChecker.results(List.of(Property.LOCK_EXCLUSIVE), both(legal, legal), false).get(0).linearization());
    }

    private static Checker.Judgement both(CheckResult documented, CheckResult declared) {
        return new Checker.Judgement(Verdict.PASS, null, null, Map.of(
                ScheduleChecker.DOCUMENTED, new Checker.Judgement(Verdict.PASS, null, documented, Map.of()),
                ScheduleChecker.DECLARED, new Checker.Judgement(Verdict.PASS, null, declared, Map.of())));
    }

    private static CheckedOp op(int id, ModelOp op, long call, long ret, int invokeIndex) {
        return new CheckedOp(id, op, call, ret, false, invokeIndex);
    }

    private static ModelOp call(String p, String f, String key, Long size) {
        return HistoryGenerator.call(p, f, key, size, key == null ? null : "ReadWrite", null, null, null);
    }
}
