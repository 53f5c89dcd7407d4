package org.shmconform.reports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.harness.checker.PropertyResult;
import org.shmconform.harness.checker.ScenarioResult;
import org.shmconform.harness.checker.Verdict;
import org.shmconform.harness.protocol.WorkerProtocol;

/**
 * Compares a run with a baseline results.json, cell by cell (column, environment, scenario,
 * property). A regression is PASS or DEVIATES becoming FAIL, or an available cell becoming
 * NOT_AVAILABLE with a new reason. UNKNOWN alone is never a regression (it proves nothing).
 */
public final class Baseline {
    private Baseline() {
    }

    public record Regression(String cell, Verdict was, Verdict now, String why) {
        @Override
        public String toString() {
            return cell + ": " + was + " -> " + now + (why == null ? "" : " (" + why + ")");
        }
    }

    public static RunSummary read(Path resultsJson) throws IOException {
        return WorkerProtocol.json().readValue(resultsJson.toFile(), RunSummary.class);
    }

    public static List<Regression> compare(RunSummary baseline, RunSummary current) {
        Map<String, PropertyResult> before = index(baseline.results());
        List<Regression> regressions = new ArrayList<>();
        index(current.results()).forEach((cell, now) -> {
            PropertyResult was = before.get(cell);
            if (was == null) {
                return;
            }
            boolean wasGood = was.verdict() == Verdict.PASS || was.verdict() == Verdict.DEVIATES;
            if (wasGood && now.verdict() == Verdict.FAIL
                    || was.verdict() != Verdict.NOT_AVAILABLE && now.verdict() == Verdict.NOT_AVAILABLE
                    && !String.valueOf(now.why()).equals(String.valueOf(was.why()))) {
                regressions.add(new Regression(cell, was.verdict(), now.verdict(), now.why()));
            }
        });
        return regressions;
    }

    private static Map<String, PropertyResult> index(List<ScenarioResult> results) {
        Map<String, PropertyResult> m = new HashMap<>();
        for (ScenarioResult r : results) {
            for (PropertyResult p : r.properties()) {
                m.put(r.column() + "/" + r.env() + "/" + r.scenario() + "/" + p.property(), p);
            }
        }
        return m;
    }
}
