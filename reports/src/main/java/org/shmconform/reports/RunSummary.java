package org.shmconform.reports;

import java.util.List;
import java.util.Map;
import org.shmconform.harness.checker.ScenarioResult;
import org.shmconform.harness.fuzz.FuzzResult;

/**
 * Everything a report is made from: what ran where, and what came out. This is results.json.
 *
 * @param schema      "shmconform-results/1"
 * @param environment facts of the machine and of each environment (kernel, namespace ids, engine versions)
 * @param columns     each column (worker implementation) with its availability and declared semantics
 * @param results     one entry per scenario × column (× environment)
 * @param fuzz        the short fuzzing campaign per column (generated schedules, failures shrunk)
 */
public record RunSummary(String schema, String runId, String started, String finished, long millis,
                         Map<String, Object> environment, List<Column> columns, List<ScenarioResult> results,
                         List<FuzzResult> fuzz) {
    public static final String SCHEMA = "shmconform-results/1";

    /** A column of the matrix: a backend (or the Qt worker), whether it runs here, and what it declares. */
    public record Column(String name, String mechanism, boolean available, String reason, Map<String, Object> declared) {
    }
}
