package org.shmconform.checker;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.shmconform.spi.BackendSemantics;
import org.shmconform.history.Execution;
import org.shmconform.history.EventType;
import org.shmconform.history.HistoryEvent;
import org.shmconform.model.Profile;
import org.shmconform.model.Property;

/**
 * Turns an execution into verdicts: the history is checked against the documented profile and
 * against the declared profile of the subject implementation. Illegal as declared: FAIL for the
 * property broken (whatever the documentation says). Legal as declared but illegal as documented:
 * DEVIATES. Legal under both: PASS. UNKNOWN when the checker or the harness could not conclude.
 */
public final class ScheduleChecker {
    private ScheduleChecker() {
    }

    /** The two checks of one execution. */
    public record Outcome(CheckResult documented, CheckResult declared, List<PropertyResult> results) {
        /** Whether the declared profile found the history illegal: what the fuzzer hunts for. */
        public boolean fails() {
            return results.stream().anyMatch(r -> r.verdict() == Verdict.FAIL);
        }
    }

    public static Outcome check(Execution x, String subjectImpl, List<Property> properties, Declarations declarations) {
        List<String> problems = problems(x);
        if (!problems.isEmpty() && x.history().events().isEmpty()) {
            List<PropertyResult> results = new ArrayList<>();
            for (Property p : properties) {
                results.add(new PropertyResult(p.id(), Verdict.UNKNOWN, harness(problems), null, List.of()));
            }
            return new Outcome(null, null, results);
        }
        Map<String, BackendSemantics> semantics = new TreeMap<>();
        for (Execution.WorkerInfo w : x.workers().values()) {
            semantics.computeIfAbsent(w.impl(), declarations::semantics);
        }
        semantics.computeIfAbsent(subjectImpl, declarations::semantics);
        List<CheckedOp> ops = HistoryOps.of(x, semantics);
        CheckResult documented = LinearizabilityChecker.check(Profile.DOCUMENTED, ops);
        // Both, always: where the documentation is silent the backend's own promise must still hold.
        CheckResult declared = LinearizabilityChecker.check(Profile.declared(declarations.profileName(subjectImpl), semantics.get(subjectImpl)), ops);
        List<PropertyResult> results = verdicts(properties, documented, declared);
        return new Outcome(documented, declared, problems.isEmpty() ? results : unknownUnlessFailed(results, problems));
    }

    /**
     * What the engine could not do as written, and every op that passed the reply deadline without
     * the kernel seeing it blocked (also when the engine's own list does not say so).
     */
    static List<String> problems(Execution x) {
        Set<String> all = new LinkedHashSet<>(x.problems());
        for (HistoryEvent e : x.history().events()) {
            if (e.type() == EventType.info && HistoryOps.TIMEOUT.equals(e.note())) {
                String problem = Execution.deadlinePassed(e.process(), e.f());
                if (all.stream().noneMatch(p -> p.startsWith(problem))) {
                    all.add(problem);
                }
            }
        }
        return List.copyOf(all);
    }

    /**
     * A history of a run that skipped or lost steps proves nothing about what did not run: PASS and
     * DEVIATES become UNKNOWN with the reasons. A FAIL stays: the history proves it whatever did not run.
     */
    private static List<PropertyResult> unknownUnlessFailed(List<PropertyResult> results, List<String> problems) {
        List<PropertyResult> out = new ArrayList<>();
        for (PropertyResult r : results) {
            out.add(r.verdict() == Verdict.PASS || r.verdict() == Verdict.DEVIATES
                    ? new PropertyResult(r.property(), Verdict.UNKNOWN, harness(problems), r.eventIndex(), r.observations())
                    : r);
        }
        return out;
    }

    private static String harness(List<String> problems) {
        return "harness: " + String.join("; ", problems);
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
                    ? new PropertyResult(p.id(), Verdict.FAIL, declared.why(), declared.eventIndex(), observed)
                    : new PropertyResult(p.id(), Verdict.UNKNOWN, "the history broke " + declared.violated().id() + " first",
                    declared.eventIndex(), observed);
        }
        // Legal as declared, illegal as documented.
        return documented.violated() == p
                ? new PropertyResult(p.id(), Verdict.DEVIATES, documented.why(), documented.eventIndex(), observed)
                : new PropertyResult(p.id(), Verdict.PASS, null, null, observed);
    }
}
