package org.shmconform.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.shmconform.model.Property;

/**
 * The linearizability search on the smallest model there is: registers that hold an int (0 at
 * first), written and read. Checks the search itself, apart from the segment model: real-time
 * order, overlapping intervals, indeterminate ops, the bound, and partitions.
 */
class ToyRegisterTest {
    /** One op on a register: a write of {@code value}, or a read that returned {@code value}. */
    record RegOp(String register, boolean write, int value) {
    }

    /** Registers by name; with {@code partitioned}, each register's ops are checked on their own. */
    record Registers(boolean partitioned) implements Model<Map<String, Integer>, RegOp> {
        @Override
        public Map<String, Integer> init() {
            return Map.of();
        }

        @Override
        public Transition<Map<String, Integer>> step(Map<String, Integer> state, RegOp op) {
            int held = state.getOrDefault(op.register(), 0);
            if (op.write()) {
                Map<String, Integer> next = new TreeMap<>(state);
                next.put(op.register(), op.value());
                return Transition.to(List.of(Map.copyOf(next)));
            }
            return held == op.value() ? Transition.to(List.of(state))
                    : Transition.illegal(Property.DATA_SHARED, "read " + op.value() + " from " + op.register() + " holding " + held);
        }

        @Override
        public String describeOperation(RegOp op) {
            return (op.write() ? "write " : "read ") + op.register() + "=" + op.value();
        }

        @Override
        public SortedSet<String> observations(Map<String, Integer> state) {
            TreeSet<String> o = new TreeSet<>();
            state.forEach((r, v) -> o.add(r + "=" + v));
            return o;
        }

        @Override
        public List<List<Operation<RegOp>>> partition(List<Operation<RegOp>> ops) {
            if (!partitioned) {
                return List.of(ops);
            }
            Map<String, List<Operation<RegOp>>> parts = new LinkedHashMap<>();
            ops.forEach(o -> parts.computeIfAbsent(o.input().register(), r -> new ArrayList<>()).add(o));
            return List.copyOf(parts.values());
        }
    }

    /** A history under construction: each op gets the next id and invoke index. */
    private static final class History {
        private final List<Operation<RegOp>> ops = new ArrayList<>();

        History op(String process, String register, boolean write, int value, long call, long ret, boolean optional) {
            ops.add(new Operation<>(ops.size(), process, new RegOp(register, write, value), call, ret, optional, ops.size()));
            return this;
        }

        History write(String process, int value, long call, long ret) {
            return op(process, "x", true, value, call, ret, false);
        }

        History read(String process, int value, long call, long ret) {
            return op(process, "x", false, value, call, ret, false);
        }

        CheckResult check() {
            return LinearizabilityChecker.check(new Registers(false), ops);
        }
    }

    @Test
    void readsOverlappingAWriteMaySeeTheOldOrTheNewValue() {
        CheckResult r = new History().write("A", 1, 0, 10).read("B", 0, 2, 8).read("C", 1, 5, 15).check();
        assertEquals(CheckResult.Status.LINEARIZABLE, r.status(), r.toString());
        assertEquals(new TreeSet<>(List.of("x=1")), r.observations());
    }

    @Test
    void aReadAfterAnotherReadSawTheNewValueCannotSeeTheOldOne() {
        // Both reads overlap the write, but the second began after the first had returned 1.
        CheckResult r = new History().write("A", 1, 0, 100).read("B", 1, 10, 20).read("C", 0, 30, 40).check();
        assertEquals(CheckResult.Status.VIOLATION, r.status());
        assertEquals(Property.DATA_SHARED, r.violated());
        assertEquals(2, r.eventIndex());
        assertEquals("read 0 from x holding 1", r.why());
        // Had C's read begun before B's returned, C could go first.
        assertEquals(CheckResult.Status.LINEARIZABLE,
                new History().write("A", 1, 0, 100).read("B", 1, 10, 20).read("C", 0, 15, 40).check().status());
    }

    @Test
    void aReadOfAValueNobodyWroteIsAViolation() {
        CheckResult r = new History().write("A", 1, 0, 10).read("B", 2, 20, 30).check();
        assertEquals(CheckResult.Status.VIOLATION, r.status());
        assertEquals(1, r.eventIndex());
    }

    @Test
    void programOrderHoldsEvenWhenIntervalsWouldAllowOtherwise() {
        // One process's read that was invoked after its own write must see it, whatever the clock says.
        History h = new History().write("A", 1, 0, 50).read("A", 0, 10, 60);
        assertEquals(CheckResult.Status.VIOLATION, h.check().status());
    }

    @Test
    void anIndeterminateWriteMayHaveTakenEffectOrNot() {
        History took = new History().op("A", "x", true, 2, 0, 1_000, true).read("B", 2, 10, 20);
        History didNot = new History().op("A", "x", true, 2, 0, 1_000, true).read("B", 0, 10, 20);
        assertEquals(CheckResult.Status.LINEARIZABLE, took.check().status());
        assertEquals(CheckResult.Status.LINEARIZABLE, didNot.check().status());
        History neither = new History().op("A", "x", true, 2, 0, 1_000, true).read("B", 3, 10, 20);
        assertEquals(CheckResult.Status.VIOLATION, neither.check().status());
    }

    /** n concurrent writes of 1..n, then a read of a value none wrote: every order must be tried before it is a violation. */
    private static History concurrentWritesThenImpossibleRead(int n) {
        History h = new History();
        for (int i = 1; i <= n; i++) {
            h.write("W" + i, i, 0, 100);
        }
        return h.read("R", n + 1, 200, 210);
    }

    @Test
    void pastItsBoundTheSearchSaysUnknownNeverPass() {
        History h = concurrentWritesThenImpossibleRead(8);
        CheckResult bounded = LinearizabilityChecker.check(new Registers(false), h.ops, 50);
        assertEquals(CheckResult.Status.UNKNOWN, bounded.status());
        assertEquals("search bound of 50 states reached", bounded.why());
        // 8 writes make n * 2^(n-1) = 1024 (placed writes, last value) states: within the default bound.
        CheckResult whole = LinearizabilityChecker.check(new Registers(false), h.ops);
        assertEquals(CheckResult.Status.VIOLATION, whole.status());
        assertEquals(8, whole.eventIndex());
    }

    /**
     * Whether the search finds a legal order within its bound must not depend on the order the replies were listed in:
     * 12 concurrent writes and a read of the one invoked last. Searched in list order, the history listed with that
     * write last was LINEARIZABLE at once, and listed with it first was UNKNOWN (bound of 1,000 states reached): a PASS
     * or an UNKNOWN by the order the engine read the replies in.
     */
    @Test
    void theBoundIsReachedOrNotWhateverTheOrderTheRepliesWereListedIn() {
        int n = 12;
        List<Operation<RegOp>> lastWriteListedLast = new ArrayList<>();
        List<Operation<RegOp>> lastWriteListedFirst = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            lastWriteListedLast.add(new Operation<>(i - 1, "W" + i, new RegOp("x", true, i), i, 100, false, i));
        }
        lastWriteListedFirst.add(lastWriteListedLast.get(n - 1));
        lastWriteListedFirst.addAll(lastWriteListedLast.subList(0, n - 1));
        for (List<Operation<RegOp>> listed : List.of(lastWriteListedLast, lastWriteListedFirst)) {
            listed.add(new Operation<>(n, "R", new RegOp("x", false, n), 200, 210, false, n + 1));
        }
        List<Operation<RegOp>> renumbered = new ArrayList<>();
        for (Operation<RegOp> o : lastWriteListedFirst) {
            renumbered.add(new Operation<>(renumbered.size(), o.process(), o.input(), o.call(), o.ret(), o.optional(), o.invokeIndex()));
        }
        CheckResult a = LinearizabilityChecker.check(new Registers(false), lastWriteListedLast, 1_000);
        CheckResult b = LinearizabilityChecker.check(new Registers(false), renumbered, 1_000);
        assertEquals(a.status(), b.status(), a + " / " + b);
    }

    /** Two registers, each with n concurrent writes and an impossible read on y. */
    private static List<Operation<RegOp>> twoRegisters(int n) {
        History h = new History();
        for (int i = 1; i <= n; i++) {
            h.op("X" + i, "x", true, i, 0, 100, false);
            h.op("Y" + i, "y", true, i, 0, 100, false);
        }
        h.op("R", "x", false, n, 200, 210, false);
        h.op("S", "y", false, n + 1, 200, 210, false);
        return h.ops;
    }

    @Test
    void partitionsMakeIndependentRegistersDecidableWithinTheBound() {
        List<Operation<RegOp>> ops = twoRegisters(9);
        // Together: subsets of 18 concurrent writes times two registers' values, past the bound.
        assertEquals(CheckResult.Status.UNKNOWN, LinearizabilityChecker.check(new Registers(false), ops).status());
        CheckResult parted = LinearizabilityChecker.check(new Registers(true), ops);
        assertEquals(CheckResult.Status.VIOLATION, parted.status());
        assertEquals(ops.size() - 1, parted.eventIndex());
        assertTrue(parted.why().startsWith("read 10 from y holding "), parted.why());
    }

    @Test
    void aLegalPartitionedHistoryReportsEveryPartsObservations() {
        History h = new History().op("A", "x", true, 1, 0, 10, false).op("B", "y", true, 2, 0, 10, false)
                .op("C", "x", false, 1, 20, 30, false).op("D", "y", false, 2, 20, 30, false);
        CheckResult r = LinearizabilityChecker.check(new Registers(true), h.ops);
        assertEquals(CheckResult.Status.LINEARIZABLE, r.status());
        assertEquals(new TreeSet<>(List.of("x=1", "y=2")), r.observations());
    }

    @Test
    void aModelsOwnEqualityDecidesTheMemo() {
        // A model whose states all compare equal prunes every second path: an order that needs the
        // other branch is never found, which shows the search asks the model, not Object.equals.
        Registers plain = new Registers(false);
        Model<Map<String, Integer>, RegOp> blind = new Model<>() {
            @Override
            public Map<String, Integer> init() {
                return plain.init();
            }

            @Override
            public Transition<Map<String, Integer>> step(Map<String, Integer> state, RegOp op) {
                return plain.step(state, op);
            }

            @Override
            public boolean equal(Map<String, Integer> a, Map<String, Integer> b) {
                return true;
            }

            @Override
            public int hash(Map<String, Integer> state) {
                return 0;
            }

            @Override
            public String describeOperation(RegOp op) {
                return plain.describeOperation(op);
            }
        };
        // Legal only if B's write goes before A's: the search tries A's first, and the memo then hides B-first.
        History h = new History().write("A", 1, 0, 10).write("B", 2, 0, 10).read("C", 1, 20, 30);
        assertEquals(CheckResult.Status.LINEARIZABLE, LinearizabilityChecker.check(plain, h.ops).status());
        assertTrue(LinearizabilityChecker.check(blind, h.ops).status() != CheckResult.Status.LINEARIZABLE);
    }
}
