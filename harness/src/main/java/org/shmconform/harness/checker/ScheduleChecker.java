package org.shmconform.harness.checker;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.backends.BackendSemantics;
import org.shmconform.harness.engine.Execution;
import org.shmconform.harness.model.Profile;
import org.shmconform.harness.model.Property;

/**
 * Turns an execution into verdicts: the history is checked against the documented profile and
 * against the declared profile of the subject implementation; the property a failing history
 * breaks gets FAIL or DEVIATES, the others PASS, UNKNOWN when nothing can be concluded.
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

    public static Outcome check(Execution x, String subjectImpl, List<Property> properties) {
        if (x.broken() != null) {
            List<PropertyResult> results = new ArrayList<>();
            for (Property p : properties) {
                results.add(new PropertyResult(p.id(), Verdict.UNKNOWN, "harness: " + x.broken(), null, List.of()));
            }
            return new Outcome(null, null, results);
        }
        Map<String, BackendSemantics> semantics = ImplSemantics.forSchedule(x.schedule());
        List<CheckedOp> ops = HistoryOps.of(x, semantics);
        CheckResult documented = LinearizabilityChecker.check(Profile.DOCUMENTED, ops);
        // The declared profile is always checked: where the documentation is silent (a lock whose holder
        // died), a backend that breaks its own promise is still a FAIL.
        CheckResult declared = LinearizabilityChecker.check(Profile.declared(semantics.get(subjectImpl)), ops);
        return new Outcome(documented, declared, verdicts(properties, documented, declared));
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
        if (documented.status() == CheckResult.Status.LINEARIZABLE && declared.status() == CheckResult.Status.VIOLATION) {
            // Legal as documented, illegal as the backend declared itself: it broke its own promise.
            return declared.violated() == p
                    ? new PropertyResult(p.id(), Verdict.FAIL, "breaks the backend's declared semantics: " + declared.why(),
                    declared.eventIndex(), observed)
                    : new PropertyResult(p.id(), Verdict.PASS, null, null, observed);
        }
        if (documented.status() == CheckResult.Status.LINEARIZABLE) {
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
