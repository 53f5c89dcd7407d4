package org.shmconform.checker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.history.Execution;
import org.shmconform.model.Property;

/**
 * Turns an execution into verdicts, as a composition of checkers: the history is checked against the
 * documented profile and against the declared profile of the subject implementation. Illegal as
 * declared: FAIL for the property broken (whatever the documentation says). Legal as declared but
 * illegal as documented: DEVIATES. Legal under both: PASS. UNKNOWN when the checker or the harness
 * could not conclude ({@link HarnessHealth}); an object left behind is a FAIL of its own
 * ({@link NothingLeftBehind}).
 */
public final class ScheduleChecker {
    /** The composition's parts by name. */
    public static final String DOCUMENTED = "linearizable-as-documented";
    public static final String DECLARED = "linearizable-as-declared";
    public static final String LEFT_BEHIND = "nothing-left-behind";
    public static final String HARNESS = "harness-health";

    private ScheduleChecker() {
    }

    /**
     * The checks of one execution.
     *
     * @param documented the search under the documented profile (null when nothing ran to check)
     * @param declared   the search under the declared profile (null likewise)
     * @param results    the per-property verdicts
     * @param checks     every checker's judgement, by name ({@link #DOCUMENTED}, ...)
     */
    public record Outcome(CheckResult documented, CheckResult declared, List<PropertyResult> results, Checker.Judgement checks) {
        /** Whether the declared profile found the history illegal: what the fuzzer hunts for. */
        public boolean fails() {
            return results.stream().anyMatch(r -> r.verdict() == Verdict.FAIL);
        }
    }

    /** The checkers of one execution, in the order they run. */
    public static Map<String, Checker> checkers(Execution x, String subjectImpl, Declarations declarations) {
        Map<String, Checker> checkers = new LinkedHashMap<>();
        // A run whose problems left no history has nothing to search (and maybe no worker to look up).
        if (HarnessHealth.problems(x).isEmpty() || !x.history().events().isEmpty()) {
            checkers.put(DOCUMENTED, Linearizable.asDocumented(declarations, subjectImpl));
            // Both, always: where the documentation is silent the backend's own promise must still hold.
            checkers.put(DECLARED, Linearizable.asDeclared(declarations, subjectImpl));
        }
        checkers.put(LEFT_BEHIND, new NothingLeftBehind());
        checkers.put(HARNESS, new HarnessHealth());
        return checkers;
    }

    public static Outcome check(Execution x, String subjectImpl, List<Property> properties, Declarations declarations) {
        Checker.Judgement all = Checker.compose(checkers(x, subjectImpl, declarations)).check(x);
        return new Outcome(evidence(all, DOCUMENTED), evidence(all, DECLARED), results(properties, all, x.metAnOutsideHand()), all);
    }

    private static CheckResult evidence(Checker.Judgement all, String name) {
        Checker.Judgement j = all.part(name);
        return j == null ? null : j.evidence();
    }

    /**
     * The per-property results of a composition: the documented and declared searches give
     * PASS/DEVIATES/FAIL per property; a history of a run that skipped or lost steps proves nothing
     * about what did not run, so a part that is UNKNOWN (the harness) makes PASS and DEVIATES
     * UNKNOWN with its reason, while a FAIL stays (the history proves it whatever did not run), unless something outside
     * the run acted on it (another program's object at its key, a worker ended by another hand: {@link
     * Execution#metAnOutsideHand}; then what it proves may be that hand's doing, and a FAIL is UNKNOWN too); an object
     * left behind adds a FAIL of its own.
     */
    static List<PropertyResult> results(List<Property> properties, Checker.Judgement all, boolean metAnOutsideHand) {
        CheckResult documented = evidence(all, DOCUMENTED);
        CheckResult declared = evidence(all, DECLARED);
        List<PropertyResult> results = new ArrayList<>();
        if (documented != null && declared != null) {
            results.addAll(verdicts(properties, documented, declared));
        } else {
            for (Property p : properties) {
                results.add(new PropertyResult(p.id(), Verdict.PASS, null, null, List.of()));
            }
        }
        Checker.Judgement harness = all.part(HARNESS);
        if (harness != null && harness.verdict() != Verdict.PASS) {
            results = unknownUnlessFailed(results, harness.reason(), metAnOutsideHand);
        }
        Checker.Judgement leftBehind = all.part(LEFT_BEHIND);
        if (leftBehind != null && leftBehind.verdict() != Verdict.PASS) {
            results.add(new PropertyResult(NothingLeftBehind.ID, leftBehind.verdict(), leftBehind.reason(), null, List.of()));
        }
        return results;
    }

    private static List<PropertyResult> unknownUnlessFailed(List<PropertyResult> results, String reason, boolean evenIfFailed) {
        List<PropertyResult> out = new ArrayList<>();
        for (PropertyResult r : results) {
            out.add(r.verdict() == Verdict.PASS || r.verdict() == Verdict.DEVIATES || evenIfFailed && r.verdict() == Verdict.FAIL
                    ? new PropertyResult(r.property(), Verdict.UNKNOWN, reason, r.eventIndex(), r.observations(), r.linearization())
                    : r);
        }
        return out;
    }

    private static List<PropertyResult> verdicts(List<Property> properties, CheckResult documented, CheckResult declared) {
        Set<Property> all = new LinkedHashSet<>(properties);
        CheckResult culprit = declared.status() == CheckResult.Status.VIOLATION ? declared : documented;
        if (culprit.violated() != null) {
            all.add(culprit.violated());
        }
        List<String> observed = new ArrayList<>((declared.status() == CheckResult.Status.LINEARIZABLE ? declared : documented)
                .observations());
        List<PropertyResult> results = new ArrayList<>();
        for (Property p : all) {
            results.add(verdict(p, documented, declared, observed));
        }
        return results;
    }

    private static PropertyResult verdict(Property p, CheckResult documented, CheckResult declared, List<String> observed) {
        if (documented.status() == CheckResult.Status.LINEARIZABLE && declared.status() == CheckResult.Status.LINEARIZABLE) {
            return new PropertyResult(p.id(), Verdict.PASS, null, null, observed);
        }
        if (declared.status() == CheckResult.Status.UNKNOWN || documented.status() == CheckResult.Status.UNKNOWN
                && declared.status() != CheckResult.Status.VIOLATION) {
            String why = declared.status() == CheckResult.Status.UNKNOWN ? declared.why() : documented.why();
            return new PropertyResult(p.id(), Verdict.UNKNOWN, "checker: " + why, null, observed);
        }
        if (declared.status() == CheckResult.Status.VIOLATION) {
            return declared.violated() == p
                    ? new PropertyResult(p.id(), Verdict.FAIL, declared.why(), declared.eventIndex(), observed, declared.linearization())
                    : new PropertyResult(p.id(), Verdict.UNKNOWN, "the history broke " + declared.violated().id() + " first",
                    declared.eventIndex(), observed);
        }
        // Legal as declared, illegal as documented.
        return documented.violated() == p
                ? new PropertyResult(p.id(), Verdict.DEVIATES, documented.why(), documented.eventIndex(), observed,
                documented.linearization())
                : new PropertyResult(p.id(), Verdict.PASS, null, null, observed);
    }
}
