package org.shmconform.checker;

import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.shmconform.model.ModelState;
import org.shmconform.model.Profile;
import org.shmconform.model.SegmentModel;

/**
 * Wing–Gong-style search (as Knossos and Porcupine do it): looks for an order of the operations,
 * each placed within its real-time interval and each process's operations in program order, that
 * the model accepts. Indeterminate operations may be placed or left out. The state space is
 * memoised on (placed operations, model state); the search is bounded, and gives UNKNOWN past the bound.
 */
public final class LinearizabilityChecker {
    private static final int MAX_EXPANSIONS = 200_000;

    private final Profile profile;
    private final List<CheckedOp> ops;
    /**
     * For each op, the id of the previous op of the same process (-1 for the first): program order,
     * which is the order of the invokes. (Not the list order: ops are listed as they complete, and an op
     * in flight when its worker was killed may complete, as info, after the kill that ended it.)
     */
    private final int[] previousOfProcess;
    private final Set<Object> seen = new HashSet<>();
    private int expansions;
    private int deepest = -1;
    private CheckResult deepestFailure;
    private ModelState success;

    private LinearizabilityChecker(Profile profile, List<CheckedOp> ops) {
        this.profile = profile;
        this.ops = ops;
        this.previousOfProcess = new int[ops.size()];
        java.util.Map<String, Integer> last = new java.util.HashMap<>();
        List<CheckedOp> byInvoke = new java.util.ArrayList<>(ops);
        byInvoke.sort(java.util.Comparator.comparingInt(CheckedOp::invokeIndex).thenComparingInt(CheckedOp::id));
        for (CheckedOp op : byInvoke) {
            previousOfProcess[op.id()] = last.getOrDefault(op.op().process(), -1);
            last.put(op.op().process(), op.id());
        }
    }

    public static CheckResult check(Profile profile, List<CheckedOp> ops) {
        LinearizabilityChecker c = new LinearizabilityChecker(profile, ops);
        try {
            boolean found = c.search(ModelState.initial(), new BitSet());
            if (found) {
                return new CheckResult(CheckResult.Status.LINEARIZABLE, null, null, null, c.success.observations());
            }
            if (c.expansions >= MAX_EXPANSIONS) {
                return new CheckResult(CheckResult.Status.UNKNOWN, null,
                        "search bound of " + MAX_EXPANSIONS + " states reached", null, new TreeSet<>());
            }
            return c.deepestFailure != null ? c.deepestFailure
                    : new CheckResult(CheckResult.Status.UNKNOWN, null, "no legal order and no single culprit", null, new TreeSet<>());
        } catch (RuntimeException e) {
            // A checker that throws proves nothing: UNKNOWN, never PASS.
            return new CheckResult(CheckResult.Status.UNKNOWN, null, "checker error: " + e, null, new TreeSet<>());
        }
    }

    private boolean search(ModelState state, BitSet done) {
        if (++expansions > MAX_EXPANSIONS) {
            return false;
        }
        if (allMandatoryDone(done)) {
            success = state;
            return true;
        }
        if (!seen.add(List.of(done.clone(), state))) {
            return false;
        }
        long bound = earliestPendingReturn(done);
        CheckedOp firstBlocked = null;
        SegmentModel.Step firstBlockedStep = null;
        for (CheckedOp op : ops) {
            if (done.get(op.id()) || op.call() > bound || !previousOfProcessDone(op, done)) {
                continue;
            }
            SegmentModel.Step step = SegmentModel.step(profile, state, op.op());
            for (ModelState next : step.next()) {
                done.set(op.id());
                boolean ok = search(next, done);
                done.clear(op.id());
                if (ok) {
                    return true;
                }
            }
            if (op.optional()) {
                done.set(op.id());
                boolean ok = search(state, done);
                done.clear(op.id());
                if (ok) {
                    return true;
                }
            }
            if (!step.legal() && !op.optional() && (firstBlocked == null || op.ret() < firstBlocked.ret())) {
                firstBlocked = op;
                firstBlockedStep = step;
            }
        }
        int depth = done.cardinality();
        if (firstBlocked != null && depth > deepest) {
            deepest = depth;
            deepestFailure = new CheckResult(CheckResult.Status.VIOLATION, firstBlockedStep.violated(), firstBlockedStep.why(),
                    firstBlocked.invokeIndex(), state.observations());
        }
        return false;
    }

    private boolean allMandatoryDone(BitSet done) {
        for (CheckedOp op : ops) {
            if (!op.optional() && !done.get(op.id())) {
                return false;
            }
        }
        return true;
    }

    /** An op can go next only if it was invoked before every pending mandatory op returned. */
    private long earliestPendingReturn(BitSet done) {
        long min = Long.MAX_VALUE;
        for (CheckedOp op : ops) {
            if (!done.get(op.id()) && !op.optional()) {
                min = Math.min(min, op.ret());
            }
        }
        return min;
    }

    /** Ops of a process are placed in program order, and every op is placed (or dropped) in turn. */
    private boolean previousOfProcessDone(CheckedOp op, BitSet done) {
        int previous = previousOfProcess[op.id()];
        return previous < 0 || done.get(previous);
    }
}
