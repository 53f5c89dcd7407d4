package org.shmconform.reports;

import java.util.ArrayList;
import java.util.List;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;

/** One matrix cell: the merged verdict of a property on a column, and the scenario that decided it. */
record Cell(Verdict verdict, ScenarioResult decidedBy, PropertyResult result, List<String> observations) {

    static Cell of(String property, String column, List<ScenarioResult> results) {
        Verdict merged = null;
        ScenarioResult by = null;
        PropertyResult decisive = null;
        List<String> observations = new ArrayList<>();
        for (ScenarioResult r : results) {
            if (!r.column().equals(column)) {
                continue;
            }
            for (PropertyResult p : r.properties()) {
                if (!p.property().equals(property)) {
                    continue;
                }
                if (merged == null || p.verdict().merge(merged) != merged) {
                    merged = merged == null ? p.verdict() : p.verdict().merge(merged);
                    by = r;
                    decisive = p;
                }
                p.observations().stream().filter(o -> !observations.contains(o)).forEach(observations::add);
            }
        }
        return merged == null ? null : new Cell(merged, by, decisive, observations);
    }

    String label() {
        return switch (verdict) {
            case PASS -> "PASS";
            case DEVIATES -> "DEVIATES";
            case FAIL -> "**FAIL**";
            case UNKNOWN -> "UNKNOWN";
            case NOT_AVAILABLE -> "NOT_AVAILABLE"; // one spelling in every report, as in results.json
        };
    }
}
