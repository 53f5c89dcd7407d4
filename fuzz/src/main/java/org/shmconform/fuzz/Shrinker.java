package org.shmconform.fuzz;

import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

import org.shmconform.schedule.Schedule;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * Delta debugging of a failing schedule by re-execution: every candidate is run on real workers
 * again and kept only if it still fails with the same property. Tactics: cut the tail (binary search
 * for the shortest failing prefix); then drop whole workers, drop chunks of steps (halves, quarters, ..., single steps, ddmin-style) and drop kills, repeated until
 * none helps; then make async steps synchronous, shrink create sizes to 8 and payloads to their
 * worker tag, one step at a time. Everything stops when the budget (runs, time) is spent, or when a stop is asked for
 * (Ctrl-C): the best failing schedule so far is returned, to be saved before the campaign stops.
 *
 * <p><b>Flakiness first.</b> Before shrinking, the original is re-run {@code k} times. If it fails
 * every time, a candidate is accepted when it fails once. If it fails only sometimes, it is reported
 * FLAKY with its rate, and a candidate is accepted when it fails at least once in up to {@code k}
 * runs (stopping at the first failure): shrinking a flaky failure with a single run would mostly
 * throw away steps that matter, and with "k of k" it would never move. If it never fails again,
 * nothing is shrunk. A candidate must fail with the <em>same</em> property, so shrinking never
 * wanders from the bug found into another one, nor into noise. A flaky failure that shrinks into a
 * candidate failing k of k times is shrunk on from there with one run per candidate.
 *
 * <p><b>UNKNOWN is neither.</b> A run the checker could not judge (the harness broke) tells nothing about the
 * schedule: a re-run of the original that was UNKNOWN is left out of its rate, a candidate is not accepted on an
 * UNKNOWN run, nor remembered as one that did not fail, and a re-measure with an UNKNOWN run in it does not make a flaky
 * failure deterministic.
 *
 * <p>The shrinker never returns a schedule whose last run did not fail.
 */
public final class Shrinker<E> {
    /**
     * One run of a schedule: did the checker find it illegal, and which property did it break; or could it not judge it
     * at all ({@code unknown}).
     */
    public record Trial<E>(boolean failed, String property, E evidence, boolean unknown) {
        public Trial {
            if (failed && unknown) {
                throw new IllegalArgumentException("a run that failed was judged: it is not UNKNOWN");
            }
        }

        /** A judged run. */
        public Trial(boolean failed, String property, E evidence) {
            this(failed, property, evidence, false);
        }

        /** A run that could not be judged: neither a pass nor a fail. */
        public static <E> Trial<E> unknown(E evidence) {
            return new Trial<>(false, null, evidence, true);
        }
    }

    /** Runs a schedule on real workers and checks it. */
    @FunctionalInterface
    public interface Oracle<E> {
        Trial<E> run(Schedule schedule) throws InterruptedException;
    }

    /** @param maxRuns re-executions, the flakiness check included */
    public record Budget(int maxRuns, Duration maxTime, int k) {
        public static Budget defaults() {
            return new Budget(80, Duration.ofSeconds(120), 3);
        }
    }

    /**
     * @param shrunk       the smallest schedule that failed, null when the failure did not reproduce
     * @param lastTrial    the last (failing) run of {@code shrunk}: its evidence
     * @param rerunFails   failures in the k re-runs of the original
     * @param rerunUnknown re-runs of the original that could not be judged (UNKNOWN): left out of its rate
     * @param flaky        0 &lt; rerunFails &lt; k - rerunUnknown
     * @param runs         executions spent (the k re-runs included)
     * @param budgetSpent  stopped by the budget rather than by finding no smaller failing candidate
     * @param becameDeterministic a flaky original shrank into a candidate that failed k of k times
     */
    public record Result<E>(Schedule shrunk, Trial<E> lastTrial, int rerunFails, int k, int rerunUnknown, boolean flaky,
                            int runs, boolean budgetSpent, boolean becameDeterministic) {
        /** Failures over the judged re-runs of the original: "2/3", or "2/2 (1 UNKNOWN)". */
        public String rate() {
            return rerunFails + "/" + (k - rerunUnknown) + (rerunUnknown > 0 ? " (" + rerunUnknown + " UNKNOWN)" : "");
        }
    }

    private final Oracle<E> oracle;
    private final Budget budget;
    private final String property;
    private final BooleanSupplier stopRequested;
    private long deadline;
    private int runs;
    private int attemptsPerCandidate = 1;
    private boolean budgetSpent;
    private Schedule best;
    /** Candidates that did not fail (judged): not run again when a later round offers them once more. */
    private final Set<Schedule> rejected = new HashSet<>();
    private Trial<E> bestTrial;
    /** Whether the latest run of {@code best} failed: only such a schedule may be returned. */
    private boolean bestLastFailed;
    /**
     * The latest best whose latest run failed, the original first: returned if the current best's last run passed and
     * it never fails again. A new best takes its place only once its re-measure (if any) ended on a failure: a best that
     * failed once and then passed must not be the fallback of itself.
     */
    private Schedule safe;
    private Trial<E> safeTrial;
    /** A flaky original whose shrunk candidate fails k of k times: from then on one run per candidate. */
    private boolean becameDeterministic;
    /** Runs judged that did not fail with the property (UNKNOWN ones are not counted). */
    private int notFailed;

    private Shrinker(Oracle<E> oracle, Budget budget, String property, BooleanSupplier stopRequested) {
        this.oracle = oracle;
        this.budget = budget;
        this.property = property;
        this.stopRequested = stopRequested;
    }

    /** Shrinks {@code original}, which failed with {@code property}. */
    public static <E> Result<E> shrink(Schedule original, String property, Oracle<E> oracle, Budget budget)
            throws InterruptedException {
        return shrink(original, property, oracle, budget, () -> false);
    }

    /**
     * As {@link #shrink(Schedule, String, Oracle, Budget)}, ending early (as if the budget were spent) once
     * {@code stopRequested}: the k re-runs of the original are still made, no candidate after it.
     */
    public static <E> Result<E> shrink(Schedule original, String property, Oracle<E> oracle, Budget budget,
                                       BooleanSupplier stopRequested) throws InterruptedException {
        return new Shrinker<>(oracle, budget, property, stopRequested).run(original);
    }

    private Result<E> run(Schedule original) throws InterruptedException {
        deadline = System.nanoTime() + budget.maxTime().toNanos();
        int fails = 0;
        int unknown = 0;
        boolean lastFailed = false; // the last judged re-run
        for (int i = 0; i < budget.k(); i++) {
            Trial<E> t = once(original);
            if (t.unknown()) {
                unknown++;
                continue;
            }
            lastFailed = accepted(t);
            if (lastFailed) {
                fails++;
                bestTrial = t;
            }
        }
        if (fails == 0) {
            return new Result<>(null, null, 0, budget.k(), unknown, false, runs, false, false);
        }
        boolean flaky = fails < budget.k() - unknown;
        attemptsPerCandidate = flaky ? budget.k() : 1;
        best = original;
        bestLastFailed = lastFailed;
        if (lastFailed) {
            confirm();
        }
        // Structure first, to a fixpoint; then one pass each over the steps' arguments, which seldom
        // make another step removable and cost one run per step.
        dropTail();
        boolean changed = true;
        while (changed && !spent()) {
            changed = dropWorkers() | dropChunks() | dropKills();
        }
        perStep(Shrinker::synchronous);
        perStep(Shrinker::smallerSize);
        perStep(Shrinker::shorterPayload);
        if (!bestLastFailed) {
            // Its last run passed (flaky): it may be returned only once it has failed again.
            Trial<E> t = attempt(best, budget.k());
            if (t != null) {
                keep(best, t);
                confirm();
            } else {
                // Never failed again: the last best that did is returned, with its own last (failing) run; with none
                // (the original's last re-run passed), nothing is.
                best = safe;
                bestTrial = safeTrial;
                bestLastFailed = safe != null;
            }
        }
        if (best == null) {
            return new Result<>(null, null, fails, budget.k(), unknown, flaky, runs, budgetSpent, becameDeterministic);
        }
        if (!bestLastFailed || !accepted(bestTrial)) {
            throw new AssertionError("shrinker would return a schedule whose last run did not fail with " + property);
        }
        return new Result<>(best, bestTrial, fails, budget.k(), unknown, flaky, runs, budgetSpent, becameDeterministic);
    }

    private boolean dropWorkers() throws InterruptedException {
        boolean changed = false;
        for (WorkerSpec w : List.copyOf(best.workers())) {
            if (best.workers().size() > 1) {
                List<WorkerSpec> ws = new ArrayList<>(best.workers());
                ws.remove(w);
                // A dropped worker's second objects live in its process: they go with it (WorkerSpec.process).
                List<String> gone = new ArrayList<>(List.of(w.id()));
                ws.removeIf(o -> w.id().equals(o.process()) && gone.add(o.id()));
                if (ws.isEmpty()) {
                    continue;
                }
                // A dropped worker's spawn goes with it: its parent's spawnChild would name an undeclared child.
                List<Step> steps = best.steps().stream().filter(s -> !gone.contains(s.worker()) && !w.id().equals(s.child())).toList();
                changed |= offer(best.withWorkers(ws, steps));
            }
        }
        return changed;
    }

    /**
     * Binary search for the shortest failing prefix: in a generated schedule most steps after the
     * failing one are noise, and this cuts them in about log2(n) runs. A guess, each result verified.
     */
    private void dropTail() throws InterruptedException {
        int lo = 1;
        int hi = best.steps().size();
        while (lo < hi && !spent()) {
            int mid = (lo + hi) / 2;
            if (offer(best.withSteps(List.copyOf(best.steps().subList(0, mid))))) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
    }

    /**
     * ddmin-style removal of chunks: halves, quarters, ..., single steps, each size swept once from
     * the end (later steps depend on earlier ones more than the other way round).
     */
    private boolean dropChunks() throws InterruptedException {
        boolean changed = false;
        for (int chunk = Math.max(1, best.steps().size() / 2); chunk >= 1 && !spent(); chunk /= 2) {
            for (int to = best.steps().size(); to > 0 && !spent(); to -= chunk) {
                List<Step> steps = best.steps();
                int from = Math.max(0, to - chunk);
                List<Step> rest = new ArrayList<>(steps.subList(0, from));
                rest.addAll(steps.subList(Math.min(to, steps.size()), steps.size()));
                changed |= offer(best.withSteps(rest));
            }
        }
        return changed;
    }

    private boolean dropKills() throws InterruptedException {
        boolean changed = false;
        for (int i = best.steps().size() - 1; i >= 0; i--) {
            if (i < best.steps().size() && "kill".equals(best.steps().get(i).op())) {
                List<Step> rest = new ArrayList<>(best.steps());
                rest.remove(i);
                changed |= offer(best.withSteps(rest));
            }
        }
        return changed;
    }

    /** Tries {@code change} on each step where it makes a difference. */
    private boolean perStep(UnaryOperator<Step> change) throws InterruptedException {
        boolean changed = false;
        for (int i = 0; i < best.steps().size(); i++) {
            Step s = best.steps().get(i);
            Step smaller = change.apply(s);
            if (!smaller.equals(s)) {
                List<Step> steps = new ArrayList<>(best.steps());
                steps.set(i, smaller);
                changed |= offer(best.withSteps(steps));
            }
        }
        return changed;
    }

    private static Step synchronous(Step s) {
        return s.noWait() ? new Step(s.worker(), s.op(), s.args(), false) : s;
    }

    private static Step smallerSize(Step s) {
        return "create".equals(s.op()) && s.size() != null && s.size() > 8 ? s.size(8) : s;
    }

    /** Keeps the tag's worker part ("wB" of "wBs17"): still says who wrote it. */
    private static Step shorterPayload(Step s) {
        return s.data() != null && s.data().length() > 2 ? s.data(s.data().substring(0, 2)) : s;
    }

    /** Runs a candidate; keeps it as the new best if it fails with the property. */
    private boolean offer(Schedule candidate) throws InterruptedException {
        if (spent() || candidate.steps().isEmpty() || Objects.equals(candidate, best) || !rejected.add(candidate)) {
            return false;
        }
        int before = runs;
        int notFailedBefore = notFailed;
        Trial<E> t = attempt(candidate, attemptsPerCandidate);
        if (t == null) {
            if (notFailed == notFailedBefore) {
                rejected.remove(candidate); // only UNKNOWN runs: it did not pass, a later round may try it again
            }
            return false;
        }
        rejected.remove(candidate);
        keep(candidate, t);
        if (attemptsPerCandidate > 1 && runs == before + 1) {
            remeasure();
        }
        if (bestLastFailed) {
            confirm();
        }
        return true;
    }

    private void keep(Schedule s, Trial<E> t) {
        best = s;
        bestTrial = t;
        bestLastFailed = true;
    }

    /** The best's latest run failed (after its re-measure, if it had one): it becomes the fallback. */
    private void confirm() {
        safe = best;
        safeTrial = bestTrial;
    }

    /**
     * A flaky failure often shrinks into a deterministic one (the race goes with the steps around
     * it). A candidate that failed at once is run k-1 more times; if it fails every time, the rest
     * of the shrinking costs one run per candidate instead of up to k.
     */
    private void remeasure() throws InterruptedException {
        boolean everyRunFailed = true;
        for (int i = 1; i < budget.k() && !spent(); i++) {
            Trial<E> t = once(best);
            if (t.unknown()) {
                everyRunFailed = false; // not measured: its last judged run still failed
                continue;
            }
            if (!accepted(t)) {
                bestLastFailed = false;
                return;
            }
            bestTrial = t;
        }
        if (!spent() && everyRunFailed) {
            attemptsPerCandidate = 1;
            becameDeterministic = true;
        }
    }

    /** Up to {@code attempts} runs, stopping at the first accepted failure; null if none. */
    private Trial<E> attempt(Schedule s, int attempts) throws InterruptedException {
        for (int i = 0; i < attempts && !spent(); i++) {
            Trial<E> t = once(s);
            if (accepted(t)) {
                return t;
            }
        }
        return null;
    }

    private Trial<E> once(Schedule s) throws InterruptedException {
        runs++;
        Trial<E> t = oracle.run(s);
        if (!t.unknown() && !accepted(t)) {
            notFailed++;
        }
        return t;
    }

    private boolean accepted(Trial<E> t) {
        return t.failed() && property.equals(t.property());
    }

    private boolean spent() {
        if (runs >= budget.maxRuns() || System.nanoTime() > deadline || stopRequested.getAsBoolean()) {
            budgetSpent = true;
        }
        return budgetSpent;
    }
}
