package org.shmconform.reports;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.fuzz.FuzzResult;

/**
 * Everything a report is made from: what ran where, and what came out. This is results.json, written by
 * {@link ResultsJson} in the format the published JSON Schema {@value ResultsJson#SCHEMA_RESOURCE} describes.
 *
 * @param schema      {@value #SCHEMA}
 * @param interrupted the run was stopped by SIGINT or SIGTERM: the results are those of the runs that finished
 * @param environment facts of the machine and of each environment (kernel, namespace ids, engine versions)
 * @param columns     each column (worker implementation) with its availability and declared semantics
 * @param results     one entry per scenario × column (× environment)
 * @param fuzz        the short fuzzing campaign per column (generated schedules, failures shrunk)
 * @param baseline    the comparison with {@code --baseline}, or null when there was none
 * @param leftInPlace what the reaper found and did not remove, one line each, at this run's start (objects not proven a
 *                    dead run's, directories of a dead run kept by a file system mounted in them) and at its end (its own
 *                    directories kept so); never a verdict (none of it is the run's to judge), written only when there is
 *                    some, since a run in CI is read from its report and not from its stderr
 */
@JsonPropertyOrder({"schema", "runId", "verdict", "counts", "interrupted", "started", "finished", "millis"})
public record RunSummary(String schema, String runId, String started, String finished, long millis, boolean interrupted,
                         Map<String, Object> environment, List<Column> columns, List<ScenarioResult> results,
                         List<FuzzResult> fuzz, Baseline.Outcome baseline,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> leftInPlace) {
    /** Version 2: a verdict and reason per scenario run, counts, the baseline's changes, relative paths, null for no reason. */
    public static final String SCHEMA = "shmconform-results/2";

    /** A results.json written before there was a leftInPlace, or with nothing in it, reads as an empty list. */
    public RunSummary {
        leftInPlace = leftInPlace == null ? List.of() : List.copyOf(leftInPlace);
    }

    /** A run whose reaper left nothing in place. */
    public RunSummary(String schema, String runId, String started, String finished, long millis, boolean interrupted,
                      Map<String, Object> environment, List<Column> columns, List<ScenarioResult> results,
                      List<FuzzResult> fuzz, Baseline.Outcome baseline) {
        this(schema, runId, started, finished, millis, interrupted, environment, columns, results, fuzz, baseline, List.of());
    }

    /**
     * A column of the matrix: a backend (or the Qt worker), whether it runs here, and what it declares.
     *
     * @param undecided not available because a probe did not finish (the SPI's Availability UNDECIDED): its cells are
     *                  UNKNOWN, not NOT_AVAILABLE; written only when true, so results.json files before it read as false
     */
    public record Column(String name, String mechanism, boolean available, String reason, Map<String, Object> declared,
                         @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_DEFAULT)
                         boolean undecided) {
        /** No reason is null, never "": an available backend's Availability says "". */
        public Column {
            reason = reason == null || reason.isBlank() ? null : reason;
        }

        /** A column whose availability was decided. */
        public Column(String name, String mechanism, boolean available, String reason, Map<String, Object> declared) {
            this(name, mechanism, available, reason, declared, false);
        }

        /** How the reports name why it did not run: UNDECIDED (its cells UNKNOWN) or NOT_AVAILABLE. */
        public String unavailableWord() {
            return undecided ? "UNDECIDED (a probe did not finish; its cells are UNKNOWN)" : "NOT_AVAILABLE";
        }
    }

    /** The run's verdict, the one the exit status gives: FAIL, PASS or INTERRUPTED. Written to results.json only. */
    @JsonProperty(value = "verdict", access = JsonProperty.Access.READ_ONLY)
    public String verdict() {
        return RunVerdict.of(this).word();
    }

    /** Scenario runs per verdict, and what the fuzzer and the baseline found. Written to results.json only. */
    @JsonProperty(value = "counts", access = JsonProperty.Access.READ_ONLY)
    public Map<String, Integer> counts() {
        return RunVerdict.of(this).counts();
    }
}
