package org.shmconform.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.shmconform.checker.ScenarioResult;
import org.shmconform.checker.Verdict;

/**
 * Reads a results.json (a baseline, or either side of {@code shmconform diff}) and compares a run with
 * a baseline, cell by cell (column, environment, scenario, property), with {@link RunDiff}: the same
 * comparison as {@code shmconform diff BASELINE THIS}, so both call the same cells regressions.
 */
public final class Baseline {
    private Baseline() {
    }

    /** A regressed cell; {@code now} is null when the cell is no longer in the run. */
    public record Regression(String cell, Verdict was, Verdict now, String why) {
        @Override
        public String toString() {
            return cell + ": " + was + " -> " + (now == null ? "missing" : now) + (why == null ? "" : " (" + why + ")");
        }
    }

    /**
     * What the comparison found, as results.json records it.
     *
     * @param file        the baseline, relative to the report folder
     * @param regressions the regressed cells, as every report lists them
     * @param changes     every changed cell with the evidence of both sides (the regressions included)
     */
    public record Outcome(String file, List<Regression> regressions, List<RunDiff.Change> changes) {
        public Outcome {
            changes = changes == null ? List.of() : changes;
        }

        public Outcome(String file, List<Regression> regressions) {
            this(file, regressions, List.of());
        }

        public static Outcome of(String file, RunDiff diff) {
            return new Outcome(file, diff.regressions(), diff.changes());
        }
    }

    /** A baseline that cannot be used: the message is one line for the user. */
    public static final class InvalidBaseline extends Exception {
        public InvalidBaseline(String message) {
            super(message);
        }
    }

    /**
     * Reads and checks a baseline before anything runs: a JSON object of schema {@value RunSummary#SCHEMA}
     * with a results list whose entries name their scenario, column, environment and properties with verdicts.
     */
    public static RunSummary read(Path resultsJson) throws InvalidBaseline {
        return read(resultsJson, "baseline");
    }

    /** As {@link #read(Path)}; {@code role} names the file in messages ("baseline", "OLD", "NEW"). */
    public static RunSummary read(Path resultsJson, String role) throws InvalidBaseline {
        String where = role + " " + resultsJson;
        JsonNode root;
        try {
            root = ReportJson.MAPPER.readTree(Files.readString(resultsJson));
        } catch (JsonProcessingException e) {
            throw new InvalidBaseline(where + " is not JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (NoSuchFileException e) {
            throw new InvalidBaseline("cannot read " + where + ": no such file");
        } catch (IOException e) {
            throw new InvalidBaseline("cannot read " + where + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidBaseline(where + " is not a results.json object");
        }
        JsonNode schema = root.get("schema");
        if (schema == null || !schema.isTextual()) {
            throw new InvalidBaseline(where + " has no \"schema\"; expected \"" + RunSummary.SCHEMA + "\"");
        }
        if (!schema.asText().equals(RunSummary.SCHEMA)) {
            throw new InvalidBaseline(where + " has schema \"" + schema.asText() + "\"; this shmconform reads \""
                    + RunSummary.SCHEMA + "\"" + (schema.asText().startsWith("shmconform-results/") ? " (another version)" : ""));
        }
        JsonNode results = root.get("results");
        if (results == null || !results.isArray()) {
            throw new InvalidBaseline(where + " has no \"results\" list");
        }
        for (int i = 0; i < results.size(); i++) {
            checkResult(where + ": results[" + i + "]", results.get(i));
        }
        // Lists a reader walks (merge: columns, each campaign's failures): absent, they would fail later as a null, not here.
        for (String list : List.of("columns", "fuzz")) {
            if (!root.path(list).isArray()) {
                throw new InvalidBaseline(where + " has no \"" + list + "\" list");
            }
        }
        for (int i = 0; i < root.get("fuzz").size(); i++) {
            if (!root.get("fuzz").get(i).path("failures").isArray()) {
                throw new InvalidBaseline(where + ": fuzz[" + i + "] has no \"failures\" list");
            }
        }
        RunSummary run;
        try {
            run = ReportJson.MAPPER.treeToValue(root, RunSummary.class);
        } catch (JsonProcessingException e) {
            throw new InvalidBaseline(where + " does not match " + RunSummary.SCHEMA + ": " + e.getOriginalMessage());
        }
        // A cell twice: the comparison (RunDiff) keeps one side, so a FAIL beside a PASS of the same cell would vanish.
        Set<String> cells = new HashSet<>();
        for (int i = 0; i < run.results().size(); i++) {
            ScenarioResult r = run.results().get(i);
            for (int j = 0; j < r.properties().size(); j++) {
                String cell = RunDiff.cell(r, r.properties().get(j));
                if (!cells.add(cell)) {
                    throw new InvalidBaseline(where + ": results[" + i + "].properties[" + j + "] repeats cell " + cell
                            + ": a results.json holds each cell once");
                }
            }
        }
        return run;
    }

    /**
     * As {@link #read(Path, String)}, for the side a run is judged against (a baseline, diff's OLD): the run must have
     * finished. An interrupted run holds only the cells it reached, so a comparison with it would pass what it never tried.
     */
    public static RunSummary readFinished(Path resultsJson, String role) throws InvalidBaseline {
        RunSummary run = read(resultsJson, role);
        if (run.interrupted()) {
            throw new InvalidBaseline(role + " " + resultsJson + " is the results.json of an interrupted run (" + run.results().size()
                    + " cells that finished): compare against a run that finished");
        }
        return run;
    }

    private static void checkResult(String where, JsonNode r) throws InvalidBaseline {
        if (!r.isObject()) {
            throw new InvalidBaseline(where + " is not an object");
        }
        for (String field : List.of("scenario", "column", "env")) {
            if (!r.path(field).isTextual()) {
                throw new InvalidBaseline(where + " has no \"" + field + "\"");
            }
        }
        JsonNode properties = r.get("properties");
        if (properties == null || !properties.isArray()) {
            throw new InvalidBaseline(where + " has no \"properties\" list");
        }
        for (int j = 0; j < properties.size(); j++) {
            JsonNode p = properties.get(j);
            String at = where + ".properties[" + j + "]";
            if (!p.path("property").isTextual()) {
                throw new InvalidBaseline(at + " has no \"property\"");
            }
            String verdict = p.path("verdict").asText(null);
            if (verdict == null || Arrays.stream(Verdict.values()).noneMatch(v -> v.name().equals(verdict))) {
                throw new InvalidBaseline(at + " has no valid \"verdict\" (one of " + Arrays.toString(Verdict.values()) + ")");
            }
        }
    }

    /** The regressions of {@code current} against {@code baseline}: {@link RunDiff#compare}'s, in cell order. */
    public static List<Regression> compare(RunSummary baseline, RunSummary current) {
        return RunDiff.compare(baseline, current).regressions();
    }
}
