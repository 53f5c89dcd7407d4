package org.shmconform.checker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.history.Execution;

/**
 * Jepsen's checker: reads one execution and gives a verdict with its reason. Checkers compose
 * ({@link #compose}, Jepsen's {@code compose}): every part runs, each keeps its own judgement, and
 * the whole is as bad as its worst part.
 */
public interface Checker {
    Judgement check(Execution execution);

    /**
     * One checker's answer.
     *
     * @param verdict  PASS, FAIL or UNKNOWN (a composition: the worst of its parts)
     * @param reason   for anything but PASS: why
     * @param evidence the linearizability search's answer, for the checkers that search (else null)
     * @param parts    a composition's parts by name, in the order they ran (empty for a single checker)
     */
    record Judgement(Verdict verdict, String reason, CheckResult evidence, Map<String, Judgement> parts) {
        public Judgement {
            parts = parts == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        }

        public static Judgement pass() {
            return new Judgement(Verdict.PASS, null, null, Map.of());
        }

        public static Judgement of(Verdict verdict, String reason) {
            return new Judgement(verdict, reason, null, Map.of());
        }

        /** A part of a composition by name, or null. */
        public Judgement part(String name) {
            return parts.get(name);
        }
    }

    /** Runs every checker on the execution; the verdict is the worst part's, the reason names each part that is not PASS. */
    static Checker compose(Map<String, ? extends Checker> named) {
        Map<String, Checker> checkers = new LinkedHashMap<>(named);
        return execution -> {
            Map<String, Judgement> parts = new LinkedHashMap<>();
            Verdict worst = Verdict.PASS;
            List<String> reasons = new ArrayList<>();
            for (Map.Entry<String, Checker> c : checkers.entrySet()) {
                Judgement j = c.getValue().check(execution);
                parts.put(c.getKey(), j);
                worst = worst.merge(j.verdict());
                if (j.verdict() != Verdict.PASS) {
                    reasons.add(c.getKey() + ": " + j.reason());
                }
            }
            return new Judgement(worst, reasons.isEmpty() ? null : String.join("; ", reasons), null, parts);
        };
    }
}
