package org.shmconform.checker;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.shmconform.model.ModelOp;
import org.shmconform.model.Profile;

/**
 * Wing–Gong-style search (as Knossos and Porcupine do it): looks for an order of the operations,
 * each placed within its real-time interval and each process's operations in program order, that
 * the model accepts. Indeterminate operations may be placed or left out. The state space is
 * memoised on (placed operations, model state); the search is bounded, and gives UNKNOWN past the bound.
 * A violation comes with the longest linearization the search reached ({@link Linearization}: the ops it
 * placed with the state after each, and the ops it could not place next), as Porcupine shows it.
 * Generic over the {@link Model}; the segment model under a profile is {@link SegmentSpec}.
 */
public final class LinearizabilityChecker<S, O> {
    /** States the search may expand per partition before it gives up (UNKNOWN). */
    public static final int MAX_EXPANSIONS = 200_000;

    private final Model<S, O> model;
    private final List<Operation<O>> ops;
    private final int maxExpansions;
    /**
     * For each op (by position), the position of the previous op of the same process (-1 for the first):
     * program order, which is the order of the invokes. (Not the list order: ops are listed as they
     * complete, and an op in flight when its worker was killed may complete, as info, after the kill that ended it.)
     */
    private final int[] previousOfProcess;
    private final Set<Visit<S>> seen = new HashSet<>();
    private int expansions;
    private int deepest = -1;
    /** The ops placed so far on the search's current path, in order, and the model's state after each. */
    private final List<Integer> pathOps = new ArrayList<>();
    private final List<S> pathStates = new ArrayList<>();
    /** Where the furthest-reaching failure stood: its path, its state and the ops it could not place (blamed first). */
    private List<Integer> deepestOps;
    private List<S> deepestStates;
    private S deepestState;
    private List<Blocked<S>> deepestBlocked;
    private S success;

    private LinearizabilityChecker(Model<S, O> model, List<Operation<O>> ops, int maxExpansions) {
        this.model = model;
        this.ops = ops;
        this.maxExpansions = maxExpansions;
        this.previousOfProcess = new int[ops.size()];
        Map<String, Integer> last = new HashMap<>();
        List<Integer> byInvoke = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            byInvoke.add(i);
        }
        byInvoke.sort(Comparator.<Integer>comparingInt(i -> ops.get(i).invokeIndex()).thenComparingInt(i -> ops.get(i).id()));
        for (int i : byInvoke) {
            previousOfProcess[i] = last.getOrDefault(ops.get(i).process(), -1);
            last.put(ops.get(i).process(), i);
        }
    }

    /** The history of segment ops under one profile. */
    public static CheckResult check(Profile profile, List<CheckedOp> ops) {
        return check(new SegmentSpec(profile), ops.stream().map(SegmentSpec::operation).toList());
    }

    public static <S, O> CheckResult check(Model<S, O> model, List<Operation<O>> ops) {
        return check(model, ops, MAX_EXPANSIONS);
    }

    /**
     * Each partition the model gives is searched on its own: VIOLATION if one is, else UNKNOWN if one
     * is, else LINEARIZABLE with every part's observations.
     *
     * <p>The ops are searched in program order (by invoke), not in the order they were listed: a history lists ops as
     * their replies were read, and the replies of different processes are read in whichever order the engine got to
     * them. Which part is reported first, which failure reaches furthest first and which op is blamed follow the search
     * order, so in list order the property a FAIL or DEVIATES names could change with that order (two workers' illegal
     * replies on different keys, listed one way or the other, named ATTACH-EXISTING or CREATE-SIZE).
     */
    public static <S, O> CheckResult check(Model<S, O> model, List<Operation<O>> ops, int maxExpansions) {
        try {
            CheckResult unknown = null;
            SortedSet<String> observed = new TreeSet<>();
            List<Operation<O>> byInvoke = new ArrayList<>(ops);
            byInvoke.sort(PROGRAM_ORDER);
            for (List<Operation<O>> part : model.partition(byInvoke)) {
                CheckResult r = new LinearizabilityChecker<>(model, part, maxExpansions).run();
                switch (r.status()) {
                    case VIOLATION -> {
                        return r;
                    }
                    case UNKNOWN -> unknown = unknown == null ? r : unknown;
                    case LINEARIZABLE -> observed.addAll(r.observations());
                }
            }
            return unknown != null ? unknown : new CheckResult(CheckResult.Status.LINEARIZABLE, null, null, null, observed);
        } catch (RuntimeException e) {
            // A checker that throws proves nothing: UNKNOWN, never PASS.
            return new CheckResult(CheckResult.Status.UNKNOWN, null, "checker error: " + e, null, new TreeSet<>());
        } catch (StackOverflowError e) {
            // The search recurses once per op placed: a part of some thousands of ops (5,000 sequential size() calls on
            // one key) is deeper than a thread's default stack. Undecided, like a search past its bound; uncaught, the
            // error ended the whole check (no verdict for any property, and the trial with it).
            return new CheckResult(CheckResult.Status.UNKNOWN, null, "checker error: the search ran out of stack (" + ops.size()
                    + " ops)", null, new TreeSet<>());
        }
    }

    /** By invoke; ops of one call (the parts HistoryOps places apart, then the call) in the order they were listed. */
    private static final Comparator<Operation<?>> PROGRAM_ORDER =
            Comparator.<Operation<?>>comparingInt(Operation::invokeIndex).thenComparingInt(Operation::id);

    private CheckResult run() {
        if (search(model.init(), new BitSet())) {
            return new CheckResult(CheckResult.Status.LINEARIZABLE, null, null, null, model.observations(success));
        }
        if (expansions >= maxExpansions) {
            return new CheckResult(CheckResult.Status.UNKNOWN, null,
                    "search bound of " + maxExpansions + " states reached", null, new TreeSet<>());
        }
        return deepestBlocked != null ? deepestFailure()
                : new CheckResult(CheckResult.Status.UNKNOWN, null, "no legal order and no single culprit", null, new TreeSet<>());
    }

    /** The furthest-reaching failure: the property and reason of the op blamed, and the linearization up to it. */
    private CheckResult deepestFailure() {
        Blocked<S> blamed = deepestBlocked.get(0);
        String why = reason(blamed);
        List<Linearization.Step> steps = new ArrayList<>();
        for (int k = 0; k < deepestOps.size(); k++) {
            Operation<O> op = ops.get(deepestOps.get(k));
            steps.add(new Linearization.Step(op.invokeIndex(), op.process(), model.describeOperation(op.input()),
                    model.describeState(deepestStates.get(k))));
        }
        List<Linearization.Unplaced> unplaced = new ArrayList<>();
        for (Blocked<S> b : deepestBlocked) {
            Operation<O> op = ops.get(b.op());
            unplaced.add(new Linearization.Unplaced(op.invokeIndex(), op.process(), model.describeOperation(op.input()), reason(b)));
        }
        Linearization linearization = new Linearization(model.describeState(model.init()), steps, unplaced);
        return new CheckResult(CheckResult.Status.VIOLATION, blamed.step().violated(), why, ops.get(blamed.op()).invokeIndex(),
                model.observations(deepestState), linearization);
    }

    private String reason(Blocked<S> b) {
        return b.step().why() != null ? b.step().why() : model.describeOperation(ops.get(b.op()).input()) + ": no legal place for it";
    }

    /** An op the model rejected where the search tried to place it next. */
    private record Blocked<S>(int op, Model.Transition<S> step) {
    }

    private boolean search(S state, BitSet done) {
        if (++expansions > maxExpansions) {
            return false;
        }
        if (allMandatoryDone(done)) {
            success = state;
            return true;
        }
        if (!seen.add(new Visit<>((BitSet) done.clone(), state, model))) {
            return false;
        }
        long bound = earliestPendingReturn(done);
        int depth = done.cardinality();
        int firstBlocked = -1;
        List<Blocked<S>> blocked = null;
        for (int i = 0; i < ops.size(); i++) {
            Operation<O> op = ops.get(i);
            if (done.get(i) || op.call() > bound || !previousOfProcessDone(i, done)) {
                continue;
            }
            Model.Transition<S> step = model.step(state, op.input());
            for (S next : step.next()) {
                done.set(i);
                pathOps.add(i);
                pathStates.add(next);
                boolean ok = search(next, done);
                pathOps.remove(pathOps.size() - 1);
                pathStates.remove(pathStates.size() - 1);
                done.clear(i);
                if (ok) {
                    return true;
                }
            }
            if (op.optional()) {
                done.set(i);
                boolean ok = search(state, done);
                done.clear(i);
                if (ok) {
                    return true;
                }
            }
            if (!step.legal() && !op.optional()) {
                // Kept only while this node could still be the deepest (deepest only grows): no list for most nodes.
                if (depth > deepest) {
                    blocked = blocked == null ? new ArrayList<>() : blocked;
                    blocked.add(new Blocked<>(i, step));
                }
                if (firstBlocked < 0 || op.ret() < ops.get(firstBlocked).ret()) {
                    firstBlocked = i;
                }
            }
        }
        if (firstBlocked >= 0 && depth > deepest) {
            deepest = depth;
            // The blamed op (the rejected one that had to return first) leads, the others follow in list order.
            int blamed = firstBlocked;
            blocked.sort(Comparator.comparingInt(b -> b.op() == blamed ? 0 : 1));
            deepestBlocked = blocked;
            deepestOps = List.copyOf(pathOps);
            deepestStates = new ArrayList<>(pathStates);
            deepestState = state;
        }
        return false;
    }

    private boolean allMandatoryDone(BitSet done) {
        for (int i = 0; i < ops.size(); i++) {
            if (!ops.get(i).optional() && !done.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** An op can go next only if it was invoked before every pending mandatory op returned. */
    private long earliestPendingReturn(BitSet done) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < ops.size(); i++) {
            if (!done.get(i) && !ops.get(i).optional()) {
                min = Math.min(min, ops.get(i).ret());
            }
        }
        return min;
    }

    /** Ops of a process are placed in program order, and every op is placed (or dropped) in turn. */
    private boolean previousOfProcessDone(int i, BitSet done) {
        int previous = previousOfProcess[i];
        return previous < 0 || done.get(previous);
    }

    /** A memo entry: the placed ops and the model's state, compared as the model compares states. */
    private record Visit<S>(BitSet done, S state, Model<S, ?> model) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Visit<?> v && done.equals(v.done) && model.equal(state, castState(v.state));
        }

        @Override
        public int hashCode() {
            return 31 * done.hashCode() + model.hash(state);
        }

        @SuppressWarnings("unchecked")
        private S castState(Object other) {
            return (S) other;
        }
    }
}
